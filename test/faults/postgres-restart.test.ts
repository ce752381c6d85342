import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivatePostgres, stopPrivatePostgres } from '../../dev/postgres.js';
import type { PrivateServer } from '../../dev/proc.js';
import { eventually } from '../support/hub.js';
import { freePort, type HubProcess } from '../support/process-hub.js';
import { allDelivered, faultEnv, referralBody, setUpReferrals, startGateway, startPartner, signalAndWait, startWorker, summary, tally, type Partner, type Setup, showLogsOnFailure } from './support.js';

const DOWN_MS = 4_000;
/** No request may take longer than this, up or down. */
const REQUEST_BOUND_MS = 6_000;

type Phase = 'before' | 'stopping' | 'down' | 'restarting' | 'after';
interface Outcome {
  phase: Phase;
  status: number | 'network error' | 'timeout';
  ms: number;
  contentType?: string | null;
  retryAfter?: string | null;
  id?: string;
}

/** Sessions that LISTEN (each hub process has one, for the consent cache and the outbox relay). */
async function listeningSessions(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'listen %'`;
    return row!.n;
  } finally {
    await sql.end();
  }
}

/** One POST /v1/referrals with its own time limit, so a hang shows as a result, not a stuck test. */
async function timedPost(s: Setup, phase: () => Phase): Promise<Outcome> {
  const started = performance.now();
  const at = phase();
  try {
    const response = await fetch(`${s.api.baseUrl}/v1/referrals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.planner}`, 'content-type': 'application/json' },
      body: JSON.stringify(referralBody(s)),
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await response.json()) as { id?: string };
    return {
      phase: at, status: response.status, ms: performance.now() - started,
      contentType: response.headers.get('content-type'), retryAfter: response.headers.get('retry-after'), id: body.id,
    };
  } catch (error) {
    return { phase: at, status: (error as Error).name === 'TimeoutError' ? 'timeout' : 'network error', ms: performance.now() - started };
  }
}

/**
 * Fault 3: PostgreSQL restarts (fast shutdown, down for a few seconds, started again on the same
 * data directory and port) while clients keep posting referrals. The hub runs on a private
 * PostgreSQL in a temp dir, so the restart touches nothing else on this machine.
 * Expectation: while it is down the gateway answers 503 problem+json with Retry-After (never a
 * 500, never a hang) and /readyz is 503; afterwards the gateway and the worker recover without a
 * restart, and every referral answered 201 is delivered.
 */
describe('fault: PostgreSQL restarts under load', () => {
  let dataDir: string;
  let pg: PrivateServer;
  let partner: Partner;
  const processes: HubProcess[] = [];
  const log = () => {};

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'hub-faults-pg-'));
    [pg, partner] = await Promise.all([startPrivatePostgres(dataDir, log), startPartner()]);
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await partner?.receiver.close();
    if (dataDir) await stopPrivatePostgres(path.join(dataDir, 'pg')).catch(() => {});
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('answers 503 while it is down, recovers by itself, and delivers every referral answered 201', async () => {
    showLogsOnFailure(processes);
    const started = Date.now();
    const port = await freePort();
    const { env, adminKey, publicUrl } = await faultEnv(pg.url, port, { HUB_RELAY_LEASE_SECONDS: '2', HUB_DELIVERY_TIMEOUT_MS: '1000' });
    const [gateway, worker] = await Promise.all([startGateway(env, port), startWorker(env)]);
    processes.push(gateway, worker);
    const s = await setUpReferrals(gateway.url, publicUrl, adminKey, [partner.url]);

    const listenersBefore = await listeningSessions(pg.url);
    let phase: Phase = 'before';
    let loading = true;
    const outcomes: Outcome[] = [];
    const poster = async () => {
      while (loading) {
        const outcome = await timedPost(s, () => phase);
        outcomes.push(outcome);
        // A client told to retry later waits a little, as Retry-After asks (shortened for the test).
        if (outcome.status !== 201) await new Promise((r) => setTimeout(r, 100));
      }
    };
    const posters = [poster(), poster(), poster(), poster()];
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await sleep(1_000);

    phase = 'stopping';
    await pg.stop(); // pg_ctl stop -m fast: open transactions are rolled back, connections cut
    phase = 'down';
    const downAt = Date.now();
    const readyWhileDown: { status: number; postgres: unknown; ms: number }[] = [];
    while (Date.now() - downAt < DOWN_MS) {
      const t0 = performance.now();
      const r = await fetch(`${gateway.url}/readyz`, { signal: AbortSignal.timeout(15_000) });
      const body = (await r.json()) as { postgres?: unknown };
      readyWhileDown.push({ status: r.status, postgres: body.postgres, ms: performance.now() - t0 });
      await sleep(500);
    }

    phase = 'restarting';
    await startPrivatePostgres(dataDir, log, { port: pg.port });
    phase = 'after';
    const upAt = Date.now();
    // The gateway recovers by itself: a referral answered 201 again, with no restart of any process.
    await eventually(async () => (outcomes.some((o) => o.phase === 'after' && o.status === 201) ? true : undefined), 20_000, 'a 201 after the restart');
    const recoveredInMs = Date.now() - upAt;
    await sleep(1_000);
    loading = false;
    await Promise.all(posters);
    const ready = await eventually(async () => ((await fetch(`${gateway.url}/readyz`)).status === 200 ? true : undefined), 20_000, '/readyz 200');

    // Both processes LISTEN again (consent-cache invalidation, relay wake-ups), without a restart.
    const listenersAfter = await eventually(async () => {
      const n = await listeningSessions(pg.url);
      return n >= listenersBefore ? n : undefined;
    }, 10_000, 'the LISTEN sessions to come back');
    const sent = outcomes.filter((o) => o.status === 201).map((o) => o.id!);
    await eventually(async () => (allDelivered(sent, [partner]) ? true : undefined), 30_000, 'every referral answered 201 to be delivered');
    expect(gateway.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();
    // And they still stop cleanly afterwards.
    const [gatewayStop, workerStop] = await Promise.all([signalAndWait(gateway, 'SIGTERM'), signalAndWait(worker, 'SIGTERM')]);

    const counts = tally(sent, [partner]);
    const count = (p: (o: Outcome) => boolean) => outcomes.filter(p).length;
    const figures = {
      answered201: count((o) => o.status === 201),
      answered503: count((o) => o.status === 503),
      answered500: count((o) => o.status === 500),
      otherAnswers: count((o) => o.status !== 201 && o.status !== 503 && o.status !== 500),
      maxRequestMs: Math.round(Math.max(...outcomes.map((o) => o.ms))),
      maxRequestMsWhileDown: Math.round(Math.max(0, ...outcomes.filter((o) => o.phase !== 'before' && o.phase !== 'after').map((o) => o.ms))),
    };
    summary(
      `PostgreSQL fast shutdown, down ${DOWN_MS / 1000} s, restarted on the same port, 4 clients posting`,
      `503 problem+json + Retry-After while down (no 500, each request < ${REQUEST_BOUND_MS / 1000} s), /readyz 503, recovers without restart, every 201 delivered`,
      { ...counts, ...figures, readyzWhileDown: [...new Set(readyWhileDown.map((r) => r.status))].join('/'), recoveredInMs, listenersBefore, listenersAfter, sigtermAfter: `${gatewayStop.code}/${workerStop.code} in ${Math.max(gatewayStop.ms, workerStop.ms)} ms` },
      started,
    );

    // While down: 503s, as problem+json with Retry-After; never a 500, an error, or a hang.
    expect(figures).toMatchObject({ answered500: 0, otherAnswers: 0 });
    expect(figures.maxRequestMs).toBeLessThan(REQUEST_BOUND_MS);
    expect(count((o) => o.phase === 'down' && o.status === 503)).toBeGreaterThan(0);
    for (const o of outcomes.filter((x) => x.status === 503)) {
      expect(o.contentType).toMatch(/^application\/problem\+json/);
      expect(Number(o.retryAfter)).toBeGreaterThan(0);
    }
    expect(readyWhileDown.length).toBeGreaterThan(0);
    for (const r of readyWhileDown) {
      expect(r).toMatchObject({ status: 503, postgres: false });
      expect(r.ms).toBeLessThan(REQUEST_BOUND_MS);
    }
    expect(ready).toBe(true);
    expect([gatewayStop.code, workerStop.code]).toEqual([0, 0]);
    // Up to the 5 s that stop() gives the database pool: connections the outage closed mid-query stay
    // "busy" in postgres.js and are destroyed at that deadline.
    expect(Math.max(gatewayStop.ms, workerStop.ms)).toBeLessThan(10_000);
    expect(listenersBefore).toBe(2);
    expect(listenersAfter).toBe(listenersBefore);
    expect({ sent: counts.sent, delivered: counts.delivered, duplicates: counts.duplicates, lost: counts.lost }).toEqual({
      sent: sent.length,
      delivered: sent.length,
      duplicates: 0,
      lost: 0,
    });
  });
});
