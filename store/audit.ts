import type { Sql } from '../db/connect.js';

export interface AuditEntry {
  actor: string;
  action: string;
  subject?: string | null | undefined;
  /** Ids and codes only: never case-file content. */
  detail?: Record<string, unknown>;
}

/** Appends to the hash-chained audit log (the chain itself is computed by a database trigger). */
export async function appendAudit(sql: Sql, entry: AuditEntry): Promise<void> {
  await sql`INSERT INTO audit_log (actor, action, subject, detail)
    VALUES (${entry.actor}, ${entry.action}, ${entry.subject ?? null}, ${sql.json((entry.detail ?? {}) as never)})`;
}

/** Recomputes the chain: an edited row breaks its own hash, a deleted row breaks the next link. */
export async function verifyAuditChain(sql: Sql): Promise<{ valid: boolean; entries: number; firstBrokenAt?: number; head?: string }> {
  let previous = '0'.repeat(64);
  let entries = 0;
  let lastSeq = 0;
  const batch = 5000;
  for (;;) {
    const rows = await sql<{ seq: string; prev_hash: string; hash: string; expected: string }[]>`
      SELECT seq, prev_hash, hash, audit_hash(prev_hash, seq, at, actor, action, subject, detail) AS expected
      FROM audit_log WHERE seq > ${lastSeq} ORDER BY seq LIMIT ${batch}`;
    for (const row of rows) {
      entries += 1;
      if (row.prev_hash !== previous || row.hash !== row.expected) return { valid: false, entries, firstBrokenAt: Number(row.seq) };
      previous = row.hash;
      lastSeq = Number(row.seq);
    }
    // The head hash: kept outside the hub, it shows whether the newest rows were removed too.
    if (rows.length < batch) return { valid: true, entries, ...(entries > 0 ? { head: previous } : {}) };
  }
}
