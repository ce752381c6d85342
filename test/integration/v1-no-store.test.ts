import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type ApiResponse, type TestHub } from '../support/hub.js';

/**
 * Answers under /v1 may carry case data, and even a refusal tells who asked for what: no browser
 * or shared cache may keep any of them, whichever layer of the gateway produced the answer.
 */
describe('Cache-Control: no-store on every /v1 answer', () => {
  let hub: TestHub;
  let orgId: string;
  let planner: string;

  /** Setup on a hub limited to 2 requests per second per client: wait out a 429. */
  async function patiently(call: () => Promise<ApiResponse>) {
    for (;;) {
      const response = await call();
      if (response.status !== 429) return response;
      await new Promise((resolve) => setTimeout(resolve, 1100));
    }
  }

  beforeAll(async () => {
    hub = await startTestHub({ HUB_RATE_LIMIT_RPS: '2', HUB_BODY_LIMIT_BYTES: '4096' });
    const org = await patiently(() =>
      hub.api.request('POST', '/v1/organizations', { token: hub.adminToken, body: { name: 'County Probation', kind: 'probation', adapter: { type: 'portal' } } }),
    );
    orgId = org.body.id;
    planner = await hub.client(orgId, 'planner');
  });
  afterAll(async () => {
    await hub?.stop();
  });

  function expectNoStore(response: ApiResponse, status: number, what: string) {
    expect(response.status, `${what}: ${JSON.stringify(response.body)}`).toBe(status);
    expect(response.headers.get('cache-control'), what).toBe('no-store');
  }

  it('on refusals before any route runs: no token, a bad token, a body over the limit', async () => {
    expectNoStore(await hub.api.request('GET', `/v1/organizations/${orgId}`), 401, 'no token');
    expectNoStore(await hub.api.request('GET', `/v1/organizations/${orgId}`, { token: 'not-a-token' }), 401, 'a bad token');
    expectNoStore(await hub.api.request('GET', '/v1/no-such-route'), 401, 'no token on an unknown route');
    const big = await hub.api.request('POST', '/v1/participants', { token: planner, raw: JSON.stringify({ name: { family: 'x'.repeat(8000) } }) });
    expectNoStore(big, 413, 'a body over the limit');
  });

  it('on answers from the routes: success, bad input, wrong role, unknown id', async () => {
    expectNoStore(await patiently(() => hub.api.request('GET', `/v1/organizations/${orgId}`, { token: planner })), 200, 'success');
    expectNoStore(await patiently(() => hub.api.request('POST', '/v1/participants', { token: planner, body: {} })), 400, 'bad input');
    expectNoStore(await patiently(() => hub.api.request('GET', '/v1/organizations', { token: planner })), 403, 'a role that may not list');
    expectNoStore(await patiently(() => hub.api.request('GET', '/v1/referrals/ref_AAAAAAAAAAAAAAAAAAAAAA', { token: planner })), 404, 'an unknown id');
  });

  it('on a 429 from the rate limit', async () => {
    const burst = await Promise.all(Array.from({ length: 12 }, () => hub.api.request('GET', `/v1/organizations/${orgId}`, { token: planner })));
    const limited = burst.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const response of limited) expectNoStore(response, 429, 'rate limited');
  });
});
