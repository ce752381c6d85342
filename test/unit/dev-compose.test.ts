import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/process-hub.js';

// No Docker engine runs on CI machines, so the compose file is checked by reading it.
interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, string> | string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string | string[] };
  ports?: string[];
}

const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8')) as {
  services: Record<string, Service>;
};
const services = compose.services;
const env = (s: Service): Record<string, string> =>
  Array.isArray(s.environment)
    ? Object.fromEntries(s.environment.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))
    : (s.environment ?? {});
const words = (cmd: string | string[] | undefined) => (Array.isArray(cmd) ? cmd.join(' ') : (cmd ?? ''));

describe('docker-compose.yml', () => {
  it('has postgres, redis and hub, each with a healthcheck', () => {
    expect(Object.keys(services).sort()).toEqual(['hub', 'postgres', 'redis']);
    for (const [name, s] of Object.entries(services)) {
      expect(s.healthcheck?.test, name).toBeTruthy();
    }
    expect(words(services.postgres!.healthcheck!.test)).toContain('pg_isready');
    expect(words(services.redis!.healthcheck!.test)).toContain('redis-cli ping');
    // The image has no curl: the hub's check must use node and hit /readyz.
    expect(words(services.hub!.healthcheck!.test)).toMatch(/node .*fetch\('http:\/\/localhost:8080\/readyz'\)/);
  });

  it('runs redis with AOF and noeviction', () => {
    const cmd = words(services.redis!.command);
    expect(services.redis!.image).toMatch(/^redis:7/);
    expect(cmd).toMatch(/--appendonly yes/);
    expect(cmd).toMatch(/--maxmemory-policy noeviction/);
  });

  it('starts the hub after healthy postgres and redis, in production mode', () => {
    const hub = services.hub!;
    expect(hub.build).toBeTruthy();
    expect(hub.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    const e = env(hub);
    expect(e.NODE_ENV).toBe('production');
    expect(e.HUB_PUBLIC_URL).toBeTruthy();
    // A missing key must stop compose with a message, not start a hub that then fails.
    for (const name of ['HUB_SIGNING_JWKS', 'HUB_DATA_KEYS', 'HUB_ADMIN_JWKS']) {
      expect(e[name], name).toMatch(new RegExp(`^\\$\\{${name}:\\?.+\\}$`));
    }
    expect(hub.ports?.some((p) => p.endsWith(':8080'))).toBe(true);
  });

  it('takes every secret from the .env, none from the compose file', () => {
    const pg = services.postgres!;
    expect(pg.image).toMatch(/^postgres:16/);
    expect(env(pg).POSTGRES_DB).toBe('hub');
    expect(env(pg).POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?.+\}$/);
    expect(env(services.hub!).DATABASE_URL).toMatch(/^postgres:\/\/postgres:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/hub$/);
    expect(env(services.hub!).REDIS_URL).toMatch(/^redis:\/\/:\$\{REDIS_PASSWORD:\?[^}]+\}@redis:6379$/);
    expect(words(services.redis!.command)).toMatch(/--requirepass \$\{REDIS_PASSWORD:\?[^}]+\}/);
  });
});

/**
 * What `docker compose` does to each string in the file: `${VAR}`, `${VAR:-default}` (nested
 * too) and `${VAR:?message}`, the forms this file uses. No engine runs here, so this stands in.
 */
function interpolate(text: string, vars: Record<string, string>): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('${', i);
    if (start < 0) return out + text.slice(i);
    let depth = 0;
    let end = start;
    for (; end < text.length; end++) {
      if (text.startsWith('${', end)) depth++, end++;
      else if (text[end] === '}' && --depth === 0) break;
    }
    const body = text.slice(start + 2, end);
    const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([\s\S]*))?$/.exec(body);
    if (!match) throw new Error(`unsupported interpolation: \${${body}}`);
    const [, name, op, rest] = match;
    const value = vars[name!];
    if (value) out += text.slice(i, start) + value;
    else if (op === ':-') out += text.slice(i, start) + interpolate(rest!, vars);
    else if (op === ':?') throw new Error(`required variable ${name} is missing a value: ${rest}`);
    else out += text.slice(i, start);
    i = end + 1;
  }
  return out;
}

