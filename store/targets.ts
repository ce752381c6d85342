import type { Sql } from '../db/connect.js';
import { decodeCursor } from '../lib/cursor.js';
import type { Target } from '../schemas/indicators.js';
import type { Service } from '../schemas/vocabulary.js';

type Row = { id: string; service: Service; period_start: string; period_end: string; baseline: number; target: number; created_at: Date };

const toTarget = (r: Row): Target => ({
  id: r.id, service: r.service, period: { start: r.period_start, end: r.period_end }, baseline: r.baseline, target: r.target,
  createdAt: r.created_at.toISOString(),
});
const columns = (sql: Sql) =>
  sql`id, service, to_char(period_start, 'YYYY-MM-DD') AS period_start, to_char(period_end, 'YYYY-MM-DD') AS period_end, baseline, target, created_at`;

/** Inserts a target; undefined when the service already has one for exactly that period. */
export async function insertTarget(sql: Sql, t: Omit<Target, 'createdAt'> & { createdBy: string }): Promise<Target | undefined> {
  const [row] = await sql<Row[]>`INSERT INTO targets (id, service, period_start, period_end, baseline, target, created_by)
    VALUES (${t.id}, ${t.service}, ${t.period.start}, ${t.period.end}, ${t.baseline}, ${t.target}, ${t.createdBy})
    ON CONFLICT (service, period_start, period_end) DO NOTHING
    RETURNING ${columns(sql)}`;
  return row && toTarget(row);
}

export async function listTargets(sql: Sql, opts: { limit: number; cursor?: string | undefined; service?: Service | undefined }): Promise<Target[]> {
  const after = decodeCursor(opts.cursor);
  const rows = await sql<Row[]>`SELECT ${columns(sql)} FROM targets
    WHERE ${opts.service ? sql`service = ${opts.service}` : sql`true`}
      AND ${after ? sql`(created_at, id) < (coalesce((SELECT created_at FROM targets WHERE id = ${after.id}), ${after.createdAt}::timestamptz), ${after.id})` : sql`true`}
    ORDER BY created_at DESC, id DESC LIMIT ${opts.limit + 1}`;
  return rows.map(toTarget);
}

/**
 * Per service, the target whose period covers the day `at` falls on (UTC); where periods overlap,
 * the one that started last, then the one set last.
 */
export async function targetsCovering(sql: Sql, at: Date): Promise<Map<Service, Target>> {
  const rows = await sql<Row[]>`SELECT DISTINCT ON (service) ${columns(sql)} FROM targets
    WHERE period_start <= (${at}::timestamptz AT TIME ZONE 'UTC')::date AND (${at}::timestamptz AT TIME ZONE 'UTC')::date < period_end
    ORDER BY service, period_start DESC, created_at DESC`;
  return new Map(rows.map((r) => [r.service, toTarget(r)]));
}
