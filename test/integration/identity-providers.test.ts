import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dev/proc.js';
import { PUBLIC_URL, startTestHub, type TestHub } from '../support/hub.js';
import { startIdentityProvider, type TestIdentityProvider } from '../support/oidc-provider.js';

/** The admin's side of an organisation's identity provider: validation, secrecy, audit. */

let hub: TestHub;
let idp: TestIdentityProvider;
let eastside: string;
let probation: string;

const path = (orgId: string) => `/v1/organizations/${orgId}/identity-provider`;
const put = (orgId: string, body: unknown, token = hub.adminToken) => hub.api.request('PUT', path(orgId), { token, body });
const fieldsOf = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path).sort();

/** A password sign-in as the console's form makes it (CSRF cookie and token included); the session cookie. */
async function consoleSession(email: string, password: string): Promise<string> {
  const form = await fetch(`${hub.running.url}/console/sign-in`);
  const csrfCookie = /hub_sign_in_csrf=[^;]+/.exec(form.headers.get('set-cookie') ?? '')![0];
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const signedIn = await fetch(`${hub.running.url}/console/sign-in`, {
    method: 'POST', redirect: 'manual', headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, email, password }),
  });
  return /hub_session=[^;]+/.exec(signedIn.headers.get('set-cookie') ?? '')![0];
}
const consoleHome = async (cookie: string) => (await fetch(`${hub.running.url}/console/`, { headers: { cookie }, redirect: 'manual' })).status;

async function audit(action: string, subject: string) {
  return hub.db.sql<{ actor: string; detail: Record<string, unknown> }[]>`SELECT actor, detail FROM audit_log WHERE action = ${action} AND subject = ${subject} ORDER BY seq`;
}

beforeAll(async () => {
  idp = await startIdentityProvider({ redirectUri: `${PUBLIC_URL}/console/sign-in/oidc/callback` });
  hub = await startTestHub();
  eastside = (await hub.organization({ name: 'Eastside Housing', kind: 'housing', adapter: { type: 'portal' } })).id;
  probation = (await hub.organization({ name: 'County Probation', kind: 'probation', adapter: { type: 'portal' } })).id;
});
afterAll(async () => {
  await hub?.stop();
  await idp?.stop();
});

