import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { connect, type Sql } from '../../db/connect.js';
import { migrate } from '../../db/migrate.js';
import { removeAfterFile } from './cleanup.js';

/** The server the tests use: the machine's PostgreSQL unless TEST_DATABASE_URL names another. */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestDatabase {
  url: string;
  sql: Sql;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file, so files can run in parallel without sharing rows. */
export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `hub_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(TEST_SERVER_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  const sql = connect(url.toString(), { max: 5 });
  if (opts.migrate !== false) await migrate(sql);
  return {
    url: url.toString(),
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      const cleanup = postgres(TEST_SERVER_URL, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** A queue prefix of this test file's own; its Redis keys are deleted when the file finishes. */
export function uniquePrefix(label: string): string {
  const prefix = `t${label}${randomBytes(4).toString('hex')}`;
  removeAfterFile(prefix);
  return prefix;
}
