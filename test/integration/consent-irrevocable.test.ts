import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub.js';
import { agency, expectProblem, type Agency } from '../support/scenario.js';
import { permitConsent } from '../support/fixtures.js';
import { consentParties } from '../../services/organizations.js';

const DAY = 86_400_000;
let hub: TestHub;
let probation: Agency;
let clinic: { id: string };

/** The § 2.35 consent: the Part 2 program may report substance-use information back to probation. */
const reportBack = (extra: Record<string, unknown>) =>
  permitConsent(probation.participantId, probation.id, ['substance_use'], {
    period: { start: new Date(Date.now() - DAY).toISOString(), end: new Date(Date.now() + 365 * DAY).toISOString() },
    provision: { type: 'permit', actors: [{ role: 'source', organizationId: clinic.id }, { role: 'recipient', organizationId: probation.id }], purposes: ['court_reporting'], categories: ['substance_use'] },
    ...extra,
  });

beforeAll(async () => {
  hub = await startTestHub();
  probation = await agency(hub, 'County Probation');
  clinic = await hub.organization({ name: 'Riverside Recovery', kind: 'sud_treatment', part2Program: true, adapter: { type: 'portal' } });
});
afterAll(async () => {
  hub?.clock.reset();
  await hub?.stop();
});

describe('an irrevocable 42 CFR 2.35 consent', () => {
  it('refuses its revocation with the stated event until its date, then revokes it', async () => {
    const until = new Date(Date.now() + 30 * DAY).toISOString();
    const created = await hub.api.request('POST', '/v1/consents', { token: probation.compliance, body: reportBack({ irrevocable: { event: 'the final disposition of case 26-CR-0114', until } }) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.irrevocable).toEqual({ event: 'the final disposition of case 26-CR-0114', until });

    const refused = await hub.api.request('POST', `/v1/consents/${created.body.id}/revoke`, { token: probation.compliance, body: { reason: 'asked to withdraw' } });
    expectProblem(refused, 409);
    expect(refused.body.detail).toContain('42 CFR 2.35');
    expect(refused.body.detail).toContain('the final disposition of case 26-CR-0114');
    const read = await hub.api.request('GET', `/v1/consents/${created.body.id}`, { token: probation.compliance });
    expect(read.body.status).toBe('active');

    hub.clock.advance(31 * DAY);
    const revoked = await hub.api.request('POST', `/v1/consents/${created.body.id}/revoke`, { token: probation.compliance, body: { reason: 'case disposed; participant withdrew' } });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    hub.clock.reset();
  });

  it('is refused for a court order, and without a date from which it can be revoked', async () => {
    const order = await hub.api.request('POST', '/v1/consents', {
      token: probation.compliance,
      body: reportBack({ basis: 'court_order', signatures: [], documentRef: 'order 26-CR-0114', irrevocable: { event: 'final disposition' } }),
    });
    expectProblem(order, 422, 'irrevocable');
    const forGood = await hub.api.request('POST', '/v1/consents', {
      token: probation.compliance,
      body: reportBack({ period: { start: new Date(Date.now() - DAY).toISOString() }, irrevocable: { event: 'final disposition' } }),
    });
    expectProblem(forGood, 422, 'irrevocable.until');
  });
});

describe('the directory of consent recipients', () => {
  it('gives a compliance officer names, kinds and the Part 2 flag, and refuses a planner', async () => {
    const parties = await consentParties(hub.running.hub, { clientId: 'test', organizationId: probation.id, role: 'compliance', scopes: [] });
    expect(parties).toEqual(expect.arrayContaining([{ id: clinic.id, name: 'Riverside Recovery', kind: 'sud_treatment', part2Program: true }]));
    expect(Object.keys(parties[0]!).sort()).toEqual(['id', 'kind', 'name', 'part2Program']);
    await expect(consentParties(hub.running.hub, { clientId: 'test', organizationId: probation.id, role: 'planner', scopes: [] })).rejects.toMatchObject({ status: 403 });
  });
});
