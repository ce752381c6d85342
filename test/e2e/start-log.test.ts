import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from '../support/db.js';
import { eventually, testEnv } from '../support/hub.js';
import { freePort, spawnHub, type HubProcess } from '../support/process-hub.js';

describe('npm start says, once, what it joined and where to look', () => {
  let db: TestDatabase;
  let hub: HubProcess;
  let env: Record<string, string>;
  let port: number;
  // The machine's PostgreSQL and Redis trust local clients, so these passwords are accepted and
  // ignored: they are here to show they never reach the log.
  const dbPassword = 'pg-secret-do-not-log';
  const redisPassword = 'redis-secret-do-not-log';

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    port = await freePort();
    const dbUrl = new URL(db.url);
    dbUrl.password = dbPassword;
    const redisUrl = new URL(TEST_REDIS_URL);
    redisUrl.password = redisPassword;
    redisUrl.pathname = '/0';
    ({ env } = await testEnv(db, { LOG_LEVEL: 'info', DATABASE_URL: dbUrl.toString(), REDIS_URL: redisUrl.toString(), HUB_PUBLIC_URL: `http://localhost:${port}` }));
    hub = await spawnHub(env, port);
  });
  afterAll(async () => {
    await hub?.kill();
    await db?.drop();
  });

  it('logs the database, Redis and queue prefix it uses, without their passwords, and the docs URL', async () => {
    // The gateway answers before the workers have started; the summary comes once both have.
    const parsed = () =>
      hub
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, any>);
    const isReady = (l: Record<string, any>) => typeof l.msg === 'string' && l.msg.startsWith('hub ready');
    await eventually(async () => (parsed().some(isReady) ? true : undefined), 20_000, 'the start-up summary');
    const lines = parsed();
    const ready = lines.filter(isReady);
    expect(ready).toHaveLength(1);
    const line = ready[0]!;
    expect(line.level).toBe(30); // info
    const dbName = new URL(db.url).pathname;
    expect(line).toMatchObject({
      role: 'all',
      database: `postgres://postgres@127.0.0.1:5432${dbName}`,
      redis: `redis://${new URL(TEST_REDIS_URL).host}/0`,
      redisDb: 0,
      queuePrefix: env.HUB_QUEUE_PREFIX,
      urls: { api: `http://localhost:${port}`, docs: `http://localhost:${port}/docs`, openapi: `http://localhost:${port}/openapi.json` },
    });
    expect(line.msg).toBe(`hub ready: API reference at http://localhost:${port}/docs`);
    expect(hub.output()).not.toContain(dbPassword);
    expect(hub.output()).not.toContain(redisPassword);

    // The URL it names is the API reference.
    const docs = await fetch(line.urls.docs);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/swagger/i);
  });
});
