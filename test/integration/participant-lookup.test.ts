import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub.js';

describe('GET /v1/participants?externalId=', () => {
  let hub: TestHub;
  let probation: { id: string; token: string };
  let other: { id: string; token: string };
  beforeAll(async () => {
    hub = await startTestHub();
    probation = await hub.organization({ name: 'County Probation', kind: 'probation', adapter: { type: 'portal' } }, 'planner');
    other = await hub.organization({ name: 'Neighbouring Probation', kind: 'probation', adapter: { type: 'portal' } }, 'planner');
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const enrol = async (token: string, externalId: string) => {
    const created = await hub.api.request('POST', '/v1/participants', { token, body: { externalId, name: { given: ['Jordan'], family: 'Rivera' }, birthDate: '1990-04-12' } });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };

  it('finds the planner’s participant by the id its own system gave them, and only its own organisation’s', async () => {
    const mine = await enrol(probation.token, 'CP-2026-0412');
    await enrol(other.token, 'CP-2026-0412');
    const found = await hub.api.request('GET', '/v1/participants?externalId=CP-2026-0412', { token: probation.token });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ items: [{ id: mine, externalId: 'CP-2026-0412', minor: false }], nextCursor: null });
  });

  it('answers an empty list for an id nobody was enrolled under, and does not take a hub id for one', async () => {
    const id = await enrol(probation.token, 'CP-2026-0999');
    expect((await hub.api.request('GET', '/v1/participants?externalId=CP-0000', { token: probation.token })).body.items).toEqual([]);
    expect((await hub.api.request('GET', `/v1/participants?externalId=${id}`, { token: probation.token })).body.items).toEqual([]);
  });

  it('names the missing externalId in a 400, and refuses a partner', async () => {
    const missing = await hub.api.request('GET', '/v1/participants', { token: probation.token });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body.errors)).toContain('externalId');
    const partner = await hub.client(probation.id, 'partner');
    expect((await hub.api.request('GET', '/v1/participants?externalId=CP-2026-0412', { token: partner })).status).toBe(403);
  });
});
