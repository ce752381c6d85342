import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../db/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

describe('database migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => db.drop());

  it('apply once, even when several processes start at the same moment', async () => {
    const results = await Promise.all([migrate(db.sql), migrate(db.sql), migrate(db.sql)]);
    const appliedCounts = results.map((r) => r.length).sort();
    expect(appliedCounts.slice(0, 2)).toEqual([0, 0]);
    expect(appliedCounts[2]).toBeGreaterThan(0);
    expect(await migrate(db.sql)).toEqual([]);
  });

  it('keep the audit log append-only and hash-chained', async () => {
    await db.sql`INSERT INTO audit_log (actor, action, subject) VALUES ('test', 'one', 'x')`;
    await db.sql`INSERT INTO audit_log (actor, action, subject) VALUES ('test', 'two', 'y')`;
    const rows = await db.sql<{ prev_hash: string; hash: string }[]>`SELECT prev_hash, hash FROM audit_log ORDER BY seq`;
    expect(rows[1]!.prev_hash).toBe(rows[0]!.hash);
    await expect(db.sql`UPDATE audit_log SET action = 'edited'`).rejects.toThrow(/append-only/);
    await expect(db.sql`DELETE FROM audit_log`).rejects.toThrow(/append-only/);
  });
});
