import { decodeProtectedHeader } from 'jose';
import type { Sql } from '../db/connect.js';
import type { DataKeyring } from '../crypto/data-keys.js';

/** Every encrypted column, with the key that finds its row again. Identifiers are constants. */
const ENCRYPTED_COLUMNS = [
  { table: 'organizations', keys: ['id'], column: 'secret_jwe' },
  { table: 'participants', keys: ['id'], column: 'record_jwe' },
  { table: 'referrals', keys: ['id'], column: 'reason_jwe' },
  { table: 'case_file_entries', keys: ['referral_id', 'ordinal'], column: 'content_jwe' },
  { table: 'referral_events', keys: ['id'], column: 'reason_jwe' },
  { table: 'referral_events', keys: ['id'], column: 'note_jwe' },
  { table: 'consents', keys: ['id'], column: 'signer_names_jwe' },
  { table: 'consents', keys: ['id'], column: 'revoke_reason_jwe' },
  { table: 'identity_providers', keys: ['organization_id'], column: 'client_secret_jwe' },
] as const;

export interface RotationReport {
  table: string;
  column: string;
  scanned: number;
  reencrypted: number;
}

/**
 * Re-encrypts, in batches, every value not yet under the keyring's current key. The hub keeps
 * running meanwhile: it decrypts with any listed key, so rows are readable before and after
 * their turn. Once this reports nothing left, the old key can be removed from HUB_DATA_KEYS.
 */
export async function reencryptAll(sql: Sql, keyring: DataKeyring, batchSize = 500, log: (r: RotationReport) => void = () => {}): Promise<RotationReport[]> {
  const reports: RotationReport[] = [];
  for (const { table, keys, column } of ENCRYPTED_COLUMNS) {
    const report: RotationReport = { table, column, scanned: 0, reencrypted: 0 };
    const keyList = keys.join(', ');
    let after: unknown[] | undefined;
    for (;;) {
      const where = after ? `WHERE (${keyList}) > (${keys.map((_, i) => `$${i + 1}`).join(', ')})` : '';
      const rows = await sql.unsafe<Record<string, unknown>[]>(
        `SELECT ${keyList}, ${column} AS value FROM ${table} ${where} ORDER BY ${keyList} LIMIT ${Number(batchSize)}`,
        (after ?? []) as never[],
      );
      for (const row of rows) {
        report.scanned += 1;
        const value = row.value as string | null;
        if (!value || decodeProtectedHeader(value).kid === keyring.currentKid) continue;
        const fresh = await keyring.encrypt(await keyring.decrypt(value));
        const match = keys.map((k, i) => `${k} = $${i + 2}`).join(' AND ');
        // Compare-and-set: a row rewritten meanwhile by the hub is already under the new key.
        await sql.unsafe(`UPDATE ${table} SET ${column} = $1 WHERE ${match} AND ${column} = $${keys.length + 2}`, [fresh, ...keys.map((k) => row[k]), value] as never[]);
        report.reencrypted += 1;
      }
      if (rows.length < batchSize) break;
      after = keys.map((k) => rows[rows.length - 1]![k]);
    }
    log(report);
    reports.push(report);
  }
  return reports;
}
