import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';

// Consent decisions read an organisation's kind and Part 2 status from the hub's cache: a change
// must reach it, whichever process made the change.
describe('the organisation cache', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const cache = () => hub.running.hub.organizations;

  it('drops an organisation changed by another process once its NOTIFY arrives', async () => {
    const { id } = await hub.organization({ name: 'Eastside Recovery', kind: 'sud_treatment', adapter: { type: 'portal' } });
    expect((await cache().get(id))?.part2Program).toBe(false);
    // Another connection, as another gateway replica would write it: only the NOTIFY can tell this process.
    await hub.db.sql`UPDATE organizations SET part2_program = true WHERE id = ${id}`;
    await eventually(async () => ((await cache().get(id))?.part2Program === true ? true : undefined), 10_000, 'the cache to see part2Program');
  });

  it('sees a change made through this process at once, before the answer is sent', async () => {
    const { id } = await hub.organization({ name: 'Westside Housing', kind: 'housing', adapter: { type: 'portal' } });
    expect((await cache().get(id))?.name).toBe('Westside Housing');
    const patched = await hub.api.request('PATCH', `/v1/organizations/${id}`, { token: hub.adminToken, body: { name: 'Westside Housing Trust', part2Program: true } });
    expect(patched.status).toBe(200);
    const cached = await cache().get(id);
    expect(cached).toMatchObject({ name: 'Westside Housing Trust', part2Program: true });
  });

  it('does not remember that an id was unknown', async () => {
    expect(await cache().get('org_created_elsewhere')).toBeUndefined();
    await hub.db.sql`INSERT INTO organizations (id, name, kind, part2_program, adapter) VALUES ('org_created_elsewhere', 'Northside Employment', 'employment', false, ${hub.db.sql.json({ type: 'portal' })})`;
    expect((await cache().get('org_created_elsewhere'))?.name).toBe('Northside Employment');
  });
});
