import type { Sql } from '../db/connect.js';

/**
 * The advisory locks that keep a sweep to one process at a time, whichever gets there first.
 * Numbered here, once, so two jobs cannot pick the same number by accident.
 */
export const SWEEP_LOCKS = { consentExpiry: 7262002, slaBreaches: 7262003 } as const;

/** Takes the transaction-scoped advisory lock `key` if free; false when another process holds it. */
export async function trySweepLock(tx: Sql, key: number): Promise<boolean> {
  const [row] = await tx<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${key}) AS locked`;
  return row?.locked === true;
}