describe('an organisation’s identity provider, through the admin API', () => {
  it('refuses bad input with problem+json naming each field', async () => {
    const bad = await put(eastside, { issuer: 'not a url', clientId: '', matchBy: 'name', emailDomain: 'no domain' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(fieldsOf(bad.body)).toEqual(['clientId', 'emailDomain', 'issuer', 'matchBy']);

    const unknownField = await put(eastside, { issuer: idp.issuer, clientId: idp.clientId, clientSecret: 'x', matchBy: 'email', role: 'admin' });
    expect(unknownField.status).toBe(400);

    const noSecret = await put(eastside, { issuer: idp.issuer, clientId: idp.clientId, matchBy: 'email' });
    expect(noSecret.status).toBe(400);
    expect(noSecret.body.errors).toEqual([{ path: 'clientSecret', message: 'required when the identity provider is first set' }]);
  });

  it('refuses an issuer it cannot discover, naming the issuer, and saves nothing', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const refused = await put(eastside, { issuer: nobody, clientId: 'hub', clientSecret: 'secret', matchBy: 'sub' });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ path: 'issuer', message: expect.stringMatching(/^discovery failed: the provider could not be reached \(ECONNREFUSED\)/) }]);
    // The discovery document must name the issuer it was fetched for (a look-alike path is not the provider).
    const wrong = await put(eastside, { issuer: `${idp.issuer}/other`, clientId: 'hub', clientSecret: 'secret', matchBy: 'sub' });
    expect(wrong.status).toBe(400);
    expect(fieldsOf(wrong.body)).toEqual(['issuer']);
    expect((await hub.api.request('GET', path(eastside), { token: hub.adminToken })).status).toBe(404);
  });

  it('sets, shows and replaces the provider without ever showing the client secret, and audits each change', async () => {
    const created = await put(eastside, { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, matchBy: 'email', emailDomain: 'Eastside.Example' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toEqual({
      organizationId: eastside, issuer: idp.issuer, clientId: idp.clientId, matchBy: 'email', emailDomain: 'eastside.example',
      redirectUri: `${PUBLIC_URL}/console/sign-in/oidc/callback`, signInUrl: `${PUBLIC_URL}/console/sign-in/oidc/${eastside}`,
      createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    const shown = await hub.api.request('GET', path(eastside), { token: hub.adminToken });
    expect(shown.status).toBe(200);
    expect(JSON.stringify(shown.body)).not.toContain(idp.clientSecret);
    // At rest the secret is a JWE under the data keys, not the secret.
    const [stored] = await hub.db.sql<{ client_secret_jwe: string }[]>`SELECT client_secret_jwe FROM identity_providers WHERE organization_id = ${eastside}`;
    expect(stored!.client_secret_jwe).not.toContain(idp.clientSecret);
    expect(stored!.client_secret_jwe.split('.')).toHaveLength(5);

    // Same client, no secret: the stored one is kept (and still works: discovery ran with it).
    const replaced = await put(eastside, { issuer: idp.issuer, clientId: idp.clientId, matchBy: 'sub' });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ matchBy: 'sub', emailDomain: null });
    const another = await put(eastside, { issuer: idp.issuer, clientId: 'another-client', matchBy: 'sub' });
    expect(another.body.errors).toEqual([{ path: 'clientSecret', message: 'required when clientId changes' }]);
    // Nor is the stored secret sent to another issuer: it would reach that issuer's token endpoint.
    const elsewhere = await put(eastside, { issuer: 'https://idp.elsewhere.example', clientId: idp.clientId, matchBy: 'sub' });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.errors).toEqual([{ path: 'clientSecret', message: 'required when the issuer changes' }]);

    const entries = [...(await audit('identity_provider.created', eastside)), ...(await audit('identity_provider.updated', eastside))];
    expect(entries).toEqual([
      { actor: 'hub-admin', detail: { issuer: idp.issuer, clientId: idp.clientId, matchBy: 'email', emailDomain: 'eastside.example', secretReplaced: true } },
      { actor: 'hub-admin', detail: { issuer: idp.issuer, clientId: idp.clientId, matchBy: 'sub', emailDomain: null, secretReplaced: false } },
    ]);
    expect(JSON.stringify(await hub.db.sql`SELECT detail FROM audit_log`)).not.toContain(idp.clientSecret);
  });

  it('gives a mail domain to one organisation only', async () => {
    await put(eastside, { issuer: idp.issuer, clientId: idp.clientId, matchBy: 'email', emailDomain: 'eastside.example' });
    const taken = await put(probation, { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, matchBy: 'email', emailDomain: 'EASTSIDE.example' });
    expect(taken.status).toBe(409);
    expect(taken.body.errors).toEqual([{ path: 'emailDomain', message: 'already used by another organisation' }]);
  });

  it('lets only an admin see or change it, and 404s an unknown organisation', async () => {
    const partnerToken = await hub.client(eastside, 'partner');
    expect((await put(eastside, { issuer: idp.issuer, clientId: 'x', clientSecret: 'y', matchBy: 'sub' }, partnerToken)).status).toBe(403);
    expect((await hub.api.request('GET', path(eastside), { token: partnerToken })).status).toBe(403);
    expect((await hub.api.request('DELETE', path(eastside), { token: partnerToken })).status).toBe(403);
    expect((await hub.api.request('GET', path(`org_${'u'.repeat(22)}`), { token: hub.adminToken })).status).toBe(404);
  });

  it('removes it, audited, after which it is not found', async () => {
    const removed = await hub.api.request('DELETE', path(eastside), { token: hub.adminToken });
    expect(removed.status).toBe(204);
    expect((await hub.api.request('GET', path(eastside), { token: hub.adminToken })).status).toBe(404);
    expect((await hub.api.request('DELETE', path(eastside), { token: hub.adminToken })).status).toBe(404);
    expect(await audit('identity_provider.deleted', eastside)).toEqual([{ actor: 'hub-admin', detail: {} }]);
  });
});

