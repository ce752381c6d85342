import type { Sql } from '../db/connect.js';
import type { DataKeyring } from '../crypto/data-keys.js';
import { reachedMilestones, type Milestone } from '../domain/indicator-milestones.js';
import { newId } from '../lib/ids.js';
import type { DataCategory, ReferralStatus } from '../schemas/vocabulary.js';

export interface EventRecord {
  id: string;
  referralId: string;
  type: string;
  occurredAt: string;
  byOrgId: string | null;
  reason: string | null;
  appointmentAt: string | null;
  note: { category: DataCategory; text: string } | null;
  statusAfter: ReferralStatus;
}

/**
 * `recordedAt` is when the hub recorded the event, by its decision clock (lib/clock.ts): it is
 * `created_at`, which the SLA sweep compares with deadlines (store/sla.ts), and `occurred_at` when
 * the poster gave none. It is not left to the database's `now()` because a deadline is judged on
 * that clock too, and the two must agree.
 */
export async function insertEvent(
  tx: Sql,
  keyring: DataKeyring,
  event: Omit<EventRecord, 'id' | 'occurredAt' | 'note' | 'reason' | 'appointmentAt'> & {
    occurredAt?: string | undefined; byClientId?: string | null; reason?: string | null | undefined; appointmentAt?: string | null | undefined;
    note?: { category: DataCategory; text: string } | null | undefined;
  },
  recordedAt: Date,
): Promise<EventRecord> {
  const id = newId('evt');
  const noteJwe = event.note ? await keyring.encrypt(event.note.text) : null;
  const reasonJwe = event.reason ? await keyring.encrypt(event.reason) : null;
  // The milestones this event reaches are set on the referral in the same statement, so in the
  // transaction of the status change; only the first event to reach one sets it (coalesce), and a
  // referral that reaches nothing new is not written at all.
  const reached = new Set(reachedMilestones(event.type, event.statusAfter));
  const set = (m: Milestone, column: string) => tx`CASE WHEN ${reached.has(m)} THEN coalesce(${tx(column)}, ${recordedAt}) ELSE ${tx(column)} END`;
  const missing = (m: Milestone, column: string) => tx`(${reached.has(m)} AND ${tx(column)} IS NULL)`;
  const [row] = await tx<{ occurred_at: Date }[]>`WITH e AS (
      INSERT INTO referral_events
        (id, referral_id, type, occurred_at, by_org_id, by_client_id, reason_jwe, appointment_at, note_category, note_jwe, status_after, created_at)
      VALUES (${id}, ${event.referralId}, ${event.type}, ${event.occurredAt ?? recordedAt}, ${event.byOrgId}, ${event.byClientId ?? null},
        ${reasonJwe}, ${event.appointmentAt ?? null}, ${event.note?.category ?? null}, ${noteJwe}, ${event.statusAfter}, ${recordedAt})
      RETURNING occurred_at
    ), milestones AS (
      UPDATE referrals SET
        acknowledged_at = ${set('acknowledged', 'acknowledged_at')}, first_contact_at = ${set('first_contact', 'first_contact_at')},
        connected_at = ${set('connected', 'connected_at')}, completed_at = ${set('completed', 'completed_at')},
        rejected_at = ${set('rejected', 'rejected_at')}, sla_breached_at = ${set('sla_breached', 'sla_breached_at')}
      WHERE id = ${event.referralId} AND (${missing('acknowledged', 'acknowledged_at')} OR ${missing('first_contact', 'first_contact_at')}
        OR ${missing('connected', 'connected_at')} OR ${missing('completed', 'completed_at')} OR ${missing('rejected', 'rejected_at')}
        OR ${missing('sla_breached', 'sla_breached_at')})
    )
    SELECT occurred_at FROM e`;
  return {
    id, referralId: event.referralId, type: event.type, occurredAt: row!.occurred_at.toISOString(), byOrgId: event.byOrgId,
    reason: event.reason ?? null, appointmentAt: event.appointmentAt ?? null, note: event.note ?? null, statusAfter: event.statusAfter,
  };
}

export async function listEvents(sql: Sql, keyring: DataKeyring, referralId: string): Promise<EventRecord[]> {
  const rows = await sql<{ id: string; type: string; occurred_at: Date; by_org_id: string | null; reason_jwe: string | null; appointment_at: Date | null; note_category: DataCategory | null; note_jwe: string | null; status_after: ReferralStatus }[]>`
    SELECT id, type, occurred_at, by_org_id, reason_jwe, appointment_at, note_category, note_jwe, status_after
    FROM referral_events WHERE referral_id = ${referralId} ORDER BY seq`;
  return Promise.all(
    rows.map(async (r) => ({
      id: r.id, referralId, type: r.type, occurredAt: r.occurred_at.toISOString(), byOrgId: r.by_org_id, reason: r.reason_jwe ? await keyring.decrypt<string>(r.reason_jwe) : null,
      appointmentAt: r.appointment_at?.toISOString() ?? null,
      note: r.note_category && r.note_jwe ? { category: r.note_category, text: await keyring.decrypt<string>(r.note_jwe) } : null,
      statusAfter: r.status_after,
    })),
  );
}

/** The referral's latest engagement event (intake scheduled, attended, no-show), if any. */
export async function lastEngagementEvent(tx: Sql, referralId: string): Promise<{ type: string; appointmentAt: string | null } | undefined> {
  const [last] = await tx<{ type: string; appointment_at: Date | null }[]>`SELECT type, appointment_at FROM referral_events
    WHERE referral_id = ${referralId} AND type IN ('intake_scheduled', 'attended', 'no_show') ORDER BY seq DESC LIMIT 1`;
  return last && { type: last.type, appointmentAt: last.appointment_at?.toISOString() ?? null };
}
