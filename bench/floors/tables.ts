import type { Sql } from 'postgres';
import { benchCaseFile } from '../lib/case-file.js';
import { seal } from './crypto.js';

/** Ids of the read floor's rows: `flr_` and a zero-padded number, so the load knows them without a query. */
export const floorReadId = (n: number) => `flr_${String(n).padStart(22, '0')}`;

/**
 * The floors' own tables in the bench database, apart from the hub's: a referral row holding a
 * 4 KB encrypted case file (read floor), a disclosure table (its one INSERT), and the intake
 * floor's referral, outbox and audit tables.
 */
export async function createFloorTables(sql: Sql, key: Buffer, readRows: number): Promise<void> {
  await sql.unsafe(`
    CREATE TABLE floor_referrals (id text PRIMARY KEY, participant_id text NOT NULL, partner_id text NOT NULL, case_file bytea NOT NULL);
    CREATE TABLE floor_disclosures (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), referral_id text NOT NULL,
      recipient text NOT NULL, categories text[] NOT NULL);
    CREATE TABLE floor_intake (id text PRIMARY KEY, participant_id text NOT NULL, partner_id text NOT NULL, service text NOT NULL,
      purpose text NOT NULL, reason bytea NOT NULL, case_file bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE floor_outbox (id bigserial PRIMARY KEY, referral_id text NOT NULL, message_id text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE floor_audit (seq bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), actor text NOT NULL, action text NOT NULL, subject text);
  `);
  const blob = seal(key, JSON.stringify(benchCaseFile()));
  await sql`INSERT INTO floor_referrals (id, participant_id, partner_id, case_file)
    SELECT 'flr_' || lpad(n::text, 22, '0'), 'par_floor', 'org_floor', ${blob} FROM generate_series(0, ${readRows - 1}) AS n`;
}
