import type { Sql } from '../db/connect.js';
import { SLA_OPEN_STATUSES, type SlaKind, type SlaSettings, type SlaTimer } from '../domain/sla.js';
import type { ReferralStatus } from '../schemas/vocabulary.js';
import type { StoredAdapter } from './organizations.js';

/** A referral past one of its partner's deadlines, with no breach recorded for that timer yet. */
export interface DueBreach {
  referralId: string;
  referrerOrgId: string;
  partnerId: string;
  sla: SlaSettings;
  deadline: Date;
  referrerAdapter: StoredAdapter['type'];
}

type DueRow = {
  id: string; referrer_org_id: string; partner_id: string; sla: SlaSettings; deadline: Date; referrer_adapter: StoredAdapter['type'];
};

/**
 * Referrals past `timer`'s deadline at `at` (the hub's clock), locked FOR UPDATE (SKIP LOCKED: a referral that a request is
 * changing right now is looked at again by the next sweep, with its change committed).
 *
 * - The deadline is `delivered_at` plus the partner's current setting.
 * - A meeting event counts when the hub recorded it (`created_at`, the hub's clock) by the deadline;
 *   `occurred_at` is the partner's word and may be back-dated. An acknowledgement that arrives
 *   late is still a breach, also when no sweep ran in between (after a restart).
 *
 * `at` is the hub's decision clock (lib/clock.ts), and `delivered_at` and the events' `created_at`
 * were stamped by the same clock (store/referrals.ts, store/events.ts), never by the database's
 * `now()`: deadline, acknowledgement and sweep are all judged on one clock.
 *
 * What the referrer may be told about the referral is not decided here: the sweep asks the
 * consent rule for that (services/referrer-sight.ts), as every other channel does.
 */
export async function lockDueBreaches(tx: Sql, timer: SlaTimer, limit: number, at: Date): Promise<DueBreach[]> {
  const rows = await tx<DueRow[]>`
    SELECT r.id, r.referrer_org_id, r.partner_id, p.sla, d.deadline, ref.adapter->>'type' AS referrer_adapter
    FROM organizations p
    JOIN referrals r ON r.partner_id = p.id
    JOIN organizations ref ON ref.id = r.referrer_org_id
    CROSS JOIN LATERAL (
      SELECT r.delivered_at + make_interval(secs => (p.sla->>${timer.setting}::text)::float8 * ${timer.unitSeconds}::float8) AS deadline
    ) d
    WHERE p.sla->>${timer.setting}::text IS NOT NULL
      AND r.delivered_at IS NOT NULL
      AND r.status = ANY(${[...SLA_OPEN_STATUSES]})
      AND d.deadline <= ${at}
      AND NOT EXISTS (SELECT 1 FROM referral_events e WHERE e.referral_id = r.id AND e.type = ANY(${[...timer.metBy]}) AND e.created_at <= d.deadline)
      AND NOT EXISTS (SELECT 1 FROM referral_sla_breaches b WHERE b.referral_id = r.id AND b.kind = ${timer.kind})
    ORDER BY d.deadline
    LIMIT ${limit}
    FOR UPDATE OF r SKIP LOCKED`;
  return rows.map((r) => ({
    referralId: r.id, referrerOrgId: r.referrer_org_id, partnerId: r.partner_id, sla: r.sla, deadline: r.deadline,
    referrerAdapter: r.referrer_adapter,
  }));
}

/** Records a breach once; false when it was already recorded (the primary key decides). */
export async function recordBreach(
  tx: Sql,
  b: { referralId: string; kind: SlaKind; deadline: Date; status: ReferralStatus; partnerId: string; messageId: string | null },
): Promise<boolean> {
  const rows = await tx`INSERT INTO referral_sla_breaches (referral_id, kind, deadline, status, partner_id, message_id)
    VALUES (${b.referralId}, ${b.kind}, ${b.deadline}, ${b.status}, ${b.partnerId}, ${b.messageId})
    ON CONFLICT (referral_id, kind) DO NOTHING RETURNING referral_id`;
  return rows.length === 1;
}

export interface BreachRecord {
  referralId: string;
  kind: SlaKind;
  deadline: string;
  status: ReferralStatus;
  partnerId: string;
  breachedAt: string;
}

/** The breach a referrer's notification (outbox kind `notify`) announces, by its webhook-id. */
export async function breachByMessageId(sql: Sql, messageId: string): Promise<BreachRecord | undefined> {
  const [row] = await sql<{ referral_id: string; kind: SlaKind; deadline: Date; status: ReferralStatus; partner_id: string; breached_at: Date }[]>`
    SELECT referral_id, kind, deadline, status, partner_id, breached_at FROM referral_sla_breaches WHERE message_id = ${messageId}`;
  return row && {
    referralId: row.referral_id, kind: row.kind, deadline: row.deadline.toISOString(), status: row.status, partnerId: row.partner_id,
    breachedAt: row.breached_at.toISOString(),
  };
}

/** The breaches recorded on `referralIds`, of those `referrerOrgId` sent (the others are simply not found). */
export async function breachesSentBy(sql: Sql, referrerOrgId: string, referralIds: readonly string[]): Promise<{ referralId: string; kind: SlaKind; deadline: string }[]> {
  if (referralIds.length === 0) return [];
  const rows = await sql<{ referral_id: string; kind: SlaKind; deadline: Date }[]>`
    SELECT b.referral_id, b.kind, b.deadline FROM referral_sla_breaches b JOIN referrals r ON r.id = b.referral_id
    WHERE r.referrer_org_id = ${referrerOrgId} AND b.referral_id = ANY(${[...referralIds]}) ORDER BY b.deadline`;
  return rows.map((r) => ({ referralId: r.referral_id, kind: r.kind, deadline: r.deadline.toISOString() }));
}
