/**
 * The names processes coordinate by through PostgreSQL, listed once so that two jobs cannot
 * pick the same advisory lock number or a listener a different channel than its sender.
 */

/**
 * Advisory lock keys (one 64-bit key space per database). `auditChain` is also written into the
 * `audit_chain()` trigger of migration 001, which keeps its literal (applied migrations are not
 * edited; test/unit/coordination.test.ts checks the two agree).
 */
export const ADVISORY_LOCKS = {
  /** Migrations, so that several processes may start at once (db/migrate.ts). */
  migrations: 7262000,
  /** Held by each audit insert to commit, so sequence order is commit order and the chain cannot fork. */
  auditChain: 7262001,
  /** The sweeps that one process at a time runs (store/locks.ts). */
  consentExpiry: 7262002,
  slaBreaches: 7262003,
} as const;

/** LISTEN/NOTIFY channels. */
export const CHANNELS = {
  /** A due outbox row was written: wakes the relay at commit (payload empty). */
  outbox: 'hub_outbox',
  /** A participant's consents changed: every process drops its cached bases (payload: the participant id). */
  consents: 'hub_consents',
  /** An organisation was written (a trigger, db/migrations/006): every process drops its cached row (payload: the organisation id). */
  organizations: 'hub_organizations',
} as const;
