import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateClientKey } from '../../dev/keys.js';
import { signAssertion, startTestHub, type ApiResponse, type TestHub } from '../support/hub.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

function tokenRequest(hub: TestHub, assertion: string) {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion }).toString();
  return hub.api.request('POST', '/oauth/token', { raw: body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

/** Setup calls on a rate-limited hub: wait out a 429 rather than fail. */
async function patiently(call: () => Promise<ApiResponse>) {
  for (;;) {
    const response = await call();
    if (response.status !== 429) return response;
    await new Promise((resolve) => setTimeout(resolve, 1100));
  }
}

/** Registers a client; `jwks` inline or a `jwksUri`. */
async function register(hub: TestHub, organizationId: string, keys: { jwks: unknown } | { jwksUri: string }) {
  const created = await patiently(() => hub.api.request('POST', '/v1/clients', { token: hub.adminToken, body: { organizationId, role: 'planner', ...keys } }));
  if (created.status !== 201) throw new Error(`client: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.clientId as string;
}

/** The one-second windows a burst spread over: the limit is counted per window. */
async function timedBurst(requests: (() => Promise<ApiResponse>)[]) {
  const started = Date.now();
  const answers = await Promise.all(requests.map((request) => request()));
  return { answers, windows: Math.floor(Date.now() / 1000) - Math.floor(started / 1000) + 1 };
}

function expectSlowDown(response: ApiResponse) {
  expect(response.status).toBe(429);
  expect(response.headers.get('content-type')).toContain('application/json');
  expect(response.body).toEqual({ error: 'slow_down', error_description: expect.stringMatching(/per second/) });
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(response.headers.get('cache-control')).toBe('no-store');
}

describe('rate limits on the token endpoint (HUB_RATE_LIMIT_RPS=2: 2 per client, 20 per address)', () => {
  let hub: TestHub;
  let busy: { clientId: string; privateJwk: JWK };
  let quiet: { clientId: string; privateJwk: JWK };
  let target: { clientId: string; privateJwk: JWK };

  beforeAll(async () => {
    hub = await startTestHub({ HUB_RATE_LIMIT_RPS: '2' });
    const orgId = (await patiently(() => hub.api.request('POST', '/v1/organizations', { token: hub.adminToken, body: { name: 'County Probation', kind: 'probation', adapter: { type: 'portal' } } }))).body.id;
    const client = async () => {
      const key = await generateClientKey('ES256');
      return { clientId: await register(hub, orgId, { jwks: key.publicJwks }), privateJwk: key.privateJwk };
    };
    busy = await client();
    quiet = await client();
    target = await client();
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const rows = async (clientId: string) => {
    const [row] = await hub.db.sql<{ assertions: string; audits: string }[]>`SELECT
      (SELECT count(*) FROM used_assertions WHERE client_id = ${clientId}) AS assertions,
      (SELECT count(*) FROM audit_log WHERE actor = ${clientId} AND action = 'token.issued') AS audits`;
    return { assertions: Number(row!.assertions), audits: Number(row!.audits) };
  };

  it('answers a burst of valid assertions from one client with 429 slow_down and Retry-After, recording nothing for them, and lets other clients through', async () => {
    const before = await rows(busy.clientId);
    const assertions = await Promise.all(Array.from({ length: 12 }, () => signAssertion(busy.clientId, busy.privateJwk)));
    const other = await signAssertion(quiet.clientId, quiet.privateJwk);
    const { answers, windows } = await timedBurst([...assertions.map((a) => () => tokenRequest(hub, a)), () => tokenRequest(hub, other)]);
    const mine = answers.slice(0, -1);
    const issued = mine.filter((r) => r.status === 200);
    const limited = mine.filter((r) => r.status === 429);
    expect(issued.length + limited.length, JSON.stringify(mine.map((r) => r.body))).toBe(mine.length);
    expect(issued.length).toBeLessThanOrEqual(2 * windows);
    expect(limited.length).toBeGreaterThanOrEqual(12 - 2 * windows);
    for (const response of limited) expectSlowDown(response);
    // A limited request never reached the assertion check: no used-assertion row, no audit row.
    expect(await rows(busy.clientId)).toEqual({ assertions: before.assertions + issued.length, audits: before.audits + issued.length });
    // Another client from the same address is under its own limit.
    expect(answers.at(-1)!.status, JSON.stringify(answers.at(-1)!.body)).toBe(200);

    // Retry-After is honest: after it, the client gets a token again.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await tokenRequest(hub, await signAssertion(busy.clientId, busy.privateJwk))).status).toBe(200);
  });

  it('limits badly signed assertions naming a real client the same way', async () => {
    const forger = await generateClientKey('ES256');
    const forged = await Promise.all(Array.from({ length: 12 }, () => signAssertion(target.clientId, { ...forger.privateJwk, kid: target.privateJwk.kid })));
    const { answers, windows } = await timedBurst(forged.map((a) => () => tokenRequest(hub, a)));
    const refused = answers.filter((r) => r.status === 401);
    const limited = answers.filter((r) => r.status === 429);
    expect(refused.length + limited.length).toBe(answers.length);
    expect(refused.length).toBeLessThanOrEqual(2 * windows);
    expect(limited.length).toBeGreaterThan(0);
    for (const response of limited) expectSlowDown(response);
  });

  it('limits one source address however many client ids it names', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const stranger = await generateClientKey('ES256');
    const assertions = await Promise.all(Array.from({ length: 80 }, () => signAssertion(`cli_${randomUUID().replace(/-/g, '').slice(0, 22)}`, stranger.privateJwk)));
    const { answers, windows } = await timedBurst(assertions.map((a) => () => tokenRequest(hub, a)));
    const refused = answers.filter((r) => r.status === 401);
    const limited = answers.filter((r) => r.status === 429);
    expect(refused.length + limited.length).toBe(answers.length);
    expect(refused.length).toBeLessThanOrEqual(20 * windows);
    expect(limited.length).toBeGreaterThan(0);
    for (const response of limited) expectSlowDown(response);
    expect(limited[0]!.body.error_description).toMatch(/address/);
  });
});

describe('JWKS of clients registered by URL: fetched once, not per token request', () => {
  let hub: TestHub;
  let server: http.Server;
  const hits: string[] = [];
  let key: Awaited<ReturnType<typeof generateClientKey>>;
  let clientId: string;

  beforeAll(async () => {
    key = await generateClientKey('ES256');
    server = http.createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(key.publicJwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hub = await startTestHub();
    const orgId = (await hub.organization({ name: 'County Probation', kind: 'probation', adapter: { type: 'portal' } })).id;
    clientId = await register(hub, orgId, { jwksUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json` });
  });
  afterAll(async () => {
    await hub?.stop();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('serves concurrent and later token requests from one fetch, and lets no unknown kid or bad signature force another', async () => {
    const concurrent = await Promise.all(
      (await Promise.all(Array.from({ length: 10 }, () => signAssertion(clientId, key.privateJwk)))).map((a) => tokenRequest(hub, a)),
    );
    for (const response of concurrent) expect(response.status, JSON.stringify(response.body)).toBe(200);
    for (let i = 0; i < 10; i++) expect((await tokenRequest(hub, await signAssertion(clientId, key.privateJwk))).status).toBe(200);

    const stranger = await generateClientKey('ES256');
    for (const kid of ['rotated-or-made-up', key.privateJwk.kid!]) {
      for (let i = 0; i < 10; i++) {
        const response = await tokenRequest(hub, await signAssertion(clientId, { ...stranger.privateJwk, kid }));
        expect(response.status).toBe(401);
        expect(response.body.error).toBe('invalid_client');
      }
    }
    expect(hits).toEqual(['GET /jwks.json']);
  });
});
