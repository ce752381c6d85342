import { randomUUID } from 'node:crypto';
import { SignJWT, exportSPKI, importJWK, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateClientKey } from '../../dev/keys.js';
import { PUBLIC_URL, signAssertion, startTestHub, type TestHub } from '../support/hub.js';
import { expectProblem, registerClientKey } from '../support/scenario.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const TOKEN_AUDIENCE = `${PUBLIC_URL}/oauth/token`;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('SMART Backend Services authentication', () => {
  let hub: TestHub;
  let orgId: string;
  let client: { clientId: string; privateJwk: JWK };

  beforeAll(async () => {
    hub = await startTestHub();
    orgId = (await hub.organization({ name: 'County Probation', kind: 'probation', adapter: { type: 'portal' } })).id;
    client = await registerClientKey(hub, orgId, 'planner');
  });
  afterAll(async () => {
    await hub?.stop();
  });

  async function tokenRequest(form: Record<string, string>) {
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, ...form }).toString();
    return hub.api.request('POST', '/oauth/token', { raw: body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }
  /** Claims as a well-behaved client would send them; `overrides` replace or (as undefined) drop a claim. */
  function claims(overrides: Record<string, unknown> = {}) {
    const now = Math.floor(Date.now() / 1000);
    const base: Record<string, unknown> = { iss: client.clientId, sub: client.clientId, aud: TOKEN_AUDIENCE, iat: now, exp: now + 240, jti: randomUUID(), ...overrides };
    return Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined));
  }
  async function signed(payload: Record<string, unknown>, key: JWK = client.privateJwk) {
    return new SignJWT(payload).setProtectedHeader({ alg: key.alg!, kid: key.kid! }).sign(await importJWK(key, key.alg));
  }
  function expectOAuthError(response: { status: number; body: any; headers: Headers }, status: number, error: string) {
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.body).toEqual({ error, error_description: expect.any(String) });
    expect(response.headers.get('cache-control')).toBe('no-store');
  }

  it('issues a bearer token for a well-signed assertion', async () => {
    const response = await tokenRequest({ client_assertion: await signed(claims()) });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ access_token: expect.any(String), token_type: 'bearer', expires_in: expect.any(Number), scope: 'hub/planner' });
  });

  it('refuses an unsigned (alg: none) assertion', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`;
    expectOAuthError(await tokenRequest({ client_assertion: unsigned }), 401, 'invalid_client');
  });

  it('refuses an assertion signed by a key the client did not register', async () => {
    const stranger = await generateClientKey('ES256');
    expectOAuthError(await tokenRequest({ client_assertion: await signed(claims(), stranger.privateJwk) }), 401, 'invalid_client');
    // The same stranger key, claiming the registered key's kid.
    const posing = { ...stranger.privateJwk, kid: client.privateJwk.kid };
    expectOAuthError(await tokenRequest({ client_assertion: await signed(claims(), posing) }), 401, 'invalid_client');
  });

  it('refuses HS256 keyed with the client’s public key (algorithm confusion)', async () => {
    const { d: _d, ...publicJwk } = client.privateJwk;
    const pem = await exportSPKI((await importJWK(publicJwk, 'ES256', { extractable: true })) as CryptoKey);
    for (const secret of [pem, JSON.stringify(publicJwk)]) {
      const forged = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: client.privateJwk.kid! }).sign(new TextEncoder().encode(secret));
      expectOAuthError(await tokenRequest({ client_assertion: forged }), 401, 'invalid_client');
    }
  });

  it('refuses an expired assertion', async () => {
    const now = Math.floor(Date.now() / 1000);
    expectOAuthError(await tokenRequest({ client_assertion: await signed(claims({ iat: now - 600, exp: now - 120 })) }), 400, 'invalid_grant');
  });

  it('refuses an assertion that expires more than five minutes ahead', async () => {
    expectOAuthError(await tokenRequest({ client_assertion: await signed(claims({ exp: Math.floor(Date.now() / 1000) + 3600 })) }), 400, 'invalid_grant');
  });

  it('refuses an assertion for another audience', async () => {
    for (const aud of ['https://other-hub.example/oauth/token', PUBLIC_URL]) {
      expectOAuthError(await tokenRequest({ client_assertion: await signed(claims({ aud })) }), 400, 'invalid_grant');
    }
  });

  it('refuses an assertion without a jti, or whose sub is not the client', async () => {
    expectOAuthError(await tokenRequest({ client_assertion: await signed(claims({ jti: undefined })) }), 400, 'invalid_grant');
    expectOAuthError(await tokenRequest({ client_assertion: await signed(claims({ sub: 'someone-else' })) }), 400, 'invalid_grant');
  });

  it('accepts a jti once: the replayed assertion is refused', async () => {
    const assertion = await signed(claims());
    expect((await tokenRequest({ client_assertion: assertion })).status).toBe(200);
    expectOAuthError(await tokenRequest({ client_assertion: assertion }), 400, 'invalid_grant');
  });

  it('refuses an unknown client, and an issuer no client could have', async () => {
    const ghost = await generateClientKey('ES256');
    expectOAuthError(await tokenRequest({ client_assertion: await signAssertion('cli_AAAAAAAAAAAAAAAAAAAAAA', ghost.privateJwk) }), 401, 'invalid_client');
    const response = await tokenRequest({ client_assertion: await signAssertion('cli_\u0000', ghost.privateJwk) });
    expect(response.status).toBeLessThan(500);
    expect(['invalid_request', 'invalid_client']).toContain(response.body.error);
  });

  it('refuses another grant type, a wrong assertion type, a missing or garbled assertion, and another role’s scope', async () => {
    expectOAuthError(await tokenRequest({ grant_type: 'password', client_assertion: await signed(claims()) }), 400, 'unsupported_grant_type');
    expectOAuthError(await tokenRequest({ client_assertion_type: 'urn:example:other', client_assertion: await signed(claims()) }), 400, 'invalid_request');
    expectOAuthError(await tokenRequest({}), 400, 'invalid_request');
    expectOAuthError(await tokenRequest({ client_assertion: 'not.a.jwt' }), 400, 'invalid_request');
    expectOAuthError(await tokenRequest({ client_assertion: await signed(claims()), scope: 'hub/admin' }), 400, 'invalid_scope');
  });

  it('answers a token request that is not form-encoded with an OAuth error', async () => {
    const response = await hub.api.request('POST', '/oauth/token', { body: { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: await signed(claims()) } });
    expectOAuthError(response, 400, 'invalid_request');
  });

  it('publishes its SMART configuration', async () => {
    const response = await hub.api.request('GET', '/.well-known/smart-configuration');
    expect(response.status).toBe(200);
    expect(response.body.token_endpoint).toBe(TOKEN_AUDIENCE);
    expect(response.body.token_endpoint_auth_methods_supported).toEqual(['private_key_jwt']);
    expect(response.body.token_endpoint_auth_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256', 'ES384', 'RS384', 'EdDSA']));
    expect(response.body.scopes_supported).toEqual(expect.arrayContaining(['hub/planner', 'hub/partner', 'hub/compliance', 'hub/admin']));
  });

  it('issues working tokens to clients with RS384, EdDSA and ES384 keys', async () => {
    for (const alg of ['RS384', 'EdDSA', 'ES384'] as const) {
      const keyed = await registerClientKey(hub, orgId, 'planner', alg);
      const token = await hub.api.token(keyed.clientId, keyed.privateJwk);
      const own = await hub.api.request('GET', `/v1/organizations/${orgId}`, { token });
      expect(own.status, alg).toBe(200);
    }
  });

  describe('access tokens', () => {
    const callWith = (authorization?: string) =>
      hub.api.request('GET', `/v1/organizations/${orgId}`, { headers: authorization === undefined ? {} : { authorization } });
    const expectUnauthorized = (response: Awaited<ReturnType<typeof callWith>>) => {
      expectProblem(response, 401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    };
    const hubClaims = (role = 'admin') => ({ org: orgId, role, scope: `hub/${role}` });

    it('require a bearer token on every /v1 call', async () => {
      expectUnauthorized(await callWith());
      expectUnauthorized(await callWith('Basic dXNlcjpwYXNz'));
      expectUnauthorized(await callWith('Bearer'));
    });

    it('refuse a garbage bearer, and a client assertion presented as a token', async () => {
      expectUnauthorized(await callWith('Bearer not-a-token'));
      expectUnauthorized(await callWith(`Bearer ${b64({ alg: 'none', kid: 'x' })}.${b64(hubClaims())}.`));
      expectUnauthorized(await callWith(`Bearer ${await signed(claims())}`));
    });

    it('refuse a token signed by another hub’s key, even under this hub’s kid', async () => {
      const otherHub = await generateClientKey('ES256');
      const hubKid = (await hub.api.request('GET', '/.well-known/jwks.json')).body.keys[0].kid as string;
      for (const kid of [otherHub.privateJwk.kid!, hubKid]) {
        const forged = await new SignJWT(hubClaims())
          .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
          .setIssuer(PUBLIC_URL).setAudience(PUBLIC_URL).setSubject('hub-admin').setIssuedAt().setExpirationTime('5m').setJti(randomUUID())
          .sign(await importJWK(otherHub.privateJwk, 'ES256'));
        expectUnauthorized(await callWith(`Bearer ${forged}`));
      }
    });

    it('refuse an expired token and one for another audience, though this hub signed them', async () => {
      const { signer } = hub.running.hub.signingKeys;
      const now = Math.floor(Date.now() / 1000);
      const sign = (aud: string, exp: number) =>
        new SignJWT(hubClaims('planner'))
          .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'at+jwt' })
          .setIssuer(PUBLIC_URL).setAudience(aud).setSubject(client.clientId).setIssuedAt(now - 600).setExpirationTime(exp).setJti(randomUUID())
          .sign(signer.key);
      expectUnauthorized(await callWith(`Bearer ${await sign(PUBLIC_URL, now - 60)}`));
      expectUnauthorized(await callWith(`Bearer ${await sign('https://elsewhere.example', now + 240)}`));
    });
  });
});
