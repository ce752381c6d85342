import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_CATEGORIES } from '../../schemas/vocabulary.js';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { adultParticipant, fullCaseFile } from '../support/fixtures.js';

const REASON = 'court-ordered assessment; history of MARKER-REASON-7f3a';

/**
 * For random consents in both directions and random reports from the partner, on the running hub:
 * what the referrer's timeline holds (notes included) is exactly what the reverse decision permits,
 * and what the partner's read holds (reason included) is exactly what the forward decision permits.
 */
describe('both directions agree with the access decisions', () => {
  let hub: TestHub;
  let probation: { id: string; token: string };
  let compliance: string;
  let clinic: { id: string; token: string };
  let program: { id: string; token: string };

  beforeAll(async () => {
    hub = await startTestHub();
    probation = await hub.organization({ name: 'County Probation', kind: 'probation', adapter: { type: 'portal' } }, 'planner');
    compliance = await hub.client(probation.id, 'compliance');
    clinic = await hub.organization({ name: 'Eastside Clinic', kind: 'mental_health', adapter: { type: 'portal' } }, 'partner');
    program = await hub.organization({ name: 'Riverside Recovery', kind: 'sud_treatment', part2Program: true, adapter: { type: 'portal' } }, 'partner');
  });
  afterAll(async () => hub?.stop());

  const categories = fc.subarray([...DATA_CATEGORIES], { minLength: 1 });
  /** A later consent: forward (to the partner) or reverse (from the partner to probation), permit or deny. */
  const laterConsent = fc.record({
    reverse: fc.boolean(), type: fc.constantFrom('permit', 'deny'), categories, purposeMatches: fc.boolean(),
  });
  const provisionOf = (c: { reverse: boolean; type: string; categories: string[]; purposeMatches: boolean }, partnerId: string) => ({
    type: c.type,
    actors: c.reverse ? [{ role: 'source', organizationId: partnerId }, { role: 'recipient', organizationId: probation.id }] : [{ organizationId: partnerId }],
    purposes: [c.purposeMatches ? 'treatment' : 'payment'],
    categories: c.categories,
  });
  const notes = fc.array(fc.constantFrom(...DATA_CATEGORIES), { minLength: 1, maxLength: 4 });

  const consent = async (participantId: string, provision: unknown) => {
    const r = await hub.api.request('POST', '/v1/consents', {
      token: compliance,
      body: {
        participantId, basis: 'consent', period: { start: new Date(Date.now() - 60_000).toISOString() }, provision,
        signatures: [{ signer: 'participant', name: 'J R', signedAt: new Date().toISOString(), method: 'electronic' }],
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  };
  const access = async (participantId: string, query: string) =>
    (await hub.api.request('GET', `/v1/participants/${participantId}/access?${query}&purpose=treatment`, { token: compliance })).body.permitted as string[];

  it('for random consents and random reports, from an ordinary provider and from a Part 2 program', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(laterConsent, { minLength: 1, maxLength: 3 }), notes, async (part2, later, noteCategories) => {
        const partner = part2 ? program : clinic;
        const participantId = (await hub.api.request('POST', '/v1/participants', { token: probation.token, body: adultParticipant })).body.id;
        // The referral goes out under a first consent that lets the partner see the participant.
        await consent(participantId, { type: 'permit', actors: [{ organizationId: partner.id }], categories: ['identity', 'housing', 'mental_health'] });
        const created = await hub.api.request('POST', '/v1/referrals', {
          token: probation.token,
          body: { participantId, partnerId: partner.id, service: 'mental_health', purpose: 'treatment', reason: REASON, caseFile: fullCaseFile() },
        });
        const id = created.body.id;
        await eventually(async () => ((await hub.api.request('GET', `/v1/referrals/${id}`, { token: partner.token })).status === 200 ? true : undefined));
        await hub.api.request('POST', `/v1/referrals/${id}/events`, { token: partner.token, body: { type: 'accepted' } });
        for (const category of noteCategories) {
          const r = await hub.api.request('POST', `/v1/referrals/${id}/events`, { token: partner.token, body: { type: 'progress_note', note: { category, text: `note MARKER-${category}` } } });
          expect(r.status).toBe(201);
        }
        for (const c of later) await consent(participantId, provisionOf(c, partner.id));

        // Forward: the partner's read.
        const forward = await access(participantId, `recipient=${partner.id}`);
        const read = (await hub.api.request('GET', `/v1/referrals/${id}`, { token: partner.token })).body;
        const shown = forward.includes('identity') ? [...forward].sort() : [];
        expect(Object.keys(read.caseFile).filter((k) => k !== 'notes').sort()).toEqual(shown);
        expect((read.caseFile.notes ?? []).map((n: { category: string }) => n.category).sort()).toEqual(shown);
        expect(read.reason).toBe(forward.includes('identity') ? REASON : undefined);
        expect(read.withheld.count).toBe(2 * (DATA_CATEGORIES.length - shown.length) + (forward.includes('identity') ? 0 : 1));

        // Reverse: the referrer's timeline.
        const reverse = await access(participantId, `recipient=${probation.id}&source=${partner.id}`);
        const items = (await hub.api.request('GET', `/v1/referrals/${id}/timeline`, { token: probation.token })).body.items as any[];
        const reported = items.filter((e) => e.type !== 'created' && e.type !== 'delivered');
        if (part2 && !reverse.includes('substance_use')) {
          // 42 CFR 2.35: nothing the program reported, not even that it was a note.
          expect(reported.map((e) => e.type)).toEqual(Array(1 + noteCategories.length).fill('withheld'));
          expect(JSON.stringify(items)).not.toContain('MARKER');
          return;
        }
        const progress = reported.filter((e) => e.type === 'progress_note');
        expect(progress).toHaveLength(noteCategories.length);
        progress.forEach((entry, i) => {
          const category = noteCategories[i]!;
          if (reverse.includes(category)) {
            expect(entry.note).toEqual({ category, text: `note MARKER-${category}` });
          } else {
            expect(entry).toMatchObject({ noteWithheld: true });
            expect(entry).not.toHaveProperty('note');
          }
        });
      }),
      { numRuns: 12 },
    );
  });
});
