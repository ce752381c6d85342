import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { adultParticipant, permitConsent } from '../support/fixtures.js';
import { agency, deliveredReferral, expectProblem, portalPartner, referralInput, rowCounts, type Agency } from '../support/scenario.js';

describe('who may call what, and see which objects', () => {
  let hub: TestHub;
  let probation: Agency;
  let court: Agency;
  let housing: { id: string; token: string };
  let clinic: { id: string; token: string };
  let referralId: string;
  let consentId: string;

  beforeAll(async () => {
    hub = await startTestHub();
    probation = await agency(hub, 'County Probation');
    court = await agency(hub, 'Juvenile Court');
    housing = await portalPartner(hub, 'Eastside Housing');
    clinic = await portalPartner(hub, 'Riverside Clinic');
    referralId = await deliveredReferral(hub, probation, housing);
    const consents = await hub.api.request('GET', `/v1/consents?participantId=${probation.participantId}`, { token: probation.compliance });
    consentId = consents.body.items[0].id;
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const call = (token: string, method: string, path: string, body?: unknown) => hub.api.request(method, path, { token, ...(body === undefined ? {} : { body }) });

  describe('roles', () => {
    /** Valid requests of each audience, so that only the role can be what refuses them. */
    const adminCalls = () => [
      ['POST', '/v1/organizations', { name: 'Shadow Org', kind: 'other', adapter: { type: 'portal' } }],
      ['GET', '/v1/organizations'],
      ['PATCH', `/v1/organizations/${housing.id}`, { name: 'Renamed' }],
      ['POST', '/v1/clients', { organizationId: probation.id, role: 'planner', jwks: { keys: [{ kty: 'EC' }] } }],
    ] as const;
    const complianceCalls = () => [
      ['POST', '/v1/consents', permitConsent(probation.participantId, housing.id, ['identity'])],
      ['GET', `/v1/consents?participantId=${probation.participantId}`],
      ['GET', `/v1/consents/${consentId}`],
      ['POST', `/v1/consents/${consentId}/revoke`, { reason: 'because I can' }],
      ['GET', `/v1/participants/${probation.participantId}/disclosures`],
      ['GET', `/v1/participants/${probation.participantId}/access?recipient=${housing.id}&purpose=treatment`],
    ] as const;
    const plannerCalls = () => [
      ['POST', '/v1/participants', adultParticipant],
      ['POST', '/v1/referrals', referralInput(probation.participantId, housing.id)],
      ['GET', `/v1/participants/${probation.participantId}`],
      ['GET', `/v1/referrals/${referralId}/timeline`],
    ] as const;

    async function expectForbidden(token: string, calls: readonly (readonly [string, string, unknown?])[]) {
      const before = await rowCounts(hub);
      for (const [method, path, body] of calls) {
        const response = await call(token, method, path, body);
        expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBe(403);
        expectProblem(response, 403);
      }
      expect(await rowCounts(hub)).toEqual(before);
    }

    it('keeps a partner out of admin, compliance and planner routes', async () => {
      await expectForbidden(housing.token, [...adminCalls(), ...complianceCalls(), ...plannerCalls(), ['GET', '/v1/audit/verify']]);
    });

    it('keeps a planner out of admin and compliance routes', async () => {
      await expectForbidden(probation.planner, [...adminCalls(), ...complianceCalls(), ['GET', '/v1/audit/verify']]);
      const revoked = await call(probation.compliance, 'GET', `/v1/consents/${consentId}`);
      expect(revoked.body.status).toBe('active');
    });

    it('keeps a compliance officer from sending referrals or enrolling participants', async () => {
      await expectForbidden(probation.compliance, [...adminCalls(), plannerCalls()[0], plannerCalls()[1]]);
    });

    it('keeps the admin out of case files and timelines, which are disclosures', async () => {
      await expectForbidden(hub.adminToken, [['GET', `/v1/referrals/${referralId}`], ['GET', `/v1/referrals/${referralId}/timeline`], ...complianceCalls(), plannerCalls()[1]]);
    });

    it('lets a partner post events but not cancel, and a planner cancel but not accept', async () => {
      expectProblem(await call(housing.token, 'POST', `/v1/referrals/${referralId}/events`, { type: 'cancelled' }), 403);
      expectProblem(await call(probation.planner, 'POST', `/v1/referrals/${referralId}/events`, { type: 'accepted' }), 403);
      expect((await call(probation.planner, 'GET', `/v1/referrals/${referralId}`)).body.status).toBe('delivered');
    });
  });

  describe("another organisation's objects do not exist (404, not 403)", () => {
    it('hides the participant, its access decision, disclosures and consents', async () => {
      const id = probation.participantId;
      expectProblem(await call(court.planner, 'GET', `/v1/participants/${id}`), 404);
      expectProblem(await call(court.compliance, 'GET', `/v1/participants/${id}/access?recipient=${housing.id}&purpose=treatment`), 404);
      expectProblem(await call(court.compliance, 'GET', `/v1/participants/${id}/disclosures`), 404);
      expectProblem(await call(court.compliance, 'GET', `/v1/consents?participantId=${id}`), 404);
      expectProblem(await call(court.compliance, 'GET', `/v1/consents/${consentId}`), 404);
    });

    it('refuses to act on it: no referral, consent or revocation for a stranger', async () => {
      const before = await rowCounts(hub);
      expectProblem(await call(court.planner, 'POST', '/v1/referrals', referralInput(probation.participantId, housing.id)), 404, 'participantId');
      expectProblem(await call(court.compliance, 'POST', '/v1/consents', permitConsent(probation.participantId, clinic.id, ['identity'])), 404, 'participantId');
      expectProblem(await call(court.compliance, 'POST', `/v1/consents/${consentId}/revoke`, { reason: 'not mine' }), 404);
      expect(await rowCounts(hub)).toEqual(before);
      expect((await call(probation.compliance, 'GET', `/v1/consents/${consentId}`)).body.status).toBe('active');
    });

    it("hides another agency's referral, its timeline, events and replay", async () => {
      expectProblem(await call(court.planner, 'GET', `/v1/referrals/${referralId}`), 404);
      expectProblem(await call(court.planner, 'GET', `/v1/referrals/${referralId}/timeline`), 404);
      expectProblem(await call(court.planner, 'POST', `/v1/referrals/${referralId}/events`, { type: 'cancelled' }), 404);
      expectProblem(await call(court.planner, 'POST', `/v1/referrals/${referralId}/replay`), 404);
      expect((await call(court.planner, 'GET', '/v1/referrals')).body.items).toEqual([]);
      expect((await call(court.planner, 'GET', `/v1/referrals?participantId=${probation.participantId}`)).body.items).toEqual([]);
    });

    it("hides a referral from a partner it is not addressed to", async () => {
      expectProblem(await call(clinic.token, 'GET', `/v1/referrals/${referralId}`), 404);
      expectProblem(await call(clinic.token, 'POST', `/v1/referrals/${referralId}/events`, { type: 'received' }), 404);
      expect((await call(clinic.token, 'GET', '/v1/referrals')).body.items).toEqual([]);
      expect((await call(clinic.token, 'GET', `/v1/referrals?partnerId=${housing.id}`)).body.items).toEqual([]);
    });

    it("hides another organisation's record from non-admins", async () => {
      expectProblem(await call(court.planner, 'GET', `/v1/organizations/${probation.id}`), 404);
      expectProblem(await call(housing.token, 'GET', `/v1/organizations/${clinic.id}`), 404);
      expect((await call(housing.token, 'GET', `/v1/organizations/${housing.id}`)).status).toBe(200);
    });
  });

  it('shows a partner the referral only once it is delivered', async () => {
    const created = await call(court.planner, 'POST', '/v1/referrals', referralInput(court.participantId, clinic.id));
    expect(created.body.status).toBe('awaiting_consent');
    const id = created.body.id as string;
    expectProblem(await call(clinic.token, 'GET', `/v1/referrals/${id}`), 404);
    expectProblem(await call(clinic.token, 'POST', `/v1/referrals/${id}/events`, { type: 'received' }), 404);
    expect((await call(clinic.token, 'GET', '/v1/referrals')).body.items.map((r: any) => r.id)).not.toContain(id);

    expect((await call(court.compliance, 'POST', '/v1/consents', permitConsent(court.participantId, clinic.id, ['identity']))).status).toBe(201);
    const seen = await eventually(async () => {
      const read = await call(clinic.token, 'GET', `/v1/referrals/${id}`);
      return read.status === 200 ? read.body : undefined;
    }, 10_000, 'the portal delivery');
    expect(seen.status).toBe('delivered');
    expect(Object.keys(seen.caseFile)).toEqual(['identity']);
    expect((await call(clinic.token, 'GET', '/v1/referrals')).body.items.map((r: any) => r.id)).toContain(id);
  });

  describe('mass assignment', () => {
    it('refuses client-supplied status, id or organizationId as unknown fields', async () => {
      const before = await rowCounts(hub);
      const cases: [string, string, string, Record<string, unknown>][] = [
        [probation.planner, '/v1/referrals', 'status', { ...referralInput(probation.participantId, housing.id), status: 'delivered' }],
        [probation.planner, '/v1/referrals', 'id', { ...referralInput(probation.participantId, housing.id), id: 'ref_AAAAAAAAAAAAAAAAAAAAAA' }],
        [probation.planner, '/v1/referrals', 'organizationId', { ...referralInput(probation.participantId, housing.id), organizationId: court.id }],
        [probation.planner, '/v1/participants', 'organizationId', { ...adultParticipant, organizationId: court.id }],
        [probation.planner, '/v1/participants', 'minor', { ...adultParticipant, minor: false }],
        [probation.compliance, '/v1/consents', 'status', { ...permitConsent(probation.participantId, housing.id, ['identity']), status: 'active' }],
        [housing.token, `/v1/referrals/${referralId}/events`, 'status', { type: 'received', status: 'completed' }],
        [hub.adminToken, '/v1/organizations', 'id', { name: 'X', kind: 'other', adapter: { type: 'portal' }, id: 'org_AAAAAAAAAAAAAAAAAAAAAA' }],
        [hub.adminToken, '/v1/clients', 'clientId', { organizationId: probation.id, role: 'planner', jwks: { keys: [{ kty: 'EC' }] }, clientId: 'hub-admin' }],
      ];
      for (const [token, path, field, body] of cases) {
        const response = await call(token, 'POST', path, body);
        expectProblem(response, 400, field);
      }
      expectProblem(await call(hub.adminToken, 'POST', '/v1/clients', { organizationId: probation.id, role: 'admin', jwks: { keys: [{ kty: 'EC' }] } }), 400, 'role');
      expect(await rowCounts(hub)).toEqual(before);
      expect((await call(probation.planner, 'GET', `/v1/referrals/${referralId}`)).body.status).toBe('delivered');
    });
  });
});
