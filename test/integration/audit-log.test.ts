import type { Sql, TransactionSql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestVerification } from '../../store/audit.js';
import { startAuditVerifier } from '../../workers/audit-sequencer.js';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';

describe('the tamper-evident audit log', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub();
    // Some activity: token issuance, organisations, clients.
    for (const name of ['One', 'Two', 'Three']) await hub.organization({ name, kind: 'housing', adapter: { type: 'portal' } }, 'partner');
  });
  afterAll(async () => hub?.stop());

  const verify = async () => (await hub.api.request('GET', '/v1/audit/verify', { token: hub.adminToken })).body;
  /** What a database superuser could do behind the application's back. */
  const asSuperuser = (statement: string) =>
    hub.db.sql.begin(async (tx) => {
      await tx.unsafe('ALTER TABLE audit_log DISABLE TRIGGER audit_append_only');
      await tx.unsafe(statement);
      await tx.unsafe('ALTER TABLE audit_log ENABLE TRIGGER audit_append_only');
    });

  it('verifies an untouched chain', async () => {
    const result = await verify();
    expect(result.valid).toBe(true);
    expect(result.entries).toBeGreaterThanOrEqual(10);
    const [newest] = await hub.db.sql<{ hash: string }[]>`SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1`;
    expect(result.head).toBe(newest!.hash);
  });

  it('refuses UPDATE and DELETE from the application’s connection', async () => {
    await expect(hub.db.sql`UPDATE audit_log SET action = 'x'`).rejects.toThrow(/append-only/);
    await expect(hub.db.sql`DELETE FROM audit_log`).rejects.toThrow(/append-only/);
  });

  it('finds a row a superuser edited', async () => {
    const [row] = await hub.db.sql<{ seq: string }[]>`SELECT seq FROM audit_log ORDER BY seq OFFSET 4 LIMIT 1`;
    await asSuperuser(`UPDATE audit_log SET subject = 'someone-else' WHERE seq = ${Number(row!.seq)}`);
    expect(await verify()).toMatchObject({ valid: false, firstBrokenAt: Number(row!.seq) });
  });

  it('finds a row a superuser deleted, at the row after it', async () => {
    await asSuperuser('DELETE FROM audit_log WHERE seq <= (SELECT seq FROM audit_log ORDER BY seq OFFSET 4 LIMIT 1)');
    const [first] = await hub.db.sql<{ seq: string }[]>`SELECT seq FROM audit_log ORDER BY seq LIMIT 1`;
    expect(await verify()).toMatchObject({ valid: false, firstBrokenAt: Number(first!.seq) });
  });
});

describe('the audit log’s sequencer', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => hub?.stop());

  const insert = (tx: Sql | TransactionSql, action: string) => tx`INSERT INTO audit_log (actor, action) VALUES ('test', ${action}) RETURNING seq`;

  it('lets writers append at once, and chains a row that commits late after the ones sealed before it', async () => {
    let releaseSlow!: () => void;
    const slowMayCommit = new Promise<void>((resolve) => (releaseSlow = resolve));
    let slowInserted!: () => void;
    const slowHasInserted = new Promise<void>((resolve) => (slowInserted = resolve));
    // A transaction takes the smaller seq and keeps it open; a second one appends and commits
    // while the first is still open: no lock makes it wait.
    const slow = hub.db.sql.begin(async (tx) => {
      const [row] = await insert(tx, 'slow');
      slowInserted();
      await slowMayCommit;
      return Number(row!.seq);
    });
    await slowHasInserted;
    const [fast] = await hub.db.sql.begin((tx) => insert(tx, 'fast'));
    expect(Number(fast!.seq)).toBeGreaterThan(0);
    await hub.db.sql`SELECT audit_seal(1000)`;
    const [fastRow] = await hub.db.sql<{ chain_pos: string | null }[]>`SELECT chain_pos FROM audit_log WHERE action = 'fast'`;
    expect(fastRow!.chain_pos).not.toBeNull();

    releaseSlow();
    const slowSeq = await slow;
    expect(slowSeq).toBeLessThan(Number(fast!.seq));
    const verified = (await hub.api.request('GET', '/v1/audit/verify', { token: hub.adminToken })).body;
    expect(verified).toMatchObject({ valid: true, unsealed: 0, oldestUnsealedSeconds: null });
    const [positions] = await hub.db.sql<{ slow: string; fast: string }[]>`
      SELECT (SELECT chain_pos FROM audit_log WHERE action = 'slow') AS slow, (SELECT chain_pos FROM audit_log WHERE action = 'fast') AS fast`;
    // Chained in the order it was sealed: after the row that committed first.
    expect(Number(positions!.slow)).toBeGreaterThan(Number(positions!.fast));
  });

  it('refuses to seal a row with a hash that does not match its content', async () => {
    const [row] = await insert(hub.db.sql, 'unsealed');
    await expect(
      hub.db.sql`UPDATE audit_log SET chain_pos = 999999, prev_hash = ${'0'.repeat(64)}, hash = ${'f'.repeat(64)} WHERE seq = ${row!.seq}`,
    ).rejects.toThrow(/append-only/);
  });

  it('records every walk of the chain with who asked, and walks it on a schedule of its own', async () => {
    const asked = (await hub.api.request('GET', '/v1/audit/verify', { token: hub.adminToken })).body;
    const recorded = await latestVerification(hub.db.sql);
    expect(recorded).toMatchObject({ valid: true, entries: asked.entries, head: asked.head });
    expect(recorded!.by).not.toBe('worker');

    const verifier = startAuditVerifier(hub.running.hub, 50);
    try {
      const byWorker = await eventually(async () => {
        const latest = await latestVerification(hub.db.sql);
        return latest?.by === 'worker' ? latest : undefined;
      }, 10_000, 'a scheduled walk of the chain');
      expect(byWorker.valid).toBe(true);
      expect(byWorker.entries).toBeGreaterThanOrEqual(asked.entries);
    } finally {
      await verifier.stop();
    }
  });
});
