import { createHash } from 'node:crypto';
import type { Sql } from '../db/connect.js';

/** Keys are kept 24 hours per client (the common convention, docs/api.md "Idempotency"). */
const RETENTION_HOURS = 24;

/** JSON with object keys sorted, so a retry that orders its fields differently is the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const requestHash = (body: unknown) => createHash('sha256').update(canonical(body)).digest('hex');

export type IdempotentReplay = { kind: 'replay'; status: number; body: unknown } | { kind: 'mismatch' } | { kind: 'new' };

/**
 * Looks up a key another transaction already committed. Keys are written in the same
 * transaction as the object they created, so a concurrent request with the same key waits at
 * `claimIdempotencyKey` for the first one's commit and then replays its answer.
 */
export async function findIdempotent(tx: Sql, clientId: string, key: string, hash: string): Promise<IdempotentReplay> {
  const [row] = await tx<{ request_hash: string; response_status: number; response_body: unknown }[]>`
    SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE client_id = ${clientId} AND key = ${key}`;
  if (!row) return { kind: 'new' };
  if (row.request_hash !== hash) return { kind: 'mismatch' };
  return { kind: 'replay', status: row.response_status, body: row.response_body };
}

export async function purgeExpiredKey(tx: Sql, clientId: string, key: string): Promise<void> {
  await tx`DELETE FROM idempotency_keys WHERE client_id = ${clientId} AND key = ${key} AND created_at < now() - make_interval(hours => ${RETENTION_HOURS})`;
}

/** Claims the key inside the transaction; false when another transaction committed it first. */
export async function claimIdempotencyKey(tx: Sql, clientId: string, key: string, hash: string): Promise<boolean> {
  const rows = await tx`INSERT INTO idempotency_keys (client_id, key, request_hash, state) VALUES (${clientId}, ${key}, ${hash}, 'in_flight')
    ON CONFLICT DO NOTHING RETURNING key`;
  return rows.length === 1;
}

export async function storeIdempotentResponse(tx: Sql, clientId: string, key: string, status: number, body: unknown): Promise<void> {
  await tx`UPDATE idempotency_keys SET state = 'done', response_status = ${status}, response_body = ${tx.json(body as never)}
    WHERE client_id = ${clientId} AND key = ${key}`;
}
