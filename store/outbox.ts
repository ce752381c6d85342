import { newId } from '../lib/ids.js';
import type { Sql } from '../db/connect.js';
import { CHANNELS } from '../db/coordination.js';
import { withParticipantColumns, withParticipantFromRow, type WithParticipantRow } from './referrals.js';

/*
 * The outbox keeps the database's `now()`: retry delays, relay leases and claim leases are
 * real-time mechanics of getting a message out (seconds, measured between processes), not
 * decisions about the case, so they stay on the one clock every process shares and do not
 * follow the hub's decision clock (lib/clock.ts).
 */

/**
 * `deliver` and `cancel` go to the partner; `notify` goes to the referring organisation (an SLA
 * breach), and its `partnerId` is then that recipient: the message travels through its adapter.
 */
export type OutboxKind = 'deliver' | 'cancel' | 'notify';

export interface OutboxRow {
  id: string;
  referralId: string;
  kind: OutboxKind;
  messageId: string;
  partnerId: string;
  attempts: number;
  relays: number;
}

type Row = { id: string; referral_id: string; kind: OutboxKind; message_id: string; partner_id: string; attempts: number; relays: number };
const toOutbox = (r: Row): OutboxRow => ({
  id: String(r.id), referralId: r.referral_id, kind: r.kind, messageId: r.message_id, partnerId: r.partner_id, attempts: r.attempts, relays: r.relays,
});

/** A Standard Webhooks message id: one per message, reused on every retry and replay. */
export const newMessageId = () => newId('msg');

/** Written in the same transaction as the change it announces; the NOTIFY wakes the relay at commit. */
export async function insertOutbox(tx: Sql, row: { referralId: string; kind: OutboxKind; partnerId: string; messageId?: string }): Promise<void> {
  await tx`INSERT INTO outbox (referral_id, kind, message_id, partner_id) VALUES (${row.referralId}, ${row.kind}, ${row.messageId ?? newMessageId()}, ${row.partnerId})`;
  await tx`SELECT pg_notify(${CHANNELS.outbox}, '')`;
}

/** The message id a referral's delivery used before, so a replay reuses it. */
export async function deliveryMessageId(sql: Sql, referralId: string): Promise<string | undefined> {
  const [row] = await sql<{ message_id: string }[]>`SELECT message_id FROM outbox WHERE referral_id = ${referralId} AND kind = 'deliver' ORDER BY id DESC LIMIT 1`;
  return row?.message_id;
}

/**
 * Picks rows that are due and not relayed, and marks them relayed; with `expiredLeases`, also
 * rows relayed longer than the lease ago, whose job Redis may have lost (Postgres is the source
 * of truth). The first is what every wake needs and reads a small index (migration 033); the
 * second reads every pending row, so the relay runs it only at its poll interval.
 * A row a worker has claimed waits for the claim to lapse: a job relayed earlier would only find
 * it claimed, be dropped as stale, and leave the row to wait a whole further lease after a crash.
 */
export async function takeDueForRelay(sql: Sql, leaseSeconds: number, limit = 500, { expiredLeases = true } = {}): Promise<OutboxRow[]> {
  const notRelayed = expiredLeases
    ? sql`(relayed_at IS NULL OR relayed_at < now() - make_interval(secs => ${leaseSeconds}))`
    : sql`relayed_at IS NULL`;
  const rows = await sql<Row[]>`UPDATE outbox SET relayed_at = now(), relays = relays + 1 WHERE id IN (
      SELECT id FROM outbox WHERE done_at IS NULL AND available_at <= now() AND ${notRelayed}
        AND (locked_until IS NULL OR locked_until < now())
      ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING id, referral_id, kind, message_id, partner_id, attempts, relays`;
  return rows.map(toOutbox);
}

/**
 * Hands rows back to the relay at once, when the job it queued for them never reached Redis
 * (BullMQ kept an older job under the same id). The relay's next pass takes them under a new
 * relay count, and so under a new job id.
 */
export async function relayAgainNow(sql: Sql, outboxIds: string[]): Promise<void> {
  await sql`UPDATE outbox SET relayed_at = NULL WHERE id = ANY(${outboxIds}::bigint[]) AND done_at IS NULL`;
}

