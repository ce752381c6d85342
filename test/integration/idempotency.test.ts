import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub.js';
import { agency, expectProblem, portalPartner, referralInput, rowCounts, type Agency } from '../support/scenario.js';

describe('Idempotency-Key on sending a referral', () => {
  let hub: TestHub;
  let probation: Agency;
  let partner: { id: string; token: string };

  beforeAll(async () => {
    hub = await startTestHub();
    probation = await agency(hub, 'County Probation');
    partner = await portalPartner(hub, 'Eastside Housing');
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const send = (key: string, body: unknown, token = probation.planner) =>
    hub.api.request('POST', '/v1/referrals', { token, body, headers: { 'idempotency-key': key } });
  /** The referrals the agency sees with this reason (reasons are encrypted at rest, so ask the API). */
  const referralsWithReason = async (reason: string): Promise<string[]> => {
    const listed = await hub.api.request('GET', `/v1/referrals?participantId=${probation.participantId}&limit=200`, { token: probation.planner });
    return listed.body.items.filter((r: any) => r.reason === reason).map((r: any) => r.id);
  };

  it('answers a retried request with the first answer, and sends one referral', async () => {
    const body = referralInput(probation.participantId, partner.id, { reason: 'retried after a timeout' });
    const first = await send('retry-1', body);
    expect(first.status).toBe(201);
    const before = await rowCounts(hub);
    const second = await send('retry-1', body);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await rowCounts(hub)).toEqual(before);
    expect(await referralsWithReason('retried after a timeout')).toEqual([first.body.id]);
  });

  it('treats a retry whose fields come in another order as the same request', async () => {
    const body = referralInput(probation.participantId, partner.id, { reason: 'fields reordered' });
    const first = await send('retry-order', body);
    expect(first.status).toBe(201);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await send('retry-order', reordered);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
  });

  it('refuses the same key with another body (422), writing nothing', async () => {
    const first = await send('retry-2', referralInput(probation.participantId, partner.id, { reason: 'first body' }));
    expect(first.status).toBe(201);
    const before = await rowCounts(hub);
    const other = await send('retry-2', referralInput(probation.participantId, partner.id, { reason: 'another body' }));
    expectProblem(other, 422, 'Idempotency-Key');
    expect(await rowCounts(hub)).toEqual(before);
    expect(await referralsWithReason('another body')).toEqual([]);
  });

  it('keeps keys per client: another client using the same key sends its own referral', async () => {
    const colleague = await hub.client(probation.id, 'planner');
    const body = referralInput(probation.participantId, partner.id, { reason: 'two planners, one key' });
    const mine = await send('shared-key', body);
    const theirs = await send('shared-key', body, colleague);
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect((await referralsWithReason('two planners, one key')).sort()).toEqual([mine.body.id, theirs.body.id].sort());
  });

  it('sends one referral when identical requests with the same key race', async () => {
    const body = referralInput(probation.participantId, partner.id, { reason: 'double-clicked' });
    const responses = await Promise.all(Array.from({ length: 8 }, () => send('race-1', body)));
    const ids = new Set(responses.filter((r) => r.status === 201).map((r) => r.body.id));
    for (const response of responses) expect([201, 409], JSON.stringify(response.body)).toContain(response.status);
    expect(ids.size).toBe(1);
    expect(await referralsWithReason('double-clicked')).toEqual([...ids]);
    expect((await send('race-1', body)).body.id).toBe([...ids][0]);
  });

  it('does not hold a key for a request that failed', async () => {
    const stranger = referralInput('par_AAAAAAAAAAAAAAAAAAAAAA', partner.id, { reason: 'not yet enrolled' });
    expectProblem(await send('after-failure', stranger), 404, 'participantId');
    const fixed = await send('after-failure', referralInput(probation.participantId, partner.id, { reason: 'not yet enrolled' }));
    expect(fixed.status).toBe(201);
  });

  it('refuses an empty or oversized key as a bad header', async () => {
    const before = await rowCounts(hub);
    const body = referralInput(probation.participantId, partner.id, { reason: 'bad keys' });
    expectProblem(await send('k'.repeat(256), body), 400, 'idempotency-key');
    expectProblem(await send('', body), 400, 'idempotency-key');
    expect(await rowCounts(hub)).toEqual(before);
  });
});
