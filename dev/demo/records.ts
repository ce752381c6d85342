import type { CaseFile } from '../../schemas/case-file.js';
import type { ConsentInput, Provision } from '../../schemas/consent.js';
import type { DataCategory, Purpose } from '../../schemas/vocabulary.js';
import { SERVICE_CATEGORIES } from './network.js';
import type { ParticipantPlan, ReferralPlan } from './plan.js';
import { Random } from './random.js';

/** The bodies the demo posts for a participant's consents and referrals, built from their plan. */

const DAY = 86_400_000;
const WHO_SEES_WHO = ['identity', 'contact', 'demographics'] as const;

const categoriesFor = (r: ReferralPlan): DataCategory[] => [...WHO_SEES_WHO, ...((SERVICE_CATEGORIES[r.service] ?? []) as DataCategory[])];

/** Where the signed form or the order is filed: also how a second run recognises a consent it recorded. */
export const documentRefOf = (plan: ParticipantPlan, kind: 'form' | 'order') =>
  kind === 'form' ? `forms/${plan.person.externalId}/referral-consent.pdf` : `orders/${plan.person.externalId}/supervision-order.pdf`;

export interface PlannedConsent {
  documentRef: string;
  body: ConsentInput;
  /** Revoke it once the partners have done their part. */
  revokeAfter?: string;
}

/**
 * The participant's bases. The ordinary consent is an opt-in frame ("deny everything except"):
 * one exception per partner for what it may receive, and one for what the partners may report
 * back to the referring agency. A 42 CFR Part 2 program's reports need `substance_use` in that
 * second exception (the § 2.35 consent); without it they reach probation only as "withheld".
 */
export function consentsFor(plan: ParticipantPlan, ids: { referrer: string; partner: (r: ReferralPlan) => string }, today: Date): PlannedConsent[] {
  if (plan.consent === 'none' || plan.referrals.length === 0) return [];
  const rnd = new Random(`consent-${plan.n}`);
  const purposes = [...new Set(plan.referrals.map((r) => r.purpose))] as Purpose[];
  const forward: Provision[] = plan.referrals.map((r) => ({
    type: 'permit', actors: [{ role: 'recipient', organizationId: ids.partner(r) }], purposes: [r.purpose], categories: categoriesFor(r),
  }));
  const back = [...new Set(plan.referrals.flatMap((r) => [...(SERVICE_CATEGORIES[r.service] ?? []), ...(r.provider.part2 && plan.part2ReportsBack ? ['substance_use'] : [])]))] as DataCategory[];
  const reverse: Provision = {
    type: 'permit',
    actors: [...plan.referrals.map((r) => ({ role: 'source' as const, organizationId: ids.partner(r) })), { role: 'recipient', organizationId: ids.referrer }],
    purposes, categories: back,
  };

  if (plan.consent === 'court_order') {
    const start = new Date(today.getTime() - rnd.int(300, 390) * DAY);
    return [{
      documentRef: documentRefOf(plan, 'order'),
      body: {
        participantId: '', basis: 'court_order', documentRef: documentRefOf(plan, 'order'), signatures: [],
        period: { start: start.toISOString(), end: new Date(start.getTime() + 2 * 365 * DAY).toISOString() },
        provision: { type: 'deny', provisions: [...forward.map((f) => ({ ...f, purposes: [...f.purposes!, 'court_reporting' as const] })), { ...reverse, purposes: [...purposes, 'court_reporting'] }] },
      },
    }];
  }

  const start = new Date(today.getTime() - rnd.int(370, 400) * DAY);
  // 42 CFR 2.31: a consent to disclose substance-use records states when it ends.
  const end = plan.consent === 'expired' ? new Date(today.getTime() - rnd.int(20, 90) * DAY) : new Date(start.getTime() + 2 * 365 * DAY);
  const method = rnd.weighted({ wet: 50, electronic: 40, verbal_witnessed: 10 });
  const participantName = `${plan.person.input.name.given.join(' ')} ${plan.person.input.name.family}`;
  const guardian = plan.person.input.guardians?.[0];
  const signatures: ConsentInput['signatures'] = [{ signer: 'participant', name: participantName, signedAt: start.toISOString(), method }];
  // A youth's consent needs a parent or guardian's signature as well (the default minor policy).
  if (plan.person.minor && guardian) signatures.push({ signer: 'guardian', name: guardian.name, relationship: guardian.relationship, signedAt: start.toISOString(), method });
  return [{
    documentRef: documentRefOf(plan, 'form'),
    body: {
      participantId: '', basis: 'consent', documentRef: documentRefOf(plan, 'form'), signatures,
      period: { start: start.toISOString(), end: end.toISOString() },
      provision: { type: 'deny', provisions: [...forward, reverse] },
    },
    ...(plan.consent === 'revoked' ? { revokeAfter: 'The participant withdrew consent in writing at a supervision meeting' } : {}),
  }];
}

