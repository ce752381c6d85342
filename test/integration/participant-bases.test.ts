import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../lib/ids.js';
import { getParticipantRefWithBases, loadBases } from '../../store/consents.js';
import { getParticipantRef } from '../../store/participants.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { agency, deliveredReferral, expectProblem, portalPartner, type Agency } from '../support/scenario.js';
import { permitConsent } from '../support/fixtures.js';

const DAY = 86_400_000;
let hub: TestHub;
let probation: Agency;
let clinicId: string;

beforeAll(async () => {
  hub = await startTestHub();
  probation = await agency(hub, 'County Probation');
  clinicId = (await hub.organization({ name: 'Riverside Recovery', kind: 'sud_treatment', part2Program: true, adapter: { type: 'portal' } })).id;
});
afterAll(async () => hub?.stop());

/**
 * An access decision whose bases are not cached reads the participant and the bases in one
 * statement (store/consents.ts): it must give exactly what the two look-ups give, for bases of
 * every shape, and a decision on it must be the decision on them.
 */
describe('a participant and their bases in one round trip', () => {
  it('gives what the participant look-up and loadBases give, for bases of every shape', async () => {
    const consent = (extra: Record<string, unknown>) =>
      hub.api.request('POST', '/v1/consents', { token: probation.compliance, body: permitConsent(probation.participantId, clinicId, ['identity', 'substance_use'], extra) });
    const ended = await consent({ period: { start: new Date(Date.now() - 30 * DAY).toISOString(), end: new Date(Date.now() + 30 * DAY).toISOString() }, documentRef: 'scan-2291.pdf' });
    const revoked = await consent({});
    const irrevocable = await consent({
      irrevocable: { event: 'the final disposition of case 26-CR-0114', until: new Date(Date.now() + 60 * DAY).toISOString() },
      provision: { type: 'permit', actors: [{ role: 'source', organizationId: clinicId }, { role: 'recipient', organizationId: probation.id }], purposes: ['court_reporting'], categories: ['substance_use'] },
    });
    for (const created of [ended, revoked, irrevocable]) expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await hub.api.request('POST', `/v1/consents/${revoked.body.id}/revoke`, { token: probation.compliance, body: { reason: 'withdrawn' } })).status).toBe(200);

    const sql = hub.running.hub.sql;
    const together = await getParticipantRefWithBases(sql, probation.participantId, probation.id);
    expect(together?.ref).toEqual(await getParticipantRef(sql, probation.participantId, probation.id));
    expect(together?.bases).toEqual(await loadBases(sql, probation.participantId));
    expect(together?.bases.map((b) => b.status).sort()).toEqual(['active', 'active', 'revoked']);
    // Another organisation's participant is not found, as through the scope.
    expect(await getParticipantRefWithBases(sql, probation.participantId, clinicId)).toBeUndefined();
  });

  it('answers the access decision the same whether the bases were cached or not', async () => {
    const ask = () => hub.api.request('GET', `/v1/participants/${probation.participantId}/access?recipient=${clinicId}&purpose=treatment`, { token: probation.compliance });
    hub.running.hub.bases.invalidate();
    const uncached = await ask();
    expect(hub.running.hub.bases.peek(probation.participantId), 'the look-up primed the cache').toBeDefined();
    const cached = await ask();
    expect(uncached.status).toBe(200);
    expect(cached.body).toEqual(uncached.body);
    expect(uncached.body.permitted).toContain('identity');
    expectProblem(await hub.api.request('GET', `/v1/participants/${newId('par')}/access?recipient=${clinicId}&purpose=treatment`, { token: probation.compliance }), 404);
  });

  it('brings a partner read its bases: the same view whether cached or not, and a revocation honoured on the next read', async () => {
    const from = await agency(hub, 'District Parole');
    const shelter = await portalPartner(hub, 'Harbor Shelter');
    const id = await deliveredReferral(hub, from, shelter);
    const read = () => hub.api.request('GET', `/v1/referrals/${id}`, { token: shelter.token });
    const bases = hub.running.hub.bases;

    bases.invalidate();
    const uncached = await read();
    expect(uncached.status).toBe(200);
    expect(bases.peek(from.participantId), 'the read primed the cache with the bases it brought').toEqual(await loadBases(hub.running.hub.sql, from.participantId));
    const cached = await read();
    expect(cached.body.caseFile).toEqual(uncached.body.caseFile);
    expect(uncached.body.caseFile.housing, 'the consent permits housing').toBeDefined();

    const [consent] = (await hub.api.request('GET', `/v1/consents?participantId=${from.participantId}`, { token: from.compliance })).body.items;
    expect((await hub.api.request('POST', `/v1/consents/${consent.id}/revoke`, { token: from.compliance, body: { reason: 'withdrawn' } })).status).toBe(200);
    const after = await read();
    expect(after.status).toBe(200);
    expect(after.body.caseFile?.identity, 'nothing is shown once the only consent is revoked').toBeUndefined();
    expect(after.body.caseFile?.housing).toBeUndefined();
  });
});
