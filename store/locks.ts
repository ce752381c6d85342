import type { Sql } from '../db/connect.js';
import { ADVISORY_LOCKS } from '../db/coordination.js';

/**
 * The advisory locks that keep a sweep to one process at a time, whichever gets there first.
 * Numbered once, with the hub's other advisory locks (db/coordination.ts).
 */
export const SWEEP_LOCKS = { consentExpiry: ADVISORY_LOCKS.consentExpiry, slaBreaches: ADVISORY_LOCKS.slaBreaches } as const;

/** Takes the transaction-scoped advisory lock `key` if free; false when another process holds it. */
export async function trySweepLock(tx: Sql, key: number): Promise<boolean> {
  const [row] = await tx<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${key}) AS locked`;
  return row?.locked === true;
}
