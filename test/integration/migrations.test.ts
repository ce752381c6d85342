import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

describe('migration 021: indicator milestones', () => {
  let db: TestDatabase;
  let before: string;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    // The database as it stood before 021: every migration up to 020 only.
    const all = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../db/migrations');
    before = await mkdtemp(path.join(os.tmpdir(), 'migrations-before-021-'));
    for (const file of (await readdir(all)).filter((f) => f.endsWith('.sql') && f < '021')) await copyFile(path.join(all, file), path.join(before, file));
  });
  afterAll(async () => {
    await db.drop();
    await rm(before, { recursive: true, force: true });
  });

  it('backfills what each existing referral reached, from its timeline', async () => {
    await migrate(db.sql, before);
    const sql = db.sql;
    await sql`INSERT INTO organizations (id, name, kind, adapter) VALUES ('org_ref', 'Probation', 'probation', '{"type":"portal"}'), ('org_par', 'Housing', 'housing', '{"type":"portal"}')`;
    await sql`INSERT INTO participants (id, organization_id, birth_date, record_jwe) VALUES ('par_1', 'org_ref', '1990-01-01', 'x')`;
    const referral = (id: string, status: string) => sql`INSERT INTO referrals (id, participant_id, referrer_org_id, partner_id, service, purpose, priority, reason_jwe, status, created_by)
      VALUES (${id}, 'par_1', 'org_ref', 'org_par', 'housing', 'care_coordination', 'routine', 'x', ${status}, 'cli')`;
    await referral('ref_connected', 'on_hold');
    await referral('ref_rejected', 'rejected');
    await referral('ref_untouched', 'delivered');
    const at = (hour: number) => new Date(Date.UTC(2026, 0, 1, hour));
    const events: [string, string, string, number][] = [
      ['ref_connected', 'delivered', 'delivered', 1], ['ref_connected', 'received', 'received', 2], ['ref_connected', 'accepted', 'accepted', 3],
      ['ref_connected', 'attended', 'accepted', 4], ['ref_connected', 'in_progress', 'in_progress', 5], ['ref_connected', 'sla_breached', 'in_progress', 6],
      ['ref_connected', 'on_hold', 'on_hold', 7],
      ['ref_rejected', 'delivered', 'delivered', 1], ['ref_rejected', 'rejected', 'rejected', 2],
      ['ref_untouched', 'delivered', 'delivered', 1],
    ];
    for (const [i, [referralId, type, statusAfter, hour]] of events.entries()) {
      await sql`INSERT INTO referral_events (id, referral_id, type, occurred_at, status_after, created_at) VALUES (${`evt_${i}`}, ${referralId}, ${type}, ${at(hour)}, ${statusAfter}, ${at(hour)})`;
    }

    expect(await migrate(sql)).toEqual(expect.arrayContaining(['021_indicator_columns.sql']));
    const rows = await sql<Record<string, unknown>[]>`SELECT id, acknowledged_at, first_contact_at, connected_at, completed_at, rejected_at, sla_breached_at FROM referrals ORDER BY id`;
    expect(rows).toEqual([
      { id: 'ref_connected', acknowledged_at: at(2), first_contact_at: at(4), connected_at: at(5), completed_at: null, rejected_at: null, sla_breached_at: at(6) },
      { id: 'ref_rejected', acknowledged_at: at(2), first_contact_at: null, connected_at: null, completed_at: null, rejected_at: at(2), sla_breached_at: null },
      { id: 'ref_untouched', acknowledged_at: null, first_contact_at: null, connected_at: null, completed_at: null, rejected_at: null, sla_breached_at: null },
    ]);
    // The report's range scan is answered from the index that carries what it counts.
    const [index] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'referrals_indicators'`;
    expect(index!.n).toBe(1);
  });
});