/** Compose interpolates the string values of the parsed file (so `false` stays the text "false"). */
function interpolateAll(node: unknown, vars: Record<string, string>): unknown {
  if (typeof node === 'string') return interpolate(node, vars);
  if (Array.isArray(node)) return node.map((n) => interpolateAll(n, vars));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateAll(v, vars)]));
  return node;
}

/** A compose `.env`: KEY=value lines, '#' comments, single-quoted values taken literally. */
function parseDotEnv(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) vars[m[1]!] = m[2]!.startsWith("'") && m[2]!.endsWith("'") ? m[2]!.slice(1, -1) : m[2]!;
  }
  return vars;
}

const composeText = readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
const tsxLoader = pathToFileURL(path.join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const composeEnvScript = path.join(REPO_ROOT, 'dev/compose-env.ts');

interface Run {
  code: number;
  stderr: string;
}
/** dev/compose-env.ts as an operator runs it, from the folder that holds docker-compose.yml. */
function composeEnv(cwd: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', tsxLoader, composeEnvScript, ...args], { cwd, timeout: 30_000 }, (error, _stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
}
const exists = (file: string) => stat(file).then(() => true, () => false);

describe('dev/compose-env.ts', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'compose-env-'));
    // A checkout that has been used for development: npm start wrote its own admin key.
    await mkdir(path.join(dir, '.hub'), { mode: 0o700 });
    await writeFile(path.join(dir, '.hub/admin-private-jwk.json'), '{"the":"development admin key"}\n', { mode: 0o600 });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes a complete .env and the compose admin key beside the development one, both private", async () => {
    const run = await composeEnv(dir);
    expect(run.code, run.stderr).toBe(0);
    const text = await readFile(path.join(dir, '.env'), 'utf8');
    const vars = parseDotEnv(text);
    expect(Object.keys(vars).sort()).toEqual(['HUB_ADMIN_JWKS', 'HUB_DATA_KEYS', 'HUB_SIGNING_JWKS', 'POSTGRES_PASSWORD', 'REDIS_PASSWORD']);
    expect(vars.POSTGRES_PASSWORD).toMatch(/^[0-9a-f]{48}$/);
    expect(vars.REDIS_PASSWORD).toMatch(/^[0-9a-f]{48}$/);
    expect(vars.POSTGRES_PASSWORD).not.toBe(vars.REDIS_PASSWORD);
    expect(vars.HUB_DATA_KEYS).toMatch(/^k-[\d-]+:[A-Za-z0-9+/]{43}=$/);
    expect(JSON.parse(vars.HUB_SIGNING_JWKS!).keys[0].d).toBeTruthy();

    // The hub gets only the public half of the admin key; the private half is in its own file.
    const adminPrivate = JSON.parse(await readFile(path.join(dir, '.hub/compose-admin-private-jwk.json'), 'utf8'));
    const adminPublic = JSON.parse(vars.HUB_ADMIN_JWKS!).keys[0];
    expect(adminPublic.kid).toBe(adminPrivate.kid);
    expect(adminPublic).not.toHaveProperty('d');
    expect(text).not.toContain(adminPrivate.d);

    for (const file of ['.env', '.hub/compose-admin-private-jwk.json']) expect((await stat(path.join(dir, file))).mode & 0o777, file).toBe(0o600);
    expect(await readFile(path.join(dir, '.hub/admin-private-jwk.json'), 'utf8')).toBe('{"the":"development admin key"}\n');
  });

  it('keeps an existing .env and admin key unless --force, and says how to replace them', async () => {
    expect((await composeEnv(dir)).code).toBe(0);
    const before = await readFile(path.join(dir, '.env'), 'utf8');
    const keyBefore = await readFile(path.join(dir, '.hub/compose-admin-private-jwk.json'), 'utf8');

    const again = await composeEnv(dir);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toMatch(/^compose-env: \.env exists; .*Pass --force to replace it$/);
    expect(await readFile(path.join(dir, '.env'), 'utf8')).toBe(before);
    expect(await readFile(path.join(dir, '.hub/compose-admin-private-jwk.json'), 'utf8')).toBe(keyBefore);

    const forced = await composeEnv(dir, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(parseDotEnv(await readFile(path.join(dir, '.env'), 'utf8')).HUB_DATA_KEYS).not.toBe(parseDotEnv(before).HUB_DATA_KEYS);
    expect(await readFile(path.join(dir, '.hub/compose-admin-private-jwk.json'), 'utf8')).not.toBe(keyBefore);
  });

  it('never leaves an empty .env: it refuses before writing anything', async () => {
    await writeFile(path.join(dir, '.hub/compose-admin-private-jwk.json'), '{"an":"earlier compose admin key"}\n', { mode: 0o600 });
    const run = await composeEnv(dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('.hub/compose-admin-private-jwk.json exists');
    expect(await exists(path.join(dir, '.env'))).toBe(false);
  });

  it('still works as the old shell redirect, which empties .env before the script starts', async () => {
    await writeFile(path.join(dir, '.env'), '');
    const run = await new Promise<Run>((resolve) =>
      execFile('sh', ['-c', `(umask 077; "${process.execPath}" --import "${tsxLoader}" "${composeEnvScript}" > .env)`], { cwd: dir, timeout: 30_000 }, (error, _o, stderr) =>
        resolve({ code: error ? 1 : 0, stderr }),
      ),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(Object.keys(parseDotEnv(await readFile(path.join(dir, '.env'), 'utf8')))).toContain('HUB_SIGNING_JWKS');
  });

  it('gives compose what it needs: matching passwords, and the hub on loopback unless HUB_BIND opens it', async () => {
    expect((await composeEnv(dir)).code).toBe(0);
    const vars = parseDotEnv(await readFile(path.join(dir, '.env'), 'utf8'));
    const resolved = (extra: Record<string, string> = {}) => (interpolateAll(parse(composeText), { ...vars, ...extra }) as { services: Record<string, Service> }).services;

    const s = resolved();
    const hubEnv = env(s.hub!);
    expect(new URL(hubEnv.DATABASE_URL!).password).toBe(env(s.postgres!).POSTGRES_PASSWORD);
    expect(new URL(hubEnv.REDIS_URL!).password).toBe(vars.REDIS_PASSWORD);
    expect(words(s.redis!.command)).toContain(`--requirepass ${vars.REDIS_PASSWORD}`);
    expect(env(s.redis!).REDISCLI_AUTH).toBe(vars.REDIS_PASSWORD);
    expect(hubEnv.HUB_ALLOW_PRIVATE_TARGETS).toBe('false');
    expect(hubEnv.HUB_PUBLIC_URL).toBe('http://localhost:8080');

    expect(s.hub!.ports).toEqual(['127.0.0.1:8080:8080']);
    for (const name of ['postgres', 'redis']) expect(s[name]!.ports!.every((p) => p.startsWith('127.0.0.1:')), name).toBe(true);
    expect(resolved({ HUB_BIND: '0.0.0.0', HUB_PORT: '9090' }).hub!.ports).toEqual(['0.0.0.0:9090:8080']);

    const { POSTGRES_PASSWORD: _dropped, ...withoutPassword } = vars;
    expect(() => interpolateAll(parse(composeText), withoutPassword)).toThrow(/POSTGRES_PASSWORD .*set POSTGRES_PASSWORD in \.env/);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
  it('builds on node:24-bookworm-slim, runs as non-root, ships migrations', () => {
    expect(text.match(/^FROM node:24-bookworm-slim/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(text).toMatch(/^USER (?!root)\S+/m);
    expect(text).toMatch(/db\/migrations \.\/dist\/db\/migrations/);
    expect(text).toMatch(/CMD \["node", (?:"--[^"]+", )*"dist\/bin\/hub\.js"\]/);
  });

  it('runs the hub with the Node flags npm start passes, so the image and a plain npm start behave alike', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string>; config: { nodeFlags: string } };
    const flags = pkg.config.nodeFlags.split(' ').filter(Boolean);
    expect(flags.length).toBeGreaterThan(0);
    expect(pkg.scripts.start).toMatch(/^node \$npm_package_config_nodeFlags /);
    const cmd = JSON.parse(text.match(/^CMD (\[.*\])$/m)![1]!) as string[];
    expect(cmd).toEqual(['node', ...flags, 'dist/bin/hub.js']);
  });
});
