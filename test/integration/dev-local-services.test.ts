import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateClientKey, loadOrCreateDevKeys } from '../../dev/keys.js';
import {
  ensureLocalServices,
  startPrivatePostgres,
  startPrivateRedis,
  stopPrivateServices,
} from '../../dev/local-services.js';
import { tcpAnswers } from '../../dev/proc.js';

// These start real servers from the machine's binaries in a temp dir, on free ports, so they do
// not touch the machine's own PostgreSQL (5432) or Redis (6379).
let dataDir: string;
const logs: string[] = [];
const log = (m: string) => logs.push(m);

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'hub-dev-'));
});
afterAll(async () => {
  await stopPrivateServices(dataDir);
  await rm(dataDir, { recursive: true, force: true });
});

describe('private PostgreSQL', () => {
  it('starts one that answers, reuses it, and stops it', async () => {
    const t0 = Date.now();
    const first = await startPrivatePostgres(dataDir, log);
    const coldMs = Date.now() - t0;
    expect(first.reused).toBe(false);
    expect(first.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/hub$/);

    const sql = postgres(first.url, { max: 1 });
    try {
      expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
    } finally {
      await sql.end();
    }

    const second = await startPrivatePostgres(dataDir, log);
    expect(second).toMatchObject({ reused: true, url: first.url });

    await first.stop();
    expect(await tcpAnswers(first.port)).toBe(false);

    // A restart of an initialised cluster skips initdb and keeps the hub database.
    const t1 = Date.now();
    const third = await startPrivatePostgres(dataDir, log);
    const warmMs = Date.now() - t1;
    expect(third.reused).toBe(false);
    const sql2 = postgres(third.url, { max: 1 });
    try {
      expect(await sql2`select current_database() as db`).toEqual([{ db: 'hub' }]);
    } finally {
      await sql2.end();
    }
    await third.stop();
    console.log(`private PostgreSQL: first start (initdb) ${coldMs} ms, restart ${warmMs} ms`);
  });
});

describe('private Redis', () => {
  it('starts one with AOF and noeviction, reuses it, and stops it', async () => {
    const t0 = Date.now();
    const first = await startPrivateRedis(dataDir, log);
    const ms = Date.now() - t0;
    expect(first.reused).toBe(false);
    const redis = new Redis(first.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      expect(await redis.ping()).toBe('PONG');
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    } finally {
      redis.disconnect();
    }

    const second = await startPrivateRedis(dataDir, log);
    expect(second).toMatchObject({ reused: true, url: first.url });

    await first.stop();
    expect(await tcpAnswers(first.port)).toBe(false);
    console.log(`private Redis: start ${ms} ms`);
  });
});

describe('ensureLocalServices', () => {
  it('uses explicit URLs as they are, starting nothing', async () => {
    const services = await ensureLocalServices({
      databaseUrl: 'postgres://u@db.invalid:1/x',
      redisUrl: 'redis://cache.invalid:1',
      dataDir: path.join(dataDir, 'unused'),
      log,
    });
    expect(services).toMatchObject({ databaseUrl: 'postgres://u@db.invalid:1/x', redisUrl: 'redis://cache.invalid:1' });
    await services.stop();
  });
});

// The fallback itself (nothing on 5432/6379 → private servers) can only be seen where the
// standard ports are free. A fresh network namespace gives exactly that without touching the
// machine's servers; creating one needs root and unshare, so elsewhere this is skipped.
const canUnshare = (() => {
  try {
    execFileSync('unshare', ['-n', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!canUnshare)('ensureLocalServices in an empty network namespace', () => {
  const child = `
    const { ensureLocalServices } = await import(${JSON.stringify(new URL('../../dev/local-services.ts', import.meta.url).href)});
    const { default: postgres } = await import('postgres');
    const { Redis } = await import('ioredis');
    const logs = [];
    const s = await ensureLocalServices({ dataDir: process.env.DATA_DIR, log: (m) => logs.push(m) });
    const sql = postgres(s.databaseUrl, { max: 1 });
    const [{ one }] = await sql\`select 1 as one\`;
    await sql.end();
    const redis = new Redis(s.redisUrl);
    const pong = await redis.ping();
    redis.disconnect();
    console.log(JSON.stringify({ databaseUrl: s.databaseUrl, redisUrl: s.redisUrl, one, pong, logs }));
  `;
  // Both starts in one namespace: servers started in one are unreachable from the next.
  const startTwiceInEmptyNetwork = async (dir: string) => {
    const node = `"${process.execPath}" --import tsx --input-type=module -e "$CHILD"`;
    const script = `ip link set lo up && ${node} && ${node}`;
    const { stdout } = await promisify(execFile)('unshare', ['-n', 'sh', '-c', script], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ...process.env, CHILD: child, DATA_DIR: dir },
      timeout: 60_000,
    });
    type Result = { databaseUrl: string; redisUrl: string; one: number; pong: string; logs: string[] };
    return stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Result);
  };

  it('starts private servers when nothing answers on the standard ports, and reuses them', async () => {
    const dir = path.join(dataDir, 'netns');
    try {
      const [first, second] = await startTwiceInEmptyNetwork(dir);
      if (!first || !second) throw new Error('expected two results');
      expect(first).toMatchObject({ one: 1, pong: 'PONG' });
      expect(first.databaseUrl).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/hub$/);
      expect(first.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      expect(first.logs.join('\n')).toMatch(/started private PostgreSQL[\s\S]*started private Redis/);

      // The servers outlive the first child, so the second one reuses them.
      expect(second).toMatchObject({ databaseUrl: first.databaseUrl, redisUrl: first.redisUrl, one: 1, pong: 'PONG' });
      expect(second.logs.join('\n')).toMatch(/reusing private PostgreSQL[\s\S]*reusing private Redis/);
    } finally {
      // The servers outlive the namespace's last process too; stopping goes by pid and pg_ctl,
      // so it works from out here.
      await stopPrivateServices(dir);
    }
  });
});

describe('dev keys', () => {
  it('creates keys once (0600) and reuses them', async () => {
    const dir = path.join(dataDir, 'keys');
    const a = await loadOrCreateDevKeys(dir);
    const file = path.join(dir, 'keys.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const jwks = JSON.parse(a.signingJwks) as { keys: Record<string, string>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]!.d).toBeTruthy(); // private
    expect(jwks.keys[0]!.kid).toBeTruthy();
    const [kid, b64] = a.dataKeys.split(':');
    expect(kid).toMatch(/^k-\d{4}-\d{2}-\d{2}$/);
    expect(Buffer.from(b64!, 'base64')).toHaveLength(32);

    expect(await loadOrCreateDevKeys(dir)).toEqual(a);
  });

  it('gives concurrent first starts the same keys', async () => {
    const dir = path.join(dataDir, 'keys-race');
    const [a, b, c] = await Promise.all([loadOrCreateDevKeys(dir), loadOrCreateDevKeys(dir), loadOrCreateDevKeys(dir)]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('generates client keys with a public JWKS that holds no private part', async () => {
    for (const alg of ['ES256', 'ES384', 'RS384', 'EdDSA']) {
      const { privateJwk, publicJwks } = await generateClientKey(alg);
      expect(privateJwk).toMatchObject({ alg, use: 'sig' });
      expect(privateJwk.d).toBeTruthy();
      expect(publicJwks.keys).toHaveLength(1);
      expect(publicJwks.keys[0]!.kid).toBe(privateJwk.kid);
      expect(publicJwks.keys[0]!.d).toBeUndefined();
    }
  });
});