const STREETS = ['Harbor Blvd', 'Maple St', 'Cedar Ave', 'Lincoln Way', 'Mission Rd', 'Ocean View Dr', 'Elm St', 'Industrial Pkwy'];
const CITIES = ['Harbor City', 'Port Alder', 'Eastlake', 'Northgate', 'Valley Springs'];

/**
 * A case file as a planner assembles it: every section the agency holds, whatever the partner
 * may see; consent decides what leaves. Some files carry substance-use history a housing or
 * employment partner will never see.
 */
export function caseFileFor(plan: ParticipantPlan, r: ReferralPlan): CaseFile {
  const rnd = new Random(`case-${plan.n}-${r.index}`);
  const p = plan.person.input;
  const youth = plan.person.minor;
  const file: CaseFile = {
    identity: { name: p.name, birthDate: p.birthDate, identifiers: [{ system: 'urn:harbor-county:booking', value: `HC-${2025 + rnd.int(0, 1)}-${String(plan.n).padStart(6, '0')}` }] },
    contact: {
      phone: `555-${String(rnd.int(100, 999))}-${String(rnd.int(1000, 9999))}`,
      address: { line: `${rnd.int(10, 9999)} ${rnd.pick(STREETS)}`, city: rnd.pick(CITIES), state: 'CA', postalCode: `90${rnd.int(100, 899)}` },
    },
    demographics: { gender: p.gender ?? 'undisclosed', race: p.race ?? [], language: rnd.weighted({ en: 78, es: 18, ar: 2, vi: 2 }) },
    justice: {
      supervisionLevel: rnd.pick(['low', 'medium', 'high']),
      caseNumber: `${youth ? 'JV' : 'CR'}-2026-${String(plan.n).padStart(5, '0')}`,
      conditions: rnd.pick([['curfew 22:00'], ['no contact order', 'monthly drug screen'], ['community service 40 h'], ['electronic monitoring']]),
    },
    risk_assessment: youth
      ? { instrument: 'YLS/CMI', score: rnd.int(5, 30), band: rnd.pick(['low', 'moderate', 'high']) }
      : { instrument: 'ORAS-CST', score: rnd.int(8, 35), band: rnd.pick(['low', 'moderate', 'high']) },
  };
  const sections: Record<string, Record<string, unknown>> = {
    mental_health: { screen: 'PHQ-9', score: rnd.int(5, 22), traumaScreen: 'TCU TRMA', followUp: true },
    substance_use: { instrument: 'ASI', substances: [rnd.pick(['alcohol', 'opioids', 'methamphetamine', 'cannabis'])], inTreatment: rnd.chance(0.4) },
    housing: { status: rnd.pick(['unhoused', 'couch-surfing', 'shelter', 'with family']), eviction: rnd.chance(0.2) },
    employment: { status: rnd.pick(['unemployed', 'part-time', 'day labour']), skills: [rnd.pick(['forklift', 'food service', 'construction', 'retail'])] },
    education: { highestLevel: youth ? `grade ${rnd.int(7, 11)}` : rnd.pick(['some high school', 'high school', 'GED', 'some college']) },
    medical: { primaryCare: false, needs: [rnd.pick(['diabetes follow-up', 'hypertension', 'dental', 'asthma'])] },
    family: { household: rnd.pick(['lives with mother', 'lives with grandparents', 'two children', 'in foster care']) },
  };
  for (const category of SERVICE_CATEGORIES[r.service] ?? []) if (sections[category]) (file as Record<string, unknown>)[category] = sections[category];
  // The agency's file often holds substance-use history the partner may not see (42 CFR Part 2).
  if (rnd.chance(0.3)) file.substance_use = sections.substance_use;
  const serviceCategory = (SERVICE_CATEGORIES[r.service]?.[0] ?? 'justice') as DataCategory;
  file.notes = [{ category: serviceCategory, text: `Planner's note for the ${r.service.replace('_', ' ')} referral: ${r.reason.toLowerCase()}.` }];
  return file;
}

/** What a partner writes in a progress note, under the category it is about. */
export function progressNote(r: ReferralPlan): { category: DataCategory; text: string } {
  const category = (r.provider.part2 ? 'substance_use' : (SERVICE_CATEGORIES[r.service]?.[0] ?? 'justice')) as DataCategory;
  return { category, text: r.provider.part2 ? 'Attending group twice a week; two negative screens.' : 'Engaged and attending as planned.' };
}
