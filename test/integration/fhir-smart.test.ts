import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { CLIENT_ASSERTION_TYPE, closeFhirAgents, createFhirAdapter } from '../../adapters/fhir/index.js';
import { generateClientKey } from '../../dev/keys.js';
import { planningAgency, plannerView, sleep, statusBecomes, timeline, type Agency } from '../support/delivery.js';
import { consentedReferral, fhirPartner, partnerUpdatesTask, tasksFor } from '../support/fhir.js';
import { STAFF_TOKEN, startFhirServer, type FhirTestServer } from '../support/fhir-server.js';
import { marker } from '../support/fixtures.js';
import { startTestHub, type TestHub } from '../support/hub.js';

/**
 * SMART Backend Services to a FHIR partner: the hub signs a client assertion with its own key,
 * trades it at the partner's token endpoint (a tiny node:http server here that verifies the
 * assertion with jose against the hub's published JWKS), and the partner's FHIR server (real
 * Medplum) accepts only the tokens that endpoint issued.
 */

interface TokenServer {
  url: string;
  /** Successful and refused requests, in order. */
  hits: { path: string; ok: boolean; claims?: JWTPayload; kid?: string; form: Record<string, string> }[];
  issued: Set<string>;
  /** What `expires_in` the next tokens carry. */
  expiresIn: number;
  /** Tokens the FHIR server accepts: issued and not revoked. */
  accepts(token: string): boolean;
  revokeAll(): void;
  close(): Promise<void>;
}

/**
 * `/token` verifies against `hubJwks` (what the partner registered from the hub's
 * /.well-known/jwks.json); `/token-wrong-key` against another key (a partner that registered the
 * wrong JWKS), so every assertion there is refused.
 */
async function startTokenServer(hubJwks: JSONWebKeySet): Promise<TokenServer> {
  const other = await generateClientKey('ES256');
  const keySets: Record<string, ReturnType<typeof createLocalJWKSet>> = {
    '/token': createLocalJWKSet(hubJwks),
    '/token-wrong-key': createLocalJWKSet(other.publicJwks as JSONWebKeySet),
  };
  const seenJti = new Set<string>();
  const revoked = new Set<string>();
  const server: TokenServer = {
    url: '',
    hits: [],
    issued: new Set(),
    expiresIn: 3600,
    accepts: (token) => server.issued.has(token) && !revoked.has(token),
    revokeAll: () => server.issued.forEach((t) => revoked.add(t)),
    close: async () => new Promise<void>((resolve) => listener.close(() => resolve())),
  };
  const listener = httpServer(async (path, form) => {
    const hit: TokenServer['hits'][number] = { path, ok: false, form };
    server.hits.push(hit);
    const refuse = (description: string) => ({ status: 401, body: { error: 'invalid_client', error_description: description } });
    const keys = keySets[path];
    if (!keys) return { status: 404, body: { error: 'not_found' } };
    if (form.grant_type !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type' } };
    if (form.client_assertion_type !== CLIENT_ASSERTION_TYPE || !form.client_assertion) return refuse('client assertion missing');
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(form.client_assertion, keys, { audience: `${server.url}${path}` }));
    } catch {
      return refuse('client assertion signature or claims invalid');
    }
    hit.claims = claims;
    hit.kid = decodeProtectedHeader(form.client_assertion).kid;
    const now = Math.floor(Date.now() / 1000);
    if (!claims.iss || claims.iss !== claims.sub) return refuse('iss must equal sub');
    if (!claims.exp || claims.exp > now + 300) return refuse('exp more than five minutes ahead');
    if (!claims.jti || seenJti.has(claims.jti)) return refuse('jti reused');
    seenJti.add(claims.jti);
    const token = `at_${randomBytes(12).toString('hex')}`;
    server.issued.add(token);
    hit.ok = true;
    return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: server.expiresIn, scope: form.scope } };
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  server.url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  return server;
}

