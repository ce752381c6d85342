import type { Sql } from '../db/connect.js';

/**
 * This database's random identity (migration 004), made once when the schema was created. It
 * tells this database's outbox rows from another's that happen to have the same ids.
 */
export async function databaseInstanceId(sql: Sql): Promise<string> {
  const [row] = await sql<{ id: string }[]>`SELECT id FROM database_instance`;
  if (!row) throw new Error('database_instance is empty: the database was not migrated');
  return row.id;
}
