import { decide, DEFAULT_MINOR_POLICY, partnerCategories, partnerView, sharedOrWithheld, type Decision, type ReferralHeader } from '../consent/index.js';
import type { CaseFile } from '../schemas/case-file.js';
import type { Sql } from '../db/connect.js';
import type { Hub } from './hub.js';
import { countDecision } from '../lib/metrics.js';
import { BasisCache } from './basis-cache.js';
import type { Purpose } from '../schemas/vocabulary.js';
import { loadBases } from '../store/consents.js';
import type { OrganizationRow } from '../store/organizations.js';
import { loadCaseFile, openCaseFile, type CaseFileEntryRow, type ReferralRow } from '../store/referrals.js';

/**
 * The one place where enforcement asks the consent engine: delivery, partner reads and the
 * compliance officer's access endpoint all call this, so they cannot disagree.
 */
export async function decideFor(
  bases: Sql | BasisCache,
  participant: { id: string; birthDate: string; guardians?: string[] | undefined },
  recipient: OrganizationRow,
  purpose: Purpose,
  at: Date,
  source?: OrganizationRow,
): Promise<Decision> {
  // Inside a transaction the caller passes it, so the decision sees that transaction's own writes.
  const loaded = bases instanceof BasisCache ? await bases.load(participant.id) : await loadBases(bases, participant.id);
  return countDecision(decide(
    {
      participant,
      recipient: { id: recipient.id, kind: recipient.kind, name: recipient.name, part2Program: recipient.part2Program },
      ...(source ? { source: { id: source.id, kind: source.kind, name: source.name, part2Program: source.part2Program } } : {}),
      purpose,
      at,
    },
    loaded,
    DEFAULT_MINOR_POLICY,
  ));
}

/** The partner's view of a referral, decided and projected now. */
export async function partnerViewOf(
  hub: Pick<Hub, 'sql' | 'keyring' | 'bases' | 'clock'>,
  referral: ReferralRow,
  participant: { id: string; birthDate: string },
  partner: OrganizationRow,
  at = hub.clock.now(),
  /** The case file's encrypted entries when the caller already has them (a partner read loads them with the referral). */
  caseFileEntries?: readonly CaseFileEntryRow[],
) {
  const { keyring } = hub;
  const decision = await decideFor(hub.bases, participant, partner, referral.purpose, at);
  // Only what may leave is decrypted at all; the projection still decides.
  const may = partnerCategories(decision);
  const caseFile = caseFileEntries ? await openCaseFile(keyring, caseFileEntries, may) : await loadCaseFile(hub.sql, keyring, referral.id, may);
  // Not even decrypted unless it may leave; the projection counts it as withheld.
  const reason = may.includes('identity') ? await keyring.decrypt<string>(referral.reasonJwe) : '';
  const { view, projected } = partnerView(headerOf(referral), { caseFile, reason }, decision);
  return { decision, projected, view };
}

/**
 * The same decision for a delivery to a partner that pulls (portal): nothing leaves with the
 * delivery, since each of the partner's reads is decided, projected and recorded when it is made,
 * so nothing is decrypted and the view is the referral's routing header alone.
 */
export async function pulledViewOf(
  hub: Pick<Hub, 'bases' | 'clock'>,
  referral: ReferralRow,
  participant: { id: string; birthDate: string },
  partner: OrganizationRow,
  at = hub.clock.now(),
) {
  const decision = await decideFor(hub.bases, participant, partner, referral.purpose, at);
  const { view, projected } = partnerView(headerOf(referral), { caseFile: {}, reason: '' }, decision);
  return { decision, projected, view };
}

const headerOf = (referral: ReferralRow): ReferralHeader =>
  ({ id: referral.id, status: referral.status, service: referral.service, purpose: referral.purpose, priority: referral.priority, createdAt: referral.createdAt });

/**
 * What `partner` would be sent for a referral not yet written, decided and projected now by the
 * same two steps as `partnerViewOf` above (the delivery's and the partner read's): `decideFor`,
 * then `partnerView`. Only the case file comes from the planner's form instead of the store.
 * Piece by piece, `pieces` says what the view holds and why the rest is withheld.
 */
export async function previewPartnerView(
  hub: Pick<Hub, 'bases' | 'clock'>,
  header: ReferralHeader,
  content: { caseFile: CaseFile; reason: string },
  participant: { id: string; birthDate: string },
  partner: OrganizationRow,
  at = hub.clock.now(),
) {
  const decision = await decideFor(hub.bases, participant, partner, header.purpose, at);
  const { view, projected } = partnerView(header, content, decision);
  return { decision, projected, view, pieces: sharedOrWithheld(content, decision, projected) };
}
