import type { Sql } from '../db/connect.js';

export interface AuditEntry {
  actor: string;
  action: string;
  subject?: string | null | undefined;
  /** Ids and codes only: never case-file content. */
  detail?: Record<string, unknown>;
}

/**
 * Appends to the audit log. No lock: the row goes in unsealed, and the sequencer (`sealAudit`,
 * run by the worker role) chains it within a second or so (db/migrations/005_audit_sequencer.sql).
 */
export async function appendAudit(sql: Sql, entry: AuditEntry): Promise<void> {
  await sql`INSERT INTO audit_log (actor, action, subject, detail)
    VALUES (${entry.actor}, ${entry.action}, ${entry.subject ?? null}, ${sql.json((entry.detail ?? {}) as never)})`;
}

/** Chains up to `batch` committed, unsealed rows onto the log's head; how many it sealed. */
export async function sealAudit(sql: Sql, batch = 5000): Promise<number> {
  const [row] = await sql<{ sealed: number }[]>`SELECT audit_seal(${batch}) AS sealed`;
  return row?.sealed ?? 0;
}

export interface AuditVerification {
  valid: boolean;
  /** Sealed entries walked. */
  entries: number;
  /** The `seq` of the first entry whose hash or link does not hold. */
  firstBrokenAt?: number;
  /** The newest sealed entry's hash: kept outside the hub, it shows whether the newest rows were removed too. */
  head?: string;
  /** Entries not chained yet, and the age in seconds of the oldest of them (the sequencer's lag). */
  unsealed: number;
  oldestUnsealedSeconds: number | null;
}

/** Entries not chained yet, and the age of the oldest: the sequencer's lag. One small index read. */
export async function sealingLag(sql: Sql): Promise<Pick<AuditVerification, 'unsealed' | 'oldestUnsealedSeconds'>> {
  const [lag] = await sql<{ unsealed: string; oldest: number | null }[]>`
    SELECT count(*) AS unsealed, extract(epoch FROM now() - min(at))::float8 AS oldest FROM audit_log WHERE hash IS NULL`;
  return { unsealed: Number(lag?.unsealed ?? 0), oldestUnsealedSeconds: lag?.oldest ?? null };
}

/**
 * Walks the chain in sealing order: an edited row breaks its own hash, a deleted row breaks the
 * next link. Rows appended but not sealed yet are reported, not walked: they are protected from
 * the moment the sequencer reaches them.
 */
export async function verifyAuditChain(sql: Sql): Promise<AuditVerification> {
  let previous = '0'.repeat(64);
  let entries = 0;
  let lastPos = 0;
  const batch = 5000;
  const pending = await sealingLag(sql);
  for (;;) {
    const rows = await sql<{ seq: string; chain_pos: string; prev_hash: string; hash: string; expected: string }[]>`
      SELECT seq, chain_pos, prev_hash, hash, audit_hash(prev_hash, seq, at, actor, action, subject, detail) AS expected
      FROM audit_log WHERE chain_pos > ${lastPos} ORDER BY chain_pos LIMIT ${batch}`;
    for (const row of rows) {
      entries += 1;
      if (row.prev_hash !== previous || row.hash !== row.expected) return { valid: false, entries, firstBrokenAt: Number(row.seq), ...pending };
      previous = row.hash;
      lastPos = Number(row.chain_pos);
    }
    if (rows.length < batch) return { valid: true, entries, ...(entries > 0 ? { head: previous } : {}), ...pending };
  }
}

/** A walk of the chain as recorded: when, by whom (a client or staff id, or `worker`), and what it found. */
export interface RecordedVerification extends Pick<AuditVerification, 'valid' | 'entries' | 'firstBrokenAt' | 'head'> {
  at: string;
  by: string;
}

export async function recordVerification(sql: Sql, by: string, v: AuditVerification): Promise<void> {
  await sql`INSERT INTO audit_verifications (by, valid, entries, first_broken_at, head)
    VALUES (${by}, ${v.valid}, ${v.entries}, ${v.firstBrokenAt ?? null}, ${v.head ?? null})`;
}

export async function latestVerification(sql: Sql): Promise<RecordedVerification | undefined> {
  const [row] = await sql<{ at: Date; by: string; valid: boolean; entries: string; first_broken_at: string | null; head: string | null }[]>`
    SELECT at, by, valid, entries, first_broken_at, head FROM audit_verifications ORDER BY id DESC LIMIT 1`;
  return row && {
    at: row.at.toISOString(), by: row.by, valid: row.valid, entries: Number(row.entries),
    ...(row.first_broken_at === null ? {} : { firstBrokenAt: Number(row.first_broken_at) }),
    ...(row.head === null ? {} : { head: row.head }),
  };
}
