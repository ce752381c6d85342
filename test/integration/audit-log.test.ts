import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub.js';

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
