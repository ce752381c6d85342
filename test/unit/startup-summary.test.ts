import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/config.js';
import { redisDb, startupSummary, withoutPassword } from '../../runtime/startup-summary.js';

describe('the start-up summary', () => {
  it('drops passwords from connection URLs but keeps the user, host, port and database', () => {
    expect(withoutPassword('postgres://hub:s3cret@db.internal:5432/hub_second')).toBe('postgres://hub@db.internal:5432/hub_second');
    expect(withoutPassword('redis://:s3cret@127.0.0.1:6379/2')).toBe('redis://127.0.0.1:6379/2');
    expect(withoutPassword('postgres://localhost:5432/hub')).toBe('postgres://localhost:5432/hub');
  });

  it("reads Redis' database number from the URL, 0 when none is named", () => {
    expect(redisDb('redis://127.0.0.1:6379')).toBe(0);
    expect(redisDb('redis://127.0.0.1:6379/3')).toBe(3);
  });

  it('names the docs under the public URL for a gateway, and no URLs for a worker', () => {
    const gateway = startupSummary({ config: parseConfig({ PORT: '8081', HUB_QUEUE_PREFIX: 'hub2' }), databaseUrl: 'postgres://localhost:5432/hub2', redisUrl: 'redis://127.0.0.1:6379/1', gateway: true });
    expect(gateway.fields).toEqual({
      role: 'all',
      database: 'postgres://localhost:5432/hub2',
      redis: 'redis://127.0.0.1:6379/1',
      redisDb: 1,
      queuePrefix: 'hub2',
      urls: { api: 'http://localhost:8081', docs: 'http://localhost:8081/docs', openapi: 'http://localhost:8081/openapi.json' },
      firstAdmin: 'npm run hubctl -- staff create --role admin --name "Your Name" --email you@example.org --password "a long pass phrase" --url http://localhost:8081',
    });
    expect(gateway.message).toBe('hub ready: API reference at http://localhost:8081/docs');

    const worker = startupSummary({ config: parseConfig({ HUB_ROLE: 'worker' }), databaseUrl: 'postgres://localhost:5432/hub', redisUrl: 'redis://127.0.0.1:6379', gateway: false });
    expect(worker.fields.urls).toBeUndefined();
    expect(worker.message).toBe('hub ready (workers only)');
  });

  it('names the console once the gateway serves one', () => {
    const summary = startupSummary({ config: parseConfig({}), databaseUrl: 'postgres://localhost:5432/hub', redisUrl: 'redis://127.0.0.1:6379', gateway: true, consolePath: '/console' });
    expect(summary.fields.urls?.console).toBe('http://localhost:8080/console');
  });

  it('says how to create the first console admin outside production only', () => {
    const prod = parseConfig({ NODE_ENV: 'development' });
    expect(startupSummary({ config: prod, databaseUrl: 'postgres://localhost:5432/hub', redisUrl: 'redis://127.0.0.1:6379', gateway: true }).fields.firstAdmin).toContain('hubctl -- staff create --role admin');
    const production = { ...prod, NODE_ENV: 'production' };
    expect(startupSummary({ config: production, databaseUrl: 'postgres://localhost:5432/hub', redisUrl: 'redis://127.0.0.1:6379', gateway: true }).fields.firstAdmin).toBeUndefined();
  });
});
