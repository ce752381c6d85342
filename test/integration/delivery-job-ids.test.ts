import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../lib/logger.js';
import { databaseInstanceId } from '../../store/database-instance.js';
import { deliveryJobId } from '../../lib/queues.js';
import { consentingParticipant, planningAgency, refer, statusBecomes, webhookPartner, type WebhookPartner } from '../support/delivery.js';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { scrapeMetrics } from '../support/metrics.js';

// A lease far longer than the time each referral is given: a delivery that had to wait for the
// relay to re-enqueue it after a lease cannot pass.
const LEASE = { HUB_RELAY_LEASE_SECONDS: '120' };
const WITHIN_MS = 15_000;

/** A hub with one webhook partner and a consenting participant; referrals go out at once. */
async function hubWithPartner(overrides: Record<string, string>, logger?: Logger) {
  const hub = await startTestHub({ ...LEASE, ...overrides }, logger ? { logger } : {});
  const agency = await planningAgency(hub);
  const partner = await webhookPartner(hub, 'Eastside Housing');
  const { participantId } = await consentingParticipant(hub, agency, [partner.id]);
  return { hub, partner, send: (reason?: string) => refer(hub, agency, participantId, partner.id, reason), delivered: (id: string) => statusBecomes(hub, agency, id, 'delivered', WITHIN_MS) };
}

const outboxIdOf = async (hub: TestHub, referralId: string) =>
  String((await hub.db.sql<{ id: string }[]>`SELECT id FROM outbox WHERE referral_id = ${referralId}`)[0]!.id);

describe('delivery job ids', () => {
  const hubs: TestHub[] = [];
  const partners: WebhookPartner[] = [];
  afterAll(async () => {
    await Promise.all(partners.map((p) => p.receiver.close()));
    for (const hub of hubs) await hub.stop();
  });

  it('name the database, so a database created afresh under a Redis that kept the old jobs delivers its first referral at once', async () => {
    const before = await hubWithPartner({});
    hubs.push(before.hub);
    partners.push(before.partner);
    const first = await before.send();
    await before.delivered(first.id);
    const oldOutboxId = await outboxIdOf(before.hub, first.id);
    const prefix = before.hub.env.HUB_QUEUE_PREFIX!;
    await before.hub.stop(); // drops its database; its completed job stays in Redis

    const after = await hubWithPartner({ HUB_QUEUE_PREFIX: prefix });
    hubs.push(after.hub);
    partners.push(after.partner);
    const next = await after.send();
    // The same outbox id as the job Redis still holds: what used to stall for a whole lease.
    expect(await outboxIdOf(after.hub, next.id)).toBe(oldOutboxId);
    await after.delivered(next.id);

    const completed = (await after.hub.running.hub.deliveries.getCompleted()).map((job) => job.id);
    const database = await databaseInstanceId(after.hub.db.sql);
    expect(completed).toContain(deliveryJobId(database, oldOutboxId, 0, 1));
    expect(completed.filter((id) => id?.endsWith(`-${oldOutboxId}-0-1`))).toHaveLength(2);
    expect((await scrapeMetrics(after.hub.running.url!)).value('hub_relay_job_id_collisions_total')).toBe(0);
  });

  it('that Redis already holds (a copy of this database) are noticed, reported, and replaced by new ones at once', async () => {
    const lines: { level: number; msg: string; outboxIds?: string[] }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) }) as unknown as Logger;
    const { hub, partner, send, delivered } = await hubWithPartner({}, logger);
    hubs.push(hub);
    partners.push(partner);

    // A restored backup or a promoted replica keeps the database's identity and numbers its next
    // outbox row as the original already did: Redis holds that row's first three relays' jobs.
    const [seq] = await hub.db.sql<{ last_value: string; is_called: boolean }[]>`SELECT last_value, is_called FROM outbox_id_seq`;
    const nextOutboxId = String(BigInt(seq!.last_value) + (seq!.is_called ? 1n : 0n));
    const database = await databaseInstanceId(hub.db.sql);
    const queue = hub.running.hub.deliveries;
    const taken = [1, 2, 3].map((relays) => deliveryJobId(database, nextOutboxId, 0, relays));
    for (const jobId of taken) await queue.add('deliver', { outboxId: nextOutboxId, attempt: 0 }, { jobId });
    // Processed before the row exists, they claim nothing and stay completed, as the copy's jobs would.
    await eventually(async () => ((await Promise.all(taken.map((id) => queue.getJobState(id)))).every((s) => s === 'completed') ? true : undefined), WITHIN_MS, 'the old jobs completed');

    const referral = await send();
    expect(await outboxIdOf(hub, referral.id)).toBe(nextOutboxId);
    await delivered(referral.id);

    const [row] = await hub.db.sql<{ relays: number }[]>`SELECT relays FROM outbox WHERE id = ${nextOutboxId}`;
    expect(row!.relays, 'queued under the first id Redis did not hold').toBe(4);
    expect((await scrapeMetrics(hub.running.url!)).value('hub_relay_job_id_collisions_total')).toBe(3);
    const warnings = lines.filter((l) => l.level === 40 && l.outboxIds?.includes(nextOutboxId));
    expect(warnings).toHaveLength(3);
    expect(warnings[0]!.msg).toMatch(/BullMQ kept the old jobs/);
  });
});