function httpServer(handle: (path: string, form: Record<string, string>) => Promise<{ status: number; body: unknown }>) {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      handle(req.url ?? '/', form)
        .then(({ status, body }) => res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body)))
        .catch(() => res.writeHead(500).end());
    });
  });
}

describe('SMART Backend Services authentication to a FHIR partner', () => {
  let hub: TestHub;
  let agency: Agency;
  let tokens: TokenServer;
  let fhir: FhirTestServer;

  beforeAll(async () => {
    hub = await startTestHub();
    agency = await planningAgency(hub);
    // The partner registers the hub's public keys, as published.
    const jwks = await hub.api.request('GET', '/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    tokens = await startTokenServer(jwks.body);
    fhir = await startFhirServer({ requireBearer: (t) => tokens.accepts(t) });
  });
  afterAll(async () => {
    await hub?.stop();
    await closeFhirAgents();
    await fhir?.close();
    await tokens?.close();
  });

  const smartAuth = (clientId: string, path = '/token') => ({ type: 'smart', tokenUrl: `${tokens.url}${path}`, clientId, scope: 'system/Task.crus system/ServiceRequest.crus system/Patient.crs' });
  const hitsOf = (clientId: string) => tokens.hits.filter((h) => h.form.client_assertion && decodeClientId(h.form.client_assertion) === clientId);
  const hubRequests = () => fhir.requests.filter((r) => r.headers.authorization !== `Bearer ${STAFF_TOKEN}`);

  it('delivers and polls with one token from the partner’s token endpoint, reused for every call', async () => {
    const partner = await fhirPartner(hub, fhir, { name: 'Smart Clinic', pollIntervalSeconds: 1, auth: smartAuth('hub-smart-1') });
    const shown = await hub.api.request('GET', `/v1/organizations/${partner.id}`, { token: hub.adminToken });
    expect(shown.body.adapter.auth).toEqual(smartAuth('hub-smart-1'));

    const first = await consentedReferral(hub, agency, partner.id, ['identity']);
    const second = await consentedReferral(hub, agency, partner.id, ['identity']);
    await statusBecomes(hub, agency, first.id, 'delivered');
    await statusBecomes(hub, agency, second.id, 'delivered');
    expect(await tasksFor(fhir, first.id)).toHaveLength(1);
    await partnerUpdatesTask(fhir, first.id, { status: 'accepted' });
    await statusBecomes(hub, agency, first.id, 'accepted', 5_000);
    await sleep(1_200); // a further poll or two

    const hits = hitsOf('hub-smart-1');
    expect(hits, 'one token for two deliveries and several polls').toHaveLength(1);
    const [hit] = hits;
    expect(hit!.ok).toBe(true);
    expect(hit!.form.scope).toBe(smartAuth('hub-smart-1').scope);
    expect(hit!.kid).toBe(hub.running.hub.signingKeys.signer.kid);
    expect(hit!.claims).toMatchObject({ iss: 'hub-smart-1', sub: 'hub-smart-1', aud: `${tokens.url}/token` });
    expect(hit!.claims!.exp! - hit!.claims!.iat!).toBeLessThanOrEqual(300);

    const token = [...tokens.issued].find((t) => hubRequests().some((r) => r.headers.authorization === `Bearer ${t}`));
    expect(token).toBeDefined();
    expect(hubRequests().filter((r) => r.status === 401)).toEqual([]);
    expect(hubRequests().length).toBeGreaterThanOrEqual(4); // 2 transactions + polls
  });

  it('fetches a new token when the FHIR server answers 401 to the cached one, and retries the call once', async () => {
    const partner = await fhirPartner(hub, fhir, { name: 'Revoking Clinic', pollIntervalSeconds: 1, auth: smartAuth('hub-smart-2') });
    const referral = await consentedReferral(hub, agency, partner.id, ['identity']);
    await statusBecomes(hub, agency, referral.id, 'delivered');
    expect(hitsOf('hub-smart-2')).toHaveLength(1);

    // The partner revokes every token it issued (or its clock ran ahead): the next calls get 401.
    const unauthorizedBefore = fhir.requests.filter((r) => r.status === 401).length;
    tokens.revokeAll();
    await partnerUpdatesTask(fhir, referral.id, { status: 'in-progress' });
    await statusBecomes(hub, agency, referral.id, 'in_progress', 5_000);
    expect(fhir.requests.filter((r) => r.status === 401).length).toBeGreaterThan(unauthorizedBefore);
    await sleep(1_200);
    expect(hitsOf('hub-smart-2').filter((h) => h.ok), 'one new token, then reused').toHaveLength(2);
    expect((await timeline(hub, agency, referral.id)).map((e) => e.type)).toEqual(['created', 'delivered', 'accepted', 'in_progress']);
  });

  it('fetches a new token shortly before the cached one expires, and only one for concurrent calls', async () => {
    const signingKey = hub.running.hub.signingKeys.signer;
    const auth = { type: 'smart' as const, tokenUrl: `${tokens.url}/token`, clientId: 'hub-smart-3' };
    const adapter = () => createFhirAdapter({ type: 'fhir', baseUrl: fhir.baseUrl, auth }, { allowPrivate: true, timeoutMs: 2_000, signingKey });
    tokens.expiresIn = 31; // kept until 30 s before: about one second
    try {
      const polls = await Promise.all([adapter().fetchStatusChanges!(undefined), adapter().fetchStatusChanges!(undefined)]);
      expect(polls.map((p) => p.outcome)).toEqual(['ok', 'ok']);
      expect(await adapter().fetchStatusChanges!(undefined)).toMatchObject({ outcome: 'ok' });
      expect(hitsOf('hub-smart-3')).toHaveLength(1);
      expect(hitsOf('hub-smart-3')[0]!.form.scope, 'the default scope').toBe('system/Patient.crs system/ServiceRequest.crus system/Task.crus');
      await sleep(1_100);
      expect(await adapter().fetchStatusChanges!(undefined)).toMatchObject({ outcome: 'ok' });
      expect(hitsOf('hub-smart-3')).toHaveLength(2);
      const jtis = hitsOf('hub-smart-3').map((h) => h.claims!.jti);
      expect(new Set(jtis).size).toBe(2);
    } finally {
      tokens.expiresIn = 3600;
    }
  });

  it('fails the delivery at once with the token endpoint’s refusal, and no case data, when the assertion is refused', async () => {
    const partner = await fhirPartner(hub, fhir, { name: 'Wrong Key Clinic', pollIntervalSeconds: 60, auth: smartAuth('hub-smart-4', '/token-wrong-key') });
    const referral = await consentedReferral(hub, agency, partner.id, ['identity', 'contact', 'housing']);
    const failed = await statusBecomes(hub, agency, referral.id, 'delivery_failed');
    expect(failed.lastError).toBe('token endpoint: HTTP 401: invalid_client (client assertion signature or claims invalid)');
    const entries = await timeline(hub, agency, referral.id);
    expect(entries.map((e) => e.type)).toEqual(['created', 'delivery_failed']);
    expect(entries[1]!.reason).toBe(`after 1 attempt(s): ${failed.lastError}`);
    for (const text of [failed.lastError!, entries[1]!.reason!]) {
      for (const leak of ['Jordan', 'Rivera', 'Needs an intake assessment', marker('identity'), marker('contact'), marker('housing')]) expect(text).not.toContain(leak);
    }
    expect(await tasksFor(fhir, referral.id)).toEqual([]);
    expect(hitsOf('hub-smart-4').length).toBeGreaterThanOrEqual(1);
    expect(hitsOf('hub-smart-4').every((h) => !h.ok)).toBe(true);
    expect((await plannerView(hub, agency, referral.id)).status).toBe('delivery_failed');
  });
});

function decodeClientId(assertion: string): string | undefined {
  try {
    return (JSON.parse(Buffer.from(assertion.split('.')[1]!, 'base64url').toString('utf8')) as { iss?: string }).iss;
  } catch {
    return undefined;
  }
}