/** What is waiting to be delivered, as PostgreSQL (the record) has it. */
export interface OutboxBacklog {
  /** Rows due now: waiting for the relay, for a worker, or being sent. */
  due: number;
  /** Rows waiting for a retry's backoff to run out. */
  scheduled: number;
  /** How long the oldest due row has been due; 0 when none is. */
  oldestDueSeconds: number;
}

/** Read by /readyz (a stalled worker shows as an old due row) and by /metrics, one query for both. */
export async function outboxBacklog(sql: Sql): Promise<OutboxBacklog> {
  const [row] = await sql<{ due: number; scheduled: number; oldest: number | null }[]>`
    SELECT count(*) FILTER (WHERE available_at <= now())::int AS due,
           count(*) FILTER (WHERE available_at > now())::int AS scheduled,
           extract(epoch FROM now() - min(available_at) FILTER (WHERE available_at <= now()))::float8 AS oldest
      FROM outbox WHERE done_at IS NULL`;
  return { due: row?.due ?? 0, scheduled: row?.scheduled ?? 0, oldestDueSeconds: row?.oldest ?? 0 };
}

/**
 * Claims one attempt for processing, and reads in the same statement the referral with the
 * participant fields its consent decision needs: one round trip for what every delivery starts
 * with. A stale job (an attempt already made, or a row already done) claims nothing, which makes
 * duplicate jobs harmless.
 */
export async function claimAttempt(sql: Sql, outboxId: string, attempt: number, leaseSeconds: number) {
  const [row] = await sql<(WithParticipantRow & { outbox: Row })[]>`
    WITH claimed AS (
      UPDATE outbox SET locked_until = now() + make_interval(secs => ${leaseSeconds})
      WHERE id = ${outboxId} AND attempts = ${attempt} AND done_at IS NULL AND (locked_until IS NULL OR locked_until < now())
      RETURNING id, referral_id, kind, message_id, partner_id, attempts, relays
    )
    SELECT ${withParticipantColumns(sql)}, to_json(c) AS outbox
    FROM claimed c JOIN referrals r ON r.id = c.referral_id JOIN participants p ON p.id = r.participant_id`;
  return row && { outbox: toOutbox(row.outbox), ...withParticipantFromRow(row) };
}

export async function finishOutbox(tx: Sql, outboxId: string, outcome: string, error?: string): Promise<void> {
  await tx`UPDATE outbox SET done_at = now(), attempts = attempts + 1, outcome = ${outcome}, last_error = ${error ?? null}, locked_until = NULL
    WHERE id = ${outboxId}`;
}

export async function scheduleRetry(tx: Sql, outboxId: string, delaySeconds: number, error: string): Promise<void> {
  await tx`UPDATE outbox SET attempts = attempts + 1, available_at = now() + make_interval(secs => ${delaySeconds}),
      relayed_at = NULL, locked_until = NULL, last_error = ${error} WHERE id = ${outboxId}`;
  await tx`SELECT pg_notify(${CHANNELS.outbox}, '')`;
}

export async function recordAttempt(sql: Sql, a: { outboxId: string; referralId: string; attempt: number; outcome: string; detail?: string | undefined }) {
  await sql`INSERT INTO delivery_attempts (outbox_id, referral_id, attempt, outcome, detail)
    VALUES (${a.outboxId}, ${a.referralId}, ${a.attempt}, ${a.outcome}, ${a.detail ?? null})`;
}

/** Stops pending deliveries of a referral (cancel, or a consent that no longer permits it). */
export async function cancelPendingDeliveries(tx: Sql, referralId: string, outcome: string): Promise<number> {
  const rows = await tx`UPDATE outbox SET done_at = now(), outcome = ${outcome} WHERE referral_id = ${referralId} AND kind = 'deliver' AND done_at IS NULL RETURNING id`;
  return rows.length;
}

/** A job that is waiting on purpose (partner limits) is not lost: keep the relay's lease fresh. */
export async function touchRelayed(sql: Sql, outboxId: string): Promise<void> {
  await sql`UPDATE outbox SET relayed_at = now() WHERE id = ${outboxId} AND done_at IS NULL`;
}
