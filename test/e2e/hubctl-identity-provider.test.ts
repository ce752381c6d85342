import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Api, testEnv } from '../support/hub.js';
import { startIdentityProvider, type TestIdentityProvider } from '../support/oidc-provider.js';
import { freePort, REPO_ROOT, spawnHub, type HubProcess } from '../support/process-hub.js';

/** hubctl identity-provider as an operator runs it, against a hub process and a real OpenID provider. */

interface Run { code: number | null; stdout: string; stderr: string }

function hubctl(env: Record<string, string>, ...args: string[]): Promise<Run> {
  const { HUB_URL: _ignored, HUB_IDP_CLIENT_SECRET: _secret, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'bin/hubctl.ts', ...args], { cwd: REPO_ROOT, env: { ...inherited, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

let dir: string;
let db: TestDatabase;
let hub: HubProcess;
let idp: TestIdentityProvider;
let url: string;
let api: Api;
let adminToken: string;
let keyFile: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hubctl-idp-'));
  db = await createTestDatabase({ migrate: false });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  idp = await startIdentityProvider({ redirectUri: `${url}/console/sign-in/oidc/callback` });
  const { env, adminKey } = await testEnv(db, { HUB_PUBLIC_URL: url });
  hub = await spawnHub(env, port);
  api = new Api(hub.url, url);
  adminToken = await api.token('hub-admin', adminKey);
  keyFile = path.join(dir, 'admin.jwk');
  await writeFile(keyFile, JSON.stringify(adminKey), { mode: 0o600 });
});
afterAll(async () => {
  await hub?.kill();
  await db?.drop();
  await idp?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('hubctl identity-provider', () => {
  it('sets, shows and deletes an organisation’s provider, taking the secret from the environment and never printing it', async () => {
    const org = await api.request('POST', '/v1/organizations', { token: adminToken, body: { name: 'Eastside Housing', kind: 'housing', adapter: { type: 'portal' } } });
    const common = ['--key', keyFile, '--url', url];
    const set = await hubctl({ HUB_IDP_CLIENT_SECRET: idp.clientSecret }, 'identity-provider', 'set', org.body.id,
      '--issuer', idp.issuer, '--client-id', idp.clientId, '--match-by', 'email', '--email-domain', 'eastside.example', ...common);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ organizationId: org.body.id, issuer: idp.issuer, redirectUri: `${url}/console/sign-in/oidc/callback` });
    expect(set.stdout).not.toContain(idp.clientSecret);

    const shown = await hubctl({}, 'identity-provider', 'show', org.body.id, ...common);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ matchBy: 'email', emailDomain: 'eastside.example' });

    const removed = await hubctl({}, 'identity-provider', 'delete', org.body.id, ...common);
    expect(removed.code, removed.stderr).toBe(0);
    const gone = await hubctl({}, 'identity-provider', 'show', org.body.id, ...common);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe('hubctl: the hub refused the request (HTTP 404): identity provider not found\n');
  });

  it('names the field the hub refused, in one line', async () => {
    const org = await api.request('POST', '/v1/organizations', { token: adminToken, body: { name: 'County Probation', kind: 'probation', adapter: { type: 'portal' } } });
    const run = await hubctl({}, 'identity-provider', 'set', org.body.id, '--issuer', idp.issuer, '--client-id', idp.clientId, '--match-by', 'sub', '--key', keyFile, '--url', url);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('hubctl: the hub refused the identity provider (HTTP 400): clientSecret: required when the identity provider is first set\n');
    const usage = await hubctl({}, 'identity-provider', 'set', org.body.id, '--issuer', idp.issuer, '--client-id', 'x', '--match-by', 'name');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("Allowed choices are sub, email");
  });
});
