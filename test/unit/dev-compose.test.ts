import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

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
    expect(e.DATABASE_URL).toBe('postgres://postgres:hub@postgres:5432/hub');
    expect(e.REDIS_URL).toBe('redis://redis:6379');
    expect(e.HUB_PUBLIC_URL).toBeTruthy();
    // A missing key must stop compose with a message, not start a hub that then fails.
    for (const name of ['HUB_SIGNING_JWKS', 'HUB_DATA_KEYS', 'HUB_ADMIN_JWKS']) {
      expect(e[name], name).toMatch(new RegExp(`^\\$\\{${name}:\\?.+\\}$`));
    }
    expect(hub.ports?.some((p) => p.endsWith(':8080'))).toBe(true);
  });

  it('gives postgres a password matching the hub URL and a volume', () => {
    const pg = services.postgres!;
    expect(pg.image).toMatch(/^postgres:16/);
    expect(env(pg).POSTGRES_PASSWORD).toBe('hub');
    expect(env(pg).POSTGRES_DB).toBe('hub');
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
  it('builds on node:24-bookworm-slim, runs as non-root, ships migrations', () => {
    expect(text.match(/^FROM node:24-bookworm-slim/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(text).toMatch(/^USER (?!root)\S+/m);
    expect(text).toMatch(/db\/migrations \.\/dist\/db\/migrations/);
    expect(text).toMatch(/CMD \["node", "dist\/bin\/hub\.js"\]/);
  });
});
