import type { Sql } from '../db/connect.js';

/** FHIR status sync: the Task version applied per referral, and each partner's poll cursor (002_fhir.sql). */

export async function appliedTaskVersion(tx: Sql, referralId: string): Promise<string | undefined> {
  const [row] = await tx<{ task_version: string }[]>`SELECT task_version FROM fhir_task_sync WHERE referral_id = ${referralId}`;
  return row?.task_version;
}

export async function rememberTaskVersion(
  tx: Sql,
  v: { referralId: string; partnerId: string; taskId: string; version: string; status: string; changedAt: string },
): Promise<void> {
  await tx`INSERT INTO fhir_task_sync (referral_id, partner_id, task_id, task_version, task_status, changed_at)
    VALUES (${v.referralId}, ${v.partnerId}, ${v.taskId}, ${v.version}, ${v.status}, ${v.changedAt})
    ON CONFLICT (referral_id) DO UPDATE SET task_id = excluded.task_id, task_version = excluded.task_version,
      task_status = excluded.task_status, changed_at = excluded.changed_at, applied_at = now()`;
}

export async function pollCursor(sql: Sql, partnerId: string): Promise<string | undefined> {
  const [row] = await sql<{ cursor: string | null }[]>`SELECT cursor FROM fhir_poll_state WHERE partner_id = ${partnerId}`;
  return row?.cursor ?? undefined;
}

/** Records a poll's outcome; the cursor moves only when the poll applied everything it read. */
export async function recordPoll(sql: Sql, partnerId: string, outcome: { cursor?: string | undefined; error?: string | null }): Promise<void> {
  await sql`INSERT INTO fhir_poll_state (partner_id, cursor, polled_at, last_error)
    VALUES (${partnerId}, ${outcome.cursor ?? null}, now(), ${outcome.error ?? null})
    ON CONFLICT (partner_id) DO UPDATE SET cursor = coalesce(excluded.cursor, fhir_poll_state.cursor), polled_at = now(), last_error = excluded.last_error`;
}
