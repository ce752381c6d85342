import type { Sql } from '../db/connect.js';
import { newId } from '../lib/ids.js';
import type { ReferralStatus } from '../schemas/vocabulary.js';

/** A delivery the partner took, as the worker knows it once the adapter has answered. */
export interface TakenDelivery {
  outboxId: string;
  referralId: string;
  messageId: string;
  /** The attempt's number, from 1. */
  attempt: number;
  detail: string | undefined;
  /** The status the state machine moves a queued referral to on delivery, and what it keeps of the one before a hold. */
  next: { status: ReferralStatus; statusBeforeHold: ReferralStatus | null };
  /** The hub's clock: the delivery's stamp and its timeline event agree (SLA timers run from it). */
  at: Date;
}

/**
 * Records a delivery in ONE statement when the referral still stands `queued`, as almost every
 * delivery finds it: the referral moves on, its `delivered` event and audit entry, the attempt,
 * and the outbox row finished. Answers whether it did; when it did not (a cancellation or a
 * consent change landed while the message was in flight), it wrote nothing, and the caller records
 * the outcome the general way, under a row lock.
 *
 * One statement is one implicit transaction: one round trip to PostgreSQL instead of four
 * (BEGIN, the attempt and the lock, the writes, COMMIT), on the path every referral takes. The
 * UPDATE's `status = 'queued'` is re-checked on the newest row version when another transaction
 * changed it first, so a cancellation committed meanwhile is never overwritten; it takes the
 * referral's row lock before the outbox row's, in the order every other writer takes them.
 * It sets no indicator milestone column: a delivery reaches none (domain/indicator-milestones.ts),
 * and services/referral-status.ts does not call it for one that would.
 *
 * Its writes are those the general path makes one by one (setReferralStatus, insertEvent,
 * appendAudit, recordAttempt, finishOutbox, as services/deliveries.ts `outcomeWrites` calls them
 * for a queued referral delivered): a change to what those record changes this statement too.
 * test/integration/referral-flow.test.ts checks every record a delivery leaves.
 */
export async function recordQueuedDelivered(sql: Sql, d: TakenDelivery): Promise<boolean> {
  const [row] = await sql<{ moved: number }[]>`
    WITH moved AS (
      UPDATE referrals SET status = ${d.next.status}, status_before_hold = ${d.next.statusBeforeHold},
        delivered_at = coalesce(delivered_at, ${d.at}), last_error = NULL, updated_at = now()
      WHERE id = ${d.referralId} AND status = 'queued'
      RETURNING id, partner_id
    ), event AS (
      INSERT INTO referral_events (id, referral_id, type, occurred_at, by_org_id, status_after, created_at)
      SELECT ${newId('evt')}, id, 'delivered', ${d.at}, NULL, ${d.next.status}, ${d.at} FROM moved
    ), audit AS (
      INSERT INTO audit_log (actor, action, subject, detail)
      SELECT 'hub', 'referral.delivered', id, jsonb_build_object('partnerId', partner_id, 'messageId', ${d.messageId}::text) FROM moved
    ), attempt AS (
      INSERT INTO delivery_attempts (outbox_id, referral_id, attempt, outcome, detail)
      SELECT ${d.outboxId}, id, ${d.attempt}, 'delivered', ${d.detail ?? null} FROM moved
    ), finished AS (
      UPDATE outbox SET done_at = now(), attempts = attempts + 1, outcome = 'delivered', last_error = NULL, locked_until = NULL
      WHERE id = ${d.outboxId} AND EXISTS (SELECT 1 FROM moved)
    )
    SELECT count(*)::int AS moved FROM moved`;
  return row!.moved > 0;
}
