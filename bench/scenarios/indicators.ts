import type { Sql } from 'postgres';
import { request } from 'undici';
import { RACE_GROUPS } from '../../domain/indicator-groups.js';

/**
 * B6: GET /v1/reports/indicators for the past year grouped by race, one request at a time (a
 * manager reads a report; it is latency that matters, not throughput), timed from send to the last
 * byte of the answer.
 */
export interface IndicatorRange {
  from: string;
  to: string;
}

/** The year up to and including today (UTC days): every referral the bench seeded is in it. */
export function pastYear(now = new Date()): IndicatorRange {
  const day = (offset: number) => new Date(now.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
  return { from: day(-366), to: day(1) };
}

export async function timeReport(origin: string, token: string, range: IndicatorRange, groupBy: string): Promise<{ ms: number; status: number; body: any }> {
  const started = performance.now();
  const response = await request(`${origin}/v1/reports/indicators?from=${range.from}&to=${range.to}&groupBy=${groupBy}`, {
    headers: { authorization: `Bearer ${token}` },
    headersTimeout: 120_000,
    bodyTimeout: 120_000,
  });
  const text = await response.body.text();
  const ms = performance.now() - started;
  return { ms, status: response.statusCode, body: text ? JSON.parse(text) : undefined };
}

/**
 * A correct answer: every race group listed for housing, and the ungrouped housing row's people
 * referred equal to what the database holds for the range, counted apart here. (Above ten people,
 * as every bench size is, that count is never withheld.)
 */
export async function checkIndicators(sql: Sql, byRace: { status: number; body: any }, ungrouped: { status: number; body: any }, range: IndicatorRange): Promise<string | undefined> {
  if (byRace.status !== 200) return `grouped by race: HTTP ${byRace.status} ${JSON.stringify(byRace.body).slice(0, 300)}`;
  if (ungrouped.status !== 200) return `ungrouped: HTTP ${ungrouped.status} ${JSON.stringify(ungrouped.body).slice(0, 300)}`;
  const groups = (byRace.body.rows as { service: string; group: string }[]).filter((r) => r.service === 'housing').map((r) => r.group);
  const missing = RACE_GROUPS.filter((g) => !groups.includes(g));
  if (missing.length > 0) return `grouped by race: no housing row for ${missing.join(', ')}`;
  const [expected] = await sql<{ n: number }[]>`SELECT count(DISTINCT participant_id)::int AS n FROM referrals
    WHERE service = 'housing' AND created_at >= ${`${range.from}T00:00:00Z`}::timestamptz AND created_at < ${`${range.to}T00:00:00Z`}::timestamptz`;
  const housing = (ungrouped.body.rows as { service: string; group: string; referred: number | null }[]).find((r) => r.service === 'housing');
  if (housing?.referred !== expected!.n) return `ungrouped: housing referred ${housing?.referred}, the database holds ${expected!.n} people`;
  return undefined;
}
