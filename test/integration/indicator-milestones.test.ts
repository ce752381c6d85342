import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transaction } from '../../db/connect.js';
import { moveReferral } from '../../services/referral-status.js';
import { insertEvent } from '../../store/events.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { agency, deliveredReferral, portalPartner, type Agency } from '../support/scenario.js';

/**
 * The milestone columns the indicators report reads (migration 021): set by recording the event
 * that reaches each, in its transaction, and equal to what the timeline says.
 */
describe('indicator milestones on the referral', () => {
  let hub: TestHub;
  let from: Agency;
  let partner: { id: string; token: string };

  interface Milestones { acknowledged_at: Date | null; first_contact_at: Date | null; connected_at: Date | null; completed_at: Date | null; rejected_at: Date | null; sla_breached_at: Date | null; status: string }
  const milestones = async (id: string) => (await hub.db.sql<Milestones[]>`SELECT acknowledged_at, first_contact_at, connected_at, completed_at, rejected_at, sla_breached_at, status
    FROM referrals WHERE id = ${id}`)[0]!;
  /** When the hub recorded the first event of a type (its clock: `created_at`). */
  const recorded = async (id: string, type: string) => (await hub.db.sql<{ at: Date }[]>`SELECT min(created_at) AS at FROM referral_events
    WHERE referral_id = ${id} AND type = ${type}`)[0]!.at;
  const post = async (id: string, type: string) => {
    const response = await hub.api.request('POST', `/v1/referrals/${id}/events`, { token: partner.token, body: { type, ...(type === 'rejected' ? { reason: 'no vacancy' } : {}), ...(type === 'intake_scheduled' ? { appointmentAt: new Date(Date.now() + 86_400_000).toISOString() } : {}) } });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
  };

  beforeAll(async () => {
    hub = await startTestHub();
    from = await agency(hub, 'County Probation');
    partner = await portalPartner(hub, 'Eastside Housing');
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
  });

  it('sets each milestone when the first event reaching it is recorded, and keeps it', async () => {
    const id = await deliveredReferral(hub, from, partner);
    expect(await milestones(id)).toMatchObject({ acknowledged_at: null, first_contact_at: null, connected_at: null, completed_at: null, rejected_at: null });

    await post(id, 'received');
    expect((await milestones(id)).acknowledged_at).toEqual(await recorded(id, 'received'));
    await post(id, 'accepted'); // acknowledges again: the first acknowledgement stays
    await post(id, 'intake_scheduled');
    await post(id, 'in_progress');
    await post(id, 'on_hold'); // connected, then on hold: still connected
    expect(await milestones(id)).toMatchObject({
      status: 'on_hold',
      acknowledged_at: await recorded(id, 'received'),
      first_contact_at: await recorded(id, 'intake_scheduled'),
      connected_at: await recorded(id, 'in_progress'),
      completed_at: null, rejected_at: null, sla_breached_at: null,
    });
  });

  it('marks rejection and completion, and agrees with the rule the migration backfills by', async () => {
    const rejected = await deliveredReferral(hub, from, partner);
    await post(rejected, 'rejected');
    const completed = await deliveredReferral(hub, from, partner);
    for (const type of ['accepted', 'attended', 'completed']) await post(completed, type);
    expect(await milestones(rejected)).toMatchObject({ status: 'rejected', rejected_at: await recorded(rejected, 'rejected'), acknowledged_at: await recorded(rejected, 'rejected'), connected_at: null });
    expect(await milestones(completed)).toMatchObject({
      status: 'completed', completed_at: await recorded(completed, 'completed'), connected_at: await recorded(completed, 'completed'),
      first_contact_at: await recorded(completed, 'attended'), acknowledged_at: await recorded(completed, 'accepted'),
    });

    // Every referral so far: the columns are what migration 021 works out from the timeline.
    const disagreeing = await hub.db.sql`
      SELECT r.id FROM referrals r JOIN (
        SELECT referral_id,
          min(created_at) FILTER (WHERE type IN ('received', 'accepted', 'rejected')) AS acknowledged_at,
          min(created_at) FILTER (WHERE type IN ('intake_scheduled', 'attended')) AS first_contact_at,
          min(created_at) FILTER (WHERE status_after IN ('in_progress', 'completed')) AS connected_at,
          min(created_at) FILTER (WHERE status_after = 'completed') AS completed_at,
          min(created_at) FILTER (WHERE status_after = 'rejected') AS rejected_at,
          min(created_at) FILTER (WHERE type = 'sla_breached') AS sla_breached_at
        FROM referral_events GROUP BY referral_id) e ON e.referral_id = r.id
      WHERE (r.acknowledged_at, r.first_contact_at, r.connected_at, r.completed_at, r.rejected_at, r.sla_breached_at)
        IS DISTINCT FROM (e.acknowledged_at, e.first_contact_at, e.connected_at, e.completed_at, e.rejected_at, e.sla_breached_at)`;
    expect(disagreeing).toEqual([]);
  });

  it('commits a milestone with its status change and event, or not at all', async () => {
    const id = await deliveredReferral(hub, from, partner);
    const { hub: core } = hub.running;
    const receive = (tx: typeof core.sql, at: Date) => async () => {
      await moveReferral(tx, { id, status: 'delivered', statusBeforeHold: null }, 'received');
      await insertEvent(tx, core.keyring, { referralId: id, type: 'received', byOrgId: partner.id, statusAfter: 'received' }, at);
    };

    // Rolled back: no status, no event, no milestone; and none seen from outside before the end.
    const rolledBack = transaction(core.sql, async (tx) => {
      await receive(tx, new Date())();
      expect(await milestones(id)).toMatchObject({ status: 'delivered', acknowledged_at: null });
      throw new Error('the caller failed after recording');
    });
    await expect(rolledBack).rejects.toThrow('the caller failed after recording');
    expect(await milestones(id)).toMatchObject({ status: 'delivered', acknowledged_at: null });
    expect(await recorded(id, 'received')).toBeNull();

    const at = new Date(Date.now() - 60_000);
    await transaction(core.sql, (tx) => receive(tx, at)());
    expect(await milestones(id)).toMatchObject({ status: 'received', acknowledged_at: at });
  });

  it('marks an SLA breach from its timeline event', async () => {
    const id = await deliveredReferral(hub, from, partner);
    const at = new Date();
    await insertEvent(hub.running.hub.sql, hub.running.hub.keyring, { referralId: id, type: 'sla_breached', byOrgId: null, statusAfter: 'delivered', reason: 'test' }, at);
    expect(await milestones(id)).toMatchObject({ status: 'delivered', sla_breached_at: at, acknowledged_at: null });
  });
});
