import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret, sign } from '../../adapters/webhook/sign.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Api, testEnv } from '../support/hub.js';
import { freePort, REPO_ROOT, spawnHub, type HubProcess } from '../support/process-hub.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** hubctl as a user runs it: its own process, its exit code and both streams. */
function hubctl(...args: string[]): Promise<Run> {
  const { HUB_URL: _ignored, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'bin/hubctl.ts', ...args], { cwd: REPO_ROOT, env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

/** A failure is one line for people: no Node stack trace, no library internals. */
function expectOneLineError(run: Run, code: number) {
  expect(run.code, run.stderr).toBe(code);
  expect(run.stderr).toMatch(/^hubctl: /);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stderr).not.toContain('node_modules');
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hubctl-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hubctl --help', () => {
  it('describes the program and lists every command', async () => {
    const run = await hubctl('--help');
    expect(run.code).toBe(0);
    for (const command of ['keygen', 'token', 'assertion', 'listen']) expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it.each([
    ['keygen', ['--alg', '--force', '<private-key-file>']],
    ['token', ['--client', '--key', '--url']],
    ['assertion', ['--client', '--key', '--url']],
    ['listen', ['--secret', '--port', '--host']],
  ])('explains %s and its options', async (command, options) => {
    const run = await hubctl(command, '--help');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Usage: hubctl ${command}`);
    for (const option of options) expect(run.stdout).toContain(option);
  });

  it('answers an unknown command or a missing option with a usage error (exit 2)', async () => {
    const unknown = await hubctl('tokne');
    expectOneLineError(unknown, 2);
    expect(unknown.stderr).toContain("unknown command 'tokne'");
    const missing = await hubctl('token', '--client', 'x');
    expectOneLineError(missing, 2);
    expect(missing.stderr).toContain("'--key <private-key-file>' not specified");
  });
});

describe('hubctl keygen', () => {
  it('writes a private key only its owner can read and prints the public half', async () => {
    const file = path.join(dir, 'fresh.jwk');
    const run = await hubctl('keygen', file, '--alg', 'ES384');
    expect(run.code, run.stderr).toBe(0);
    const jwks = JSON.parse(run.stdout) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const privateJwk = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(privateJwk).toMatchObject({ alg: 'ES384', kid: jwks.keys[0]!.kid, d: expect.any(String) });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refuses to overwrite an existing key unless --force', async () => {
    const file = path.join(dir, 'kept.jwk');
    await writeFile(file, 'the key a client is registered with\n', { mode: 0o600 });
    const refused = await hubctl('keygen', file);
    expectOneLineError(refused, 1);
    expect(refused.stderr).toContain(`${file} exists`);
    expect(refused.stderr).toContain('--force');
    expect(refused.stdout).toBe('');
    expect(await readFile(file, 'utf8')).toBe('the key a client is registered with\n');

    const forced = await hubctl('keygen', file, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ kid: JSON.parse(forced.stdout).keys[0].kid });
  });

  it('names the supported algorithms when given another', async () => {
    const file = path.join(dir, 'hs.jwk');
    const run = await hubctl('keygen', file, '--alg', 'HS256');
    expectOneLineError(run, 1);
    expect(run.stderr.trim()).toBe('hubctl: unsupported algorithm HS256; use one of ES256, ES384, RS384, EdDSA');
    await expect(stat(file)).rejects.toThrow();
  });
});

describe('hubctl token', () => {
  let db: TestDatabase;
  let hub: HubProcess;
  let api: Api;
  let adminToken: string;
  let port: number;
  let adminKeyFile: string;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    port = await freePort();
    const { env, adminKey } = await testEnv(db, { HUB_PUBLIC_URL: `http://127.0.0.1:${port}` });
    hub = await spawnHub(env, port);
    api = new Api(hub.url, `http://127.0.0.1:${port}`);
    adminToken = await api.token('hub-admin', adminKey);
    adminKeyFile = path.join(dir, 'admin.jwk');
    await writeFile(adminKeyFile, JSON.stringify(adminKey), { mode: 0o600 });
  });
  afterAll(async () => {
    await hub?.kill();
    await db?.drop();
  });

  it('gets an access token for a client registered with the key keygen made', async () => {
    const org = await api.request('POST', '/v1/organizations', { token: adminToken, body: { name: 'County Probation', kind: 'probation', adapter: { type: 'portal' } } });
    expect(org.status).toBe(201);
    const file = path.join(dir, 'planner.jwk');
    const keygen = await hubctl('keygen', file);
    expect(keygen.code, keygen.stderr).toBe(0);
    const client = await api.request('POST', '/v1/clients', { token: adminToken, body: { organizationId: org.body.id, role: 'planner', jwks: JSON.parse(keygen.stdout) } });
    expect(client.status).toBe(201);

    const run = await hubctl('token', '--client', client.body.clientId, '--key', file, '--url', `http://127.0.0.1:${port}`);
    expect(run.code, run.stderr).toBe(0);
    const listed = await api.request('GET', '/v1/referrals', { token: run.stdout.trim() });
    expect(listed.status).toBe(200);
  });

  it("shows the hub's refusal in one line", async () => {
    const file = path.join(dir, 'stranger.jwk');
    expect((await hubctl('keygen', file)).code).toBe(0);
    const run = await hubctl('token', '--client', 'no-such-client', '--key', file, '--url', `http://127.0.0.1:${port}`);
    expectOneLineError(run, 1);
    expect(run.stderr).toMatch(/^hubctl: the hub refused the token request \(HTTP 401\): invalid_client/);
    expect(run.stdout).toBe('');
  });

  it('creates console staff through the API as the admin client, and names a refused field in one line', async () => {
    const url = `http://127.0.0.1:${port}`;
    const admin = await hubctl('staff', 'create', '--role', 'admin', '--name', 'Alex Admin', '--email', 'alex@hub.example', '--password', 'a long pass phrase', '--key', adminKeyFile, '--url', url);
    expect(admin.code, admin.stderr).toBe(0);
    expect(JSON.parse(admin.stdout)).toMatchObject({ role: 'admin', email: 'alex@hub.example', organizationId: null });
    const signIn = await fetch(`${url}/console/sign-in`);
    expect(signIn.status).toBe(200);

    const planner = await hubctl('staff', 'create', '--role', 'planner', '--name', 'Pat', '--email', 'pat@hub.example', '--password', 'a long pass phrase', '--key', adminKeyFile, '--url', url);
    expectOneLineError(planner, 1);
    expect(planner.stderr).toContain('organizationId: a planner acts for an organisation');
  });

  it('says when no hub is running at the URL', async () => {
    const file = path.join(dir, 'any.jwk');
    expect((await hubctl('keygen', file)).code).toBe(0);
    const closed = await freePort();
    const run = await hubctl('token', '--client', 'hub-admin', '--key', file, '--url', `http://127.0.0.1:${closed}`);
    expectOneLineError(run, 1);
    expect(run.stderr.trim()).toBe(`hubctl: cannot reach the hub at http://127.0.0.1:${closed}: connection refused`);
  });

  it('names a key file that is missing or is not a key', async () => {
    const missing = await hubctl('token', '--client', 'hub-admin', '--key', path.join(dir, 'nothing.jwk'));
    expectOneLineError(missing, 1);
    expect(missing.stderr).toContain(`cannot read the key file ${path.join(dir, 'nothing.jwk')}: no such file or directory`);
    const notAKey = path.join(dir, 'not-a-key.jwk');
    await writeFile(notAKey, '{"kty":"EC"}');
    const bad = await hubctl('assertion', '--client', 'hub-admin', '--key', notAKey);
    expectOneLineError(bad, 1);
    expect(bad.stderr).toContain(`${notAKey} is not a private JWK`);
  });
});

describe('hubctl listen', () => {
  it('verifies signatures and prints each message as one JSON line', async () => {
    const secret = generateSecret();
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/hubctl.ts', 'listen', '--port', String(port), '--secret', secret], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      await waitFor(() => stderr.includes(`listening on http://127.0.0.1:${port}`), () => stderr);

      const body = JSON.stringify({ type: 'referral.created', data: { referral: { id: 'ref_1' } } });
      const timestamp = Math.floor(Date.now() / 1000);
      const good = await fetch(`http://127.0.0.1:${port}/hooks`, {
        method: 'POST',
        headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': sign(secret, 'msg_1', timestamp, body) },
        body,
      });
      expect(good.status).toBe(204);
      const forged = await fetch(`http://127.0.0.1:${port}/hooks`, {
        method: 'POST',
        headers: { 'webhook-id': 'msg_2', 'webhook-timestamp': String(timestamp), 'webhook-signature': sign(generateSecret(), 'msg_2', timestamp, body) },
        body,
      });
      expect(forged.status).toBe(401);

      await waitFor(() => stdout.split('\n').length > 2, () => stdout);
      const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(lines).toEqual([
        { webhookId: 'msg_1', signatureValid: true, message: JSON.parse(body) },
        { webhookId: 'msg_2', signatureValid: false, message: JSON.parse(body) },
      ]);
    } finally {
      child.kill();
    }
  });

  it('says so when the port is taken', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    try {
      const run = await hubctl('listen', '--port', String(port), '--secret', generateSecret());
      expectOneLineError(run, 1);
      expect(run.stderr.trim()).toBe(`hubctl: cannot listen on 127.0.0.1:${port}: the port is in use`);
    } finally {
      blocker.close();
    }
  });

  it('refuses a secret that is not a webhook secret', async () => {
    const run = await hubctl('listen', '--secret', 'hunter2');
    expectOneLineError(run, 1);
    expect(run.stderr).toContain('--secret: webhook secret must be "whsec_" followed by base64');
  });
});

async function waitFor(ready: () => boolean, show: () => string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out; output so far:\n${show()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
