import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_CATEGORIES } from '../../schemas/vocabulary.js';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { adultParticipant, fullCaseFile } from '../support/fixtures.js';

/**
 * The access endpoint a compliance officer reads and the enforcement a partner meets are one
 * decision: for random consents, what GET /access permits is exactly what the partner's read of
 * the referral contains (sections and notes), and a referral waits when identity is not permitted.
 */
describe('the access endpoint and enforcement agree', () => {
  let hub: TestHub;
  let planner: string;
  let compliance: string;
  let partner: { id: string; token: string };

  beforeAll(async () => {
    hub = await startTestHub();
    const probation = await hub.organization({ name: 'County Probation', kind: 'probation', adapter: { type: 'portal' } }, 'planner');
    planner = probation.token;
    compliance = await hub.client(probation.id, 'compliance');
    partner = await hub.organization({ name: 'Eastside Clinic', kind: 'mental_health', adapter: { type: 'portal' } }, 'partner');
  });
  afterAll(async () => hub?.stop());

  const categories = fc.subarray([...DATA_CATEGORIES], { minLength: 1 });
  const provision = (partnerId: string) =>
    fc.oneof(
      // permit some categories to this partner, with exceptions
      fc.record({ allow: categories, except: fc.subarray([...DATA_CATEGORIES]), purposeMatches: fc.boolean() }).map(({ allow, except, purposeMatches }) => ({
        type: 'permit',
        actors: [{ organizationId: partnerId }],
        purposes: purposeMatches ? ['treatment'] : ['payment'],
        categories: allow,
        ...(except.length > 0 ? { provisions: [{ type: 'deny', categories: except }] } : {}),
      })),
      // deny everything except some categories, for any mental-health provider
      categories.map((allow) => ({ type: 'deny', provisions: [{ type: 'permit', actors: [{ organizationKind: 'mental_health' }], categories: allow }] })),
    );

  it('for random consents', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(provision(partner.id), { minLength: 1, maxLength: 2 }), async (provisions) => {
        const participantId = (await hub.api.request('POST', '/v1/participants', { token: planner, body: adultParticipant })).body.id;
        for (const p of provisions) {
          const recorded = await hub.api.request('POST', '/v1/consents', {
            token: compliance,
            body: {
              participantId, basis: 'consent', period: { start: new Date(Date.now() - 60_000).toISOString() }, provision: p,
              signatures: [{ signer: 'participant', name: 'J R', signedAt: new Date().toISOString(), method: 'electronic' }],
            },
          });
          expect(recorded.status).toBe(201);
        }
        const access = await hub.api.request('GET', `/v1/participants/${participantId}/access?recipient=${partner.id}&purpose=treatment`, { token: compliance });
        const permitted: string[] = access.body.permitted;
        const referral = await hub.api.request('POST', '/v1/referrals', {
          token: planner,
          body: { participantId, partnerId: partner.id, service: 'mental_health', purpose: 'treatment', reason: 'assessment', caseFile: fullCaseFile() },
        });
        if (!permitted.includes('identity')) {
          expect(referral.body.status).toBe('awaiting_consent');
          expect((await hub.api.request('GET', `/v1/referrals/${referral.body.id}`, { token: partner.token })).status).toBe(404);
          return;
        }
        const read = await eventually(async () => {
          const r = await hub.api.request('GET', `/v1/referrals/${referral.body.id}`, { token: partner.token });
          return r.status === 200 ? r.body : undefined;
        });
        const sections = Object.keys(read.caseFile).filter((k) => k !== 'notes').sort();
        const noteCategories = (read.caseFile.notes ?? []).map((n: { category: string }) => n.category).sort();
        expect(sections).toEqual([...permitted].sort());
        expect(noteCategories).toEqual([...permitted].sort());
        expect(read.withheld.count).toBe(2 * (DATA_CATEGORIES.length - permitted.length));
      }),
      { numRuns: 15 },
    );
  });
});
