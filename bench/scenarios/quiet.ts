import type { Sql } from 'postgres';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits for the hub to go quiet (no outbox row left undone) so that one measurement's deliveries
 * do not run in the background of the next. Bounded: what is still pending after `maxSeconds`
 * is discarded (marked done, so the worker's jobs claim nothing), and the count is returned.
 * After a discard the worker still has the discarded rows' jobs in Redis, each a claim that finds
 * nothing: thousands after an overloaded round, enough to slow the next round for seconds, so
 * it also waits (bounded) until `jobsLeft` answers 0.
 */
export async function settle(sql: Sql, maxSeconds: number, jobsLeft: () => Promise<number>): Promise<{ waitedSeconds: number; discarded: number }> {
  const started = Date.now();
  const deadline = started + maxSeconds * 1000;
  for (;;) {
    const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM outbox WHERE done_at IS NULL`;
    if (row!.n === 0) return { waitedSeconds: (Date.now() - started) / 1000, discarded: 0 };
    if (Date.now() > deadline) break;
    await sleep(200);
  }
  const discarded = await sql`UPDATE outbox SET done_at = now(), outcome = 'discarded by bench' WHERE done_at IS NULL`;
  const jobsDeadline = Date.now() + 120_000;
  while ((await jobsLeft()) > 0 && Date.now() < jobsDeadline) await sleep(200);
  return { waitedSeconds: (Date.now() - started) / 1000, discarded: discarded.count };
}
