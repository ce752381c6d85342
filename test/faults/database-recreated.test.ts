import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { eventually } from '../support/hub.js';
import { freePort, type HubProcess } from '../support/process-hub.js';
import { allDelivered, faultEnv, inParallel, postReferral, recreateDatabase, setUpReferrals, showLogsOnFailure, startGateway, startPartner, startWorker, summary, tally, type Partner } from './support.js';

// A relay lease far longer than the time the referrals are given: a delivery that had to wait
// for the relay to queue it again after a lease (what a job id collision used to cost) fails.
const LEASE_S = 120;
const WITHIN_MS = 20_000;
const REFERRALS = 5;

/**
 * Fault: the database is dropped and created again (start over, or a restore onto a fresh
 * server) while Redis keeps its jobs under the same queue prefix. The new database numbers its
 * outbox rows from 1 again, as the old one did, and the completed jobs of the old rows are still
 * in Redis. Expectation: the first referrals afterwards are delivered within the normal latency,
 * not after a relay lease.
 */
describe('fault: the database is recreated under a Redis that kept its jobs', () => {
  let db: TestDatabase;
  let partner: Partner;
  const processes: HubProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    partner = await startPartner(() => 204);
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await partner?.receiver.close();
    await db?.drop();
  });

  const outboxIds = async (referralIds: string[]) => {
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      return (await sql<{ id: string }[]>`SELECT id FROM outbox WHERE referral_id = ANY(${referralIds}) ORDER BY id`).map((r) => String(r.id));
    } finally {
      await sql.end();
    }
  };

  it(`delivers the first referrals on the new database within ${WITHIN_MS / 1000} s, not after the ${LEASE_S} s lease`, async () => {
    showLogsOnFailure(processes);
    const started = Date.now();
    const port = await freePort();
    const { env, adminKey, publicUrl } = await faultEnv(db.url, port, { HUB_RELAY_LEASE_SECONDS: String(LEASE_S) });

    const postAll = async (s: Awaited<ReturnType<typeof setUpReferrals>>) =>
      (await inParallel(REFERRALS, 5, () => postReferral(s))).map((r) => {
        if (r.status !== 201) throw new Error(`unexpected ${r.status} ${JSON.stringify(r.body)}`);
        return r.body.id as string;
      });

    // Before: referrals delivered, their completed jobs left in Redis.
    let [gateway, worker] = await Promise.all([startGateway(env, port), startWorker(env)]);
    processes.push(gateway, worker);
    const before = await postAll(await setUpReferrals(gateway.url, publicUrl, adminKey, [partner.url]));
    await eventually(async () => (allDelivered(before, [partner]) ? true : undefined), WITHIN_MS, 'the first database’s referrals to be delivered');
    const oldOutboxIds = await outboxIds(before);
    await Promise.all([gateway.kill('SIGTERM'), worker.kill('SIGTERM')]);

    // The database starts over; Redis and the queue prefix stay as they were.
    await recreateDatabase(db.url);
    [gateway, worker] = await Promise.all([startGateway(env, port), startWorker(env)]);
    processes.push(gateway, worker);
    const s = await setUpReferrals(gateway.url, publicUrl, adminKey, [partner.url]);
    const postedAt = Date.now();
    const after = await postAll(s);
    // The premise: the new rows have the ids whose jobs Redis still holds.
    expect(await outboxIds(after)).toEqual(oldOutboxIds);
    await eventually(async () => (allDelivered(after, [partner]) ? true : undefined), WITHIN_MS, 'the new database’s referrals to be delivered');
    const deliveredInMs = Math.max(...after.map((id) => partner.acked.has(id) ? Math.min(...partner.arrivals.get(id)!) : Infinity)) - postedAt;

    const counts = tally(after, [partner], before);
    summary('database dropped and recreated, Redis kept its jobs', `first referrals delivered within ${WITHIN_MS / 1000} s (lease ${LEASE_S} s)`, { ...counts, deliveredInMs }, started);
    expect({ sent: counts.sent, delivered: counts.delivered, duplicates: counts.duplicates, lost: counts.lost }).toEqual({ sent: REFERRALS, delivered: REFERRALS, duplicates: 0, lost: 0 });
    expect(worker.output()).not.toMatch(/BullMQ kept the old jobs/);
  });
});
