import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { eventually } from '../support/hub.js';
import { freePort, spawnHub, type HubProcess } from '../support/process-hub.js';
import type { ReceiverResponse } from '../support/webhook-receiver.js';
import { allDelivered, faultEnv, postReferral, setUpReferrals, startPartner, summary, tally, type Behaviour, type Partner, showLogsOnFailure } from './support.js';

const TIMEOUT_MS = 500;
/** Seconds before each attempt: at once, then 0.3 s, then 0.6 s (each ±20 % jitter); three attempts in all. */
const SCHEDULE = [0, 0.3, 0.6];
const SLACK_MS = 1_500;

/** Answers 204, but only after a minute: longer than any attempt may take. */
const hangFor60s: Behaviour = () => new Promise<ReceiverResponse>((resolve) => setTimeout(() => resolve(204), 60_000).unref());

/**
 * Fault 4: partners that answer 500, hang for 60 s, or close the connection, each behind its own
 * HTTP server, with the hub in its own process. Expectation: every attempt is bounded by
 * HUB_DELIVERY_TIMEOUT_MS, retries follow the schedule (growing, jittered), the referral ends
 * `delivery_failed` with the reason, and a replay delivers it under the same webhook-id once the
 * partner is back. (Integration tests cover the status mapping in detail.)
 */
describe('fault: partners that fail, hang or drop the connection', () => {
  let db: TestDatabase;
  const processes: HubProcess[] = [];
  const partners: Record<string, Partner> = {};

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    const [failing, hanging, dropping] = await Promise.all([startPartner(() => 500), startPartner(hangFor60s), startPartner(() => 'destroy')]);
    Object.assign(partners, { 'answers 500': failing!, 'hangs 60 s': hanging!, 'drops the connection': dropping! });
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await Promise.all(Object.values(partners).map((p) => p.receiver.close()));
    await db?.drop();
  });

  it('bounds each attempt, retries with backoff, ends delivery_failed, and a replay delivers', async () => {
    showLogsOnFailure(processes);
    const started = Date.now();
    const port = await freePort();
    const { env, adminKey, publicUrl } = await faultEnv(db.url, port, {
      HUB_DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS),
      HUB_DELIVERY_SCHEDULE: SCHEDULE.join(','),
      HUB_RELAY_LEASE_SECONDS: '2',
    });
    // One process with HUB_ROLE=all: the fault is on the partner's side of the wire.
    const hub = await spawnHub({ ...env, HUB_ROLE: 'all' }, port);
    processes.push(hub);
    const names = Object.keys(partners);
    const list = names.map((n) => partners[n]!);
    const s = await setUpReferrals(hub.url, publicUrl, adminKey, list.map((p) => p.url));

    const ids: string[] = [];
    for (const partnerId of s.partnerIds) {
      const r = await postReferral(s, partnerId);
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    const read = async (id: string) => (await s.api.request('GET', `/v1/referrals/${id}`, { token: s.planner })).body;
    const failed = await eventually(async () => {
      const views = await Promise.all(ids.map(read));
      return views.every((v) => v.status === 'delivery_failed') ? views : undefined;
    }, 30_000, 'every referral to end delivery_failed');

    const details: Record<string, { attempts: number; gapsMs: number[]; lastError: string }> = {};
    for (const [i, name] of names.entries()) {
      const arrivals = list[i]!.arrivals.get(ids[i]!) ?? [];
      const gapsMs = arrivals.slice(1).map((t, k) => t - arrivals[k]!);
      details[name] = { attempts: arrivals.length, gapsMs, lastError: failed[i].lastError };
      // Exactly the scheduled number of attempts, then delivery_failed.
      expect(arrivals, name).toHaveLength(SCHEDULE.length);
      for (const [k, gap] of gapsMs.entries()) {
        // An attempt that got no answer took the timeout, never more; then the (jittered) delay.
        const took = name === 'hangs 60 s' ? TIMEOUT_MS : 0;
        expect(gap, `${name}: gap before attempt ${k + 2}`).toBeGreaterThanOrEqual(took + 0.8 * SCHEDULE[k + 1]! * 1000 - 20);
        expect(gap, `${name}: gap before attempt ${k + 2}`).toBeLessThan(took + 1.2 * SCHEDULE[k + 1]! * 1000 + SLACK_MS);
      }
    }
    expect(details['answers 500']!.lastError).toBe('HTTP 500');
    expect(details['hangs 60 s']!.lastError).toBe(`timeout after ${TIMEOUT_MS} ms`);
    expect(details['drops the connection']!.lastError).toMatch(/^network error/);

    // The partners are back: a replay delivers each referral, under the webhook-id it had before.
    for (const p of list) p.behaviour = () => 204;
    for (const id of ids) {
      const replay = await s.api.request('POST', `/v1/referrals/${id}/replay`, { token: s.planner });
      expect(replay.status).toBe(200);
    }
    await eventually(async () => (allDelivered(ids, list) ? true : undefined), 15_000, 'every replayed referral to be delivered');
    // The hub records the outcome just after the partner has answered.
    await eventually(async () => ((await Promise.all(ids.map(read))).every((v) => v.status === 'delivered') ? true : undefined), 10_000, 'every referral delivered');

    const counts = tally(ids, list);
    summary(
      `partners answer 500 / hang 60 s / drop the connection (timeout ${TIMEOUT_MS} ms, schedule ${SCHEDULE.join(',')} s)`,
      `${SCHEDULE.length} attempts, each cut off at the timeout, gaps >= 0.8x the scheduled delay (jitter ±20 %), then delivery_failed; replay delivers under the same webhook-id`,
      {
        ...counts,
        ...Object.fromEntries(names.map((n) => [n.replace(/ /g, '_'), `${details[n]!.attempts}x[gaps ${details[n]!.gapsMs.join('/')} ms]`])),
      },
      started,
    );
    expect({ sent: counts.sent, delivered: counts.delivered, duplicates: counts.duplicates, lost: counts.lost }).toEqual({
      sent: 3,
      delivered: 3,
      duplicates: 0,
      lost: 0,
    });
  });
});
