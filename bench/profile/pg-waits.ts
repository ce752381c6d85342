import type postgres from 'postgres';

/**
 * Samples what the hub's PostgreSQL connections are doing (pg_stat_activity) every `intervalMs`
 * while the load runs (the bench's own connections, named `bench…`, left out): active on CPU, waiting (and on what: Lock, LWLock, IO, Client), idle, idle
 * in transaction. Counts are connection-samples, so the shares read as "of the time".
 */
export function samplePgWaits(sql: postgres.Sql, database: string, intervalMs = 100): { stop(): Promise<Map<string, number>> } {
  const counts = new Map<string, number>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const rows = await sql<{ what: string; n: number }[]>`
          SELECT CASE
                   WHEN state = 'active' AND wait_event IS NULL THEN 'active (on CPU)'
                   WHEN state = 'active' THEN 'active, waiting ' || wait_event_type || ':' || wait_event
                   ELSE coalesce(state, '?') || coalesce(' (' || wait_event_type || ':' || wait_event || ')', '')
                 END AS what, count(*)::int AS n
          FROM pg_stat_activity
          WHERE datname = ${database} AND backend_type = 'client backend' AND pid <> pg_backend_pid()
            AND application_name NOT LIKE 'bench%'
          GROUP BY 1`;
        for (const r of rows) counts.set(r.what, (counts.get(r.what) ?? 0) + r.n);
      } catch {
        // a sample missed: the next one counts
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return counts;
    },
  };
}

export function formatPgWaits(title: string, counts: Map<string, number>): string {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const lines = [`${title}: ${total} connection-samples`];
  for (const [what, n] of [...counts.entries()].sort((a, b) => b[1] - a[1])) lines.push(`  ${((n / total) * 100).toFixed(1).padStart(5)} %  ${what}`);
  return lines.join('\n');
}