describe('staff accounts matched by subject', () => {
  it('keeps a subject unique within an organisation only, and disabling an account ends its sessions', async () => {
    const base = { role: 'partner', password: 'correct horse battery staple' };
    const first = await hub.api.request('POST', '/v1/staff', { token: hub.adminToken, body: { ...base, organizationId: eastside, name: 'Ana', email: 'ana@eastside.example', oidcSubject: 'u-1001' } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ oidcSubject: 'u-1001', disabled: false });
    const twin = await hub.api.request('POST', '/v1/staff', { token: hub.adminToken, body: { ...base, organizationId: eastside, name: 'Bo', email: 'bo@eastside.example', oidcSubject: 'u-1001' } });
    expect(twin.status).toBe(409);
    expect(twin.body.errors).toEqual([{ path: 'oidcSubject', message: 'already in use' }]);
    // Another organisation's provider may hand out the same subject to someone else.
    const elsewhere = await hub.api.request('POST', '/v1/staff', { token: hub.adminToken, body: { ...base, role: 'planner', organizationId: probation, name: 'Cy', email: 'cy@probation.example', oidcSubject: 'u-1001' } });
    expect(elsewhere.status).toBe(201);

    const empty = await hub.api.request('PATCH', `/v1/staff/${first.body.id}`, { token: hub.adminToken, body: {} });
    expect(empty.status).toBe(400);
    const badSubject = await hub.api.request('PATCH', `/v1/staff/${first.body.id}`, { token: hub.adminToken, body: { oidcSubject: 'has spaces' } });
    expect(fieldsOf(badSubject.body)).toEqual(['oidcSubject']);

    const session = await consoleSession('ana@eastside.example', base.password);
    expect(await consoleHome(session)).not.toBe(303);
    const disabled = await hub.api.request('PATCH', `/v1/staff/${first.body.id}`, { token: hub.adminToken, body: { disabled: true, oidcSubject: null } });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ disabled: true, oidcSubject: null });
    expect(await consoleHome(session)).toBe(303);
    expect(await consoleSession('ana@eastside.example', base.password).catch(() => 'no session')).toBe('no session');
    expect(await audit('staff.updated', first.body.id)).toEqual([{ actor: 'hub-admin', detail: { fields: ['oidcSubject', 'disabled'], disabled: true, sessionsRevoked: 1 } }]);
  });
});

describe('on a hub that keeps to public targets', () => {
  it('refuses a plain-http issuer and one on a private address, naming the issuer', async () => {
    const strict = await startTestHub({ HUB_ALLOW_PRIVATE_TARGETS: 'false' });
    try {
      const org = (await strict.organization({ name: 'Eastside Housing', kind: 'housing', adapter: { type: 'portal' } })).id;
      const body = { clientId: 'hub', clientSecret: 'secret', matchBy: 'sub' };
      const plain = await strict.api.request('PUT', path(org), { token: strict.adminToken, body: { ...body, issuer: 'http://login.eastside.example' } });
      expect(plain.status).toBe(400);
      expect(plain.body.errors).toEqual([{ path: 'issuer', message: 'must be an https URL' }]);
      const internal = await strict.api.request('PUT', path(org), { token: strict.adminToken, body: { ...body, issuer: 'https://169.254.169.254' } });
      expect(internal.status).toBe(400);
      expect(internal.body.errors).toEqual([{ path: 'issuer', message: expect.stringContaining('link-local') }]);
    } finally {
      await strict.stop();
    }
  });
});
