import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Api, eventually, testEnv } from '../support/hub.js';
import { freePort, REPO_ROOT, spawnHub, type HubProcess } from '../support/process-hub.js';

interface Summary {
  organisationsCreated: number;
  staffCreated: number;
  targetsCreated: number;
  seed: { participantsCreated: number; participantsFound: number; consentsCreated: number; referralsCreated: number; referralsFound: number };
  statuses: Record<string, number>;
}

describe('npm run demo, against the hub running as its own process', () => {
  let db: TestDatabase;
  let hub: HubProcess;
  let dir: string;
  let adminKeyFile: string;
  let api: Api;
  let adminToken: string;

  /** The demo as a user runs it (`--small`, seeded and stopped), with its state in `dir`. */
  const demo = () =>
    new Promise<{ code: number | null; summary: Summary; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'bin/demo.ts', '--hub', hub.url, '--small', '--exit', '--json', '--admin-key', adminKeyFile, '--backdate', db.url, '--poll-interval', '1'],
        { cwd: REPO_ROOT, env: { ...process.env, HUB_DATA_DIR: dir }, timeout: 120_000, maxBuffer: 10_000_000 },
        (error, stdout, stderr) => {
          const last = stdout.trim().split('\n').at(-1) ?? '';
          resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, summary: (last.startsWith('{') ? JSON.parse(last) : undefined) as Summary, stderr });
        },
      );
    });

  const counts = async () => {
    const [row] = await db.sql<{ organizations: number; participants: number; consents: number; referrals: number; staff: number; targets: number }[]>`SELECT
      (SELECT count(*)::int FROM organizations) AS organizations, (SELECT count(*)::int FROM participants) AS participants,
      (SELECT count(*)::int FROM consents) AS consents, (SELECT count(*)::int FROM referrals) AS referrals,
      (SELECT count(*)::int FROM staff) AS staff, (SELECT count(*)::int FROM targets) AS targets`;
    return row!;
  };

  let first: Summary;
  let afterFirst: Awaited<ReturnType<typeof counts>>;

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    dir = await mkdtemp(path.join(tmpdir(), 'hub-demo-'));
    const port = await freePort();
    const { env, adminKey } = await testEnv(db, { HUB_PUBLIC_URL: `http://127.0.0.1:${port}` });
    adminKeyFile = path.join(dir, 'admin.jwk');
    await writeFile(adminKeyFile, JSON.stringify(adminKey), { mode: 0o600 });
    hub = await spawnHub(env, port);
    api = new Api(hub.url, hub.url);
    adminToken = await api.token('hub-admin', adminKey);

    const run = await demo();
    expect(run.code, run.stderr).toBe(0);
    first = run.summary;
    afterFirst = await counts();
  }, 150_000);
  afterAll(async () => {
    await hub?.kill();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('registers lead agencies and partners of all three kinds, with a console account per role', async () => {
    const orgs = await api.request('GET', '/v1/organizations?limit=200', { token: adminToken });
    expect(orgs.status).toBe(200);
    const items = orgs.body.items as { kind: string; adapter: { type: string } }[];
    expect(items.length).toBeGreaterThanOrEqual(30);
    expect(new Set(items.map((o) => o.adapter.type))).toEqual(new Set(['webhook', 'fhir', 'portal']));
    expect(items.map((o) => o.kind)).toEqual(expect.arrayContaining(['probation', 'juvenile_justice', 'mental_health', 'sud_treatment', 'housing', 'employment', 'medical', 'peer_support']));
    const roles = await db.sql<{ role: string }[]>`SELECT DISTINCT role FROM staff`;
    expect(roles.map((r) => r.role).sort()).toEqual(['admin', 'compliance', 'manager', 'partner', 'planner']);
  });

  it('leaves referrals in every stage: waiting for consent, unanswered, rejected, in services, completed, failed, cancelled', () => {
    expect(first.seed.participantsCreated).toBe(60);
    for (const status of ['awaiting_consent', 'delivered', 'accepted', 'rejected', 'in_progress', 'completed', 'cancelled']) {
      expect(first.statuses[status], `${status} in ${JSON.stringify(first.statuses)}`).toBeGreaterThan(0);
    }
  });

  it('spreads the referrals over the past year and the SLA sweep finds the late ones', { timeout: 30_000 }, async () => {
    const [span] = await db.sql<{ days: number }[]>`SELECT extract(epoch FROM max(created_at) - min(created_at))::float / 86400 AS days FROM referrals`;
    expect(span!.days).toBeGreaterThan(180);
    // What the indicators count moved with the history: each milestone within its referral's life, none left at today.
    const [milestones] = await db.sql<{ reached: number; outside: number }[]>`
      SELECT count(*) FILTER (WHERE acknowledged_at IS NOT NULL)::int AS reached,
        count(*) FILTER (WHERE acknowledged_at < created_at OR connected_at < created_at OR acknowledged_at > updated_at + interval '1 minute')::int AS outside
      FROM referrals`;
    expect(milestones!.reached).toBeGreaterThan(0);
    expect(milestones!.outside).toBe(0);
    // The hub's own sweep, every few seconds, finds the deadlines the moved history missed.
    await eventually(async () => ((await db.sql`SELECT 1 FROM referral_sla_breaches LIMIT 1`).length === 1 ? true : undefined), 20_000, 'an SLA breach');
  });

  it('lets the program manager read the indicators, with people connected to housing against its target', async () => {
    const state = JSON.parse(await readFile(path.join(dir, `demo-127.0.0.1-${new URL(hub.url).port}.json`), 'utf8')) as { clients: Record<string, { clientId: string; key: never }> };
    const manager = state.clients['probation:manager']!;
    const token = await api.token(manager.clientId, manager.key);
    const from = new Date(Date.now() - 366 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const report = await api.request('GET', `/v1/reports/indicators?from=${from}&to=${to}`, { token });
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    const rows = report.body.rows as { service: string; connected: number | null; target?: number }[];
    const connected = rows.filter((r) => (r.connected ?? 0) > 0);
    expect(connected.length, JSON.stringify(rows)).toBeGreaterThan(0);
    expect(rows.find((r) => r.service === 'housing')?.target).toBeGreaterThan(0);
  });

  it('creates nothing the second time', async () => {
    const again = await demo();
    expect(again.code, again.stderr).toBe(0);
    expect(again.summary).toMatchObject({
      organisationsCreated: 0, staffCreated: 0, targetsCreated: 0,
      seed: { participantsCreated: 0, participantsFound: 60, consentsCreated: 0, referralsCreated: 0, referralsFound: first.seed.referralsCreated },
    });
    expect(await counts()).toEqual(afterFirst);
  }, 120_000);
});
