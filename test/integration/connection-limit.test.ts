import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/config.js';
import { createLogger } from '../../lib/logger.js';
import { startHub, type RunningHub } from '../../runtime/start.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Api, eventually, testEnv } from '../support/hub.js';

/**
 * PostgreSQL refuses a connection past its max_connections (or a role's limit) with SQLSTATE 53300.
 * The hub's pools grow under load, so several processes on one server can meet it: the benchmark
 * did, with two gateways, a worker and its floors, and the gateway answered 500 "unhandled error".
 * It must answer 503 with Retry-After, as for a database that is down, and recover when
 * connections free up.
 */
describe('a database that refuses more connections', () => {
  const role = `hub_limited_${randomBytes(4).toString('hex')}`;
  let db: TestDatabase;
  let hub: RunningHub;
  let api: Api;
  let adminToken: string;
  let server: postgres.Sql;

  beforeAll(async () => {
    db = await createTestDatabase();
    const url = new URL(db.url);
    server = postgres(db.url, { max: 1, onnotice: () => {} });
    // A role of the hub's own, so its connections can be limited (a superuser's never are).
    await server.unsafe(`CREATE ROLE ${role} LOGIN`);
    await server.unsafe(`GRANT CREATE, USAGE ON SCHEMA public TO ${role}`);
    await server.unsafe(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ${role}`);
    await server.unsafe(`GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
    url.username = role;
    const { env, adminKey } = await testEnv(db, { DATABASE_URL: url.toString(), HUB_DB_POOL_SIZE: '20' });
    const config = parseConfig(env);
    hub = await startHub(config, createLogger('silent'));
    api = new Api(hub.url!, config.publicUrl);
    adminToken = await api.token(config.HUB_ADMIN_CLIENT_ID, adminKey);
  });
  afterAll(async () => {
    await hub?.stop();
    // Roles belong to the whole server: its grants go first, then the role, while this database
    // (and the connection to it) still stands.
    await server?.unsafe(`DROP OWNED BY ${role}`);
    await server?.unsafe(`DROP ROLE ${role}`);
    await server?.end();
    await db?.drop();
  });

  const openConnections = async () =>
    (await server<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = ${role}`)[0]!.n;
  /** Many requests at once; each answer is also handed to `seen` as it comes. */
  const burst = (seen: (answer: Awaited<ReturnType<Api['request']>>) => void = () => {}) =>
    Promise.all(Array.from({ length: 40 }, () => api.request('GET', '/v1/organizations', { token: adminToken }).then((a) => (seen(a), a))));

  it('answers 503 with Retry-After, saying the database has no free connection, never 500, while none can be opened, and 200 once one can', async () => {
    expect((await api.request('GET', '/v1/organizations', { token: adminToken })).status).toBe(200);
    await server.unsafe(`ALTER ROLE ${role} CONNECTION LIMIT ${await openConnections()}`);
    try {
      // Every connection the hub has is held by a query waiting on this lock, so the burst must open
      // more (quick queries could otherwise all share the open ones). Released once a request has
      // been answered without a connection.
      const seen: number[] = [];
      let answering!: ReturnType<typeof burst>;
      await server.begin(async (tx) => {
        await tx`LOCK TABLE organizations IN ACCESS EXCLUSIVE MODE`;
        answering = burst((a) => seen.push(a.status));
        await eventually(async () => (seen.some((status) => status !== 200) ? true : undefined), 10_000, 'a request that needed a connection the server refused');
      });
      const answers = await answering;
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s !== 200 && s !== 503), `statuses: ${statuses.join(' ')}`).toEqual([]);
      const refused = answers.find((a) => a.status === 503);
      expect(refused, 'some request needed a connection the server refused').toBeDefined();
      expect(refused!.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(refused!.headers.get('retry-after')).toBeTruthy();
      expect(refused!.body.detail, 'a server that is up but full, not one that is down').toMatch(/no free connection/);
    } finally {
      await server.unsafe(`ALTER ROLE ${role} CONNECTION LIMIT -1`);
    }
    const after = await burst();
    expect(after.map((a) => a.status).filter((s) => s !== 200)).toEqual([]);
  });
});
