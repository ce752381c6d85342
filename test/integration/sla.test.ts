import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordBreach } from '../../store/sla.js';
import { sweepSla } from '../../services/sla-breaches.js';
import { grantConsent, newParticipant, planningAgency, plannerView, refer, statusBecomes, timeline, type Agency } from '../support/delivery.js';
import { marker } from '../support/fixtures.js';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Service-level timers (issue 5, reliability 2) on the real hub. Timers are set in hours and days,
 * as partners set them, and the test moves the hub's clock past a deadline instead of waiting for
 * it; where waiting for the worker's own sweep (every 5 s) would only slow a test down, the test
 * runs the sweep itself. The clock only moves forward in this file, as a hub's does.
 */

const REFERRER_SECRET = 'whsec_c2xhLXJlZmVycmVyLXNlY3JldC0xMjM0NTY3OA==';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How far past a deadline the clock is moved. */
const MARGIN = 60_000;

interface Partner {
  id: string;
  token: string;
}

describe('service-level timers', () => {
  let hub: TestHub;
  let referrerHooks: WebhookReceiver;
  /** County Probation: refers, and takes webhooks, so it hears of breaches. */
  let agency: Agency;
  let partners = 0;

  const sweep = () => sweepSla(hub.running.hub);
  const slaPosts = (referralId: string) => referrerHooks.received.filter((m) => (m.json as any)?.type === 'referral.sla_breached' && (m.json as any).data.referral.id === referralId);
  const breaches = async (referralId: string) => (await timeline(hub, agency, referralId)).filter((e) => e.type === 'sla_breached');

  async function partner(sla: Record<string, number>, extra: Record<string, unknown> = {}): Promise<Partner> {
    partners += 1;
    return hub.organization({ name: `Partner ${partners}`, kind: 'housing', adapter: { type: 'portal' }, sla, ...extra }, 'partner');
  }

  /** A referral from `from` to `to`, delivered (portal: at once). */
  async function delivered(to: Partner, from: Agency = agency) {
    const participantId = await newParticipant(hub, from);
    await grantConsent(hub, from, participantId, [to.id]);
    const { id } = await refer(hub, from, participantId, to.id);
    const view = await statusBecomes(hub, from, id, 'delivered');
    return { id, deliveredAt: Date.parse(view.deliveredAt!) };
  }

  async function post(by: Partner, referralId: string, type: string, extra: Record<string, unknown> = {}) {
    const r = await hub.api.request('POST', `/v1/referrals/${referralId}/events`, { token: by.token, body: { type, ...extra } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }

  /** Moves the hub's clock `ms` past `deliveredAt`, plus a margin (never back). */
  const pastDeadline = (deliveredAt: number, ms: number) => {
    hub.clock.advance(Math.max(0, deliveredAt + ms + MARGIN - hub.clock.now().getTime()));
  };
  /** The referral's SLA notices in the outbox, once every one of them has finished (the final fact, not a pause). */
  const finishedNotices = (referralIds: string[]) =>
    eventually(async () => {
      const rows = await hub.db.sql<{ outcome: string | null; done_at: Date | null }[]>`
        SELECT outcome, done_at FROM outbox WHERE referral_id = ANY(${referralIds}) AND kind = 'notify' ORDER BY referral_id`;
      return rows.length > 0 && rows.every((r) => r.done_at) ? rows.map((r) => r.outcome) : undefined;
    }, 10_000, 'the SLA notices to finish');

  beforeAll(async () => {
    hub = await startTestHub();
    referrerHooks = await startWebhookReceiver({ secret: REFERRER_SECRET });
    const org = await hub.organization({ name: 'County Probation', kind: 'probation', adapter: { type: 'webhook', url: referrerHooks.url, secret: REFERRER_SECRET } }, 'planner');
    agency = { id: org.id, planner: org.token, compliance: await hub.client(org.id, 'compliance') };
  });
  afterAll(async () => {
    await referrerHooks?.close();
    await hub?.stop();
  });

  describe('configuration', () => {
    it('takes timers on an organisation, shows them, replaces and removes them', async () => {
      const created = await hub.api.request('POST', '/v1/organizations', {
        token: hub.adminToken,
        body: { name: 'Harbor Clinic', kind: 'mental_health', adapter: { type: 'portal' }, sla: { acknowledgeWithinHours: 4, firstContactWithinDays: 7.5 } },
      });
      expect(created.status).toBe(201);
      expect(created.body.sla).toEqual({ acknowledgeWithinHours: 4, firstContactWithinDays: 7.5 });
      const id = created.body.id;

      const patched = await hub.api.request('PATCH', `/v1/organizations/${id}`, { token: hub.adminToken, body: { sla: { acknowledgeWithinHours: 0.5 } } });
      expect(patched.status).toBe(200);
      expect(patched.body.sla).toEqual({ acknowledgeWithinHours: 0.5 });
      const renamed = await hub.api.request('PATCH', `/v1/organizations/${id}`, { token: hub.adminToken, body: { name: 'Harbor Clinic East' } });
      expect(renamed.body.sla).toEqual({ acknowledgeWithinHours: 0.5 });

      const removed = await hub.api.request('PATCH', `/v1/organizations/${id}`, { token: hub.adminToken, body: { sla: null } });
      expect(removed.status).toBe(200);
      expect(removed.body).not.toHaveProperty('sla');
      expect((await hub.api.request('GET', `/v1/organizations/${id}`, { token: hub.adminToken })).body).not.toHaveProperty('sla');
    });

    it('refuses timers that are zero, negative, too long or unknown (400)', async () => {
      for (const sla of [{ acknowledgeWithinHours: 0 }, { acknowledgeWithinHours: -2 }, { acknowledgeWithinHours: 721 }, { firstContactWithinDays: 91 }, { respondWithinHours: 2 }]) {
        const r = await hub.api.request('POST', '/v1/organizations', { token: hub.adminToken, body: { name: 'Bad', kind: 'housing', adapter: { type: 'portal' }, sla } });
        expect(r.status, JSON.stringify(sla)).toBe(400);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
      }
    });

    it('describes the timers in /openapi.json', async () => {
      const doc = (await hub.api.request('GET', '/openapi.json')).body;
      expect(Object.keys(doc.components.schemas.Sla.properties).sort()).toEqual(['acknowledgeWithinHours', 'firstContactWithinDays']);
      expect(doc.components.schemas.Organization.properties).toHaveProperty('sla');
    });
  });

  it('flags a partner that never acknowledges, once, and tells the referrer through its webhook', async () => {
    const housing = await partner({ acknowledgeWithinHours: 4 });
    const referral = await delivered(housing);
    // Short of the deadline, a sweep finds nothing.
    hub.clock.advance(4 * HOUR - MARGIN);
    await sweep();
    expect(await breaches(referral.id)).toEqual([]);
    pastDeadline(referral.deliveredAt, 4 * HOUR);

    // The worker's own sweep (every 5 s) finds it: no test hook involved.
    await eventually(async () => ((await breaches(referral.id)).length > 0 ? true : undefined), 15_000, 'an sla_breached event');
    const [event] = await breaches(referral.id);
    const deadline = new Date(referral.deliveredAt + 4 * HOUR).toISOString();
    expect(event).toMatchObject({ type: 'sla_breached', reason: expect.stringContaining(`deadline ${deadline}`) });
    expect(event!.reason).toContain('acknowledge SLA');
    expect(event).not.toHaveProperty('by');

    const notice: ReceivedWebhook = await referrerHooks.waitFor((m) => (m.json as any)?.type === 'referral.sla_breached' && (m.json as any).data.referral.id === referral.id, 10_000);
    expect(notice.signatureValid).toBe(true);
    expect(notice.headers['webhook-id']).toMatch(/^msg_/);
    expect(notice.json).toEqual({
      type: 'referral.sla_breached',
      timestamp: expect.any(String),
      data: { referral: { id: referral.id, status: 'delivered', partnerId: housing.id, sla: 'acknowledge', deadline } },
    });
    for (const category of ['identity', 'contact', 'housing', 'substance_use']) expect(notice.body).not.toContain(marker(category));
    expect(notice.body).not.toContain('Jordan');

    // Not a status: the referral is still waiting for the partner, who may still acknowledge.
    expect((await plannerView(hub, agency, referral.id)).status).toBe('delivered');
    await sweep();
    await sweep();
    // Once: the sweeps above have returned, and the one notice they could have queued has finished.
    expect(await breaches(referral.id)).toHaveLength(1);
    expect(await finishedNotices([referral.id])).toEqual(['delivered']);
    expect(slaPosts(referral.id)).toHaveLength(1);
    await post(housing, referral.id, 'received');
    expect((await plannerView(hub, agency, referral.id)).status).toBe('received');
  });

  it('does not flag a partner that acknowledges in time, and flags one that acknowledges late', async () => {
    const housing = await partner({ acknowledgeWithinHours: 2 });
    const onTime = await delivered(housing);
    await post(housing, onTime.id, 'received');
    const late = await delivered(housing);
    pastDeadline(late.deliveredAt, 2 * HOUR);
    // Recorded after the deadline: the breach stands, even though the sweep runs after it.
    await post(housing, late.id, 'accepted');
    await sweep();

    expect(await breaches(onTime.id)).toEqual([]);
    const types = (await timeline(hub, agency, late.id)).map((e) => e.type);
    expect(types.filter((t) => t === 'sla_breached')).toHaveLength(1);
    await referrerHooks.waitFor((m) => (m.json as any)?.data?.referral?.id === late.id, 10_000);
    expect(slaPosts(onTime.id)).toEqual([]);
    expect(await hub.db.sql`SELECT 1 FROM outbox WHERE referral_id = ${onTime.id} AND kind = 'notify'`).toHaveLength(0);
  });

  it('flags a partner that acknowledges but schedules no first contact in time, and not one that does', async () => {
    const clinic = await partner({ acknowledgeWithinHours: 24, firstContactWithinDays: 2 });
    const noContact = await delivered(clinic);
    const contacted = await delivered(clinic);
    for (const id of [noContact.id, contacted.id]) {
      await post(clinic, id, 'received');
      await post(clinic, id, 'accepted');
    }
    await post(clinic, contacted.id, 'intake_scheduled', { appointmentAt: new Date(hub.clock.now().getTime() + DAY).toISOString() });
    pastDeadline(Math.max(noContact.deliveredAt, contacted.deliveredAt), 2 * DAY);
    await sweep();

    expect(await breaches(contacted.id)).toEqual([]);
    const [event] = await breaches(noContact.id);
    expect(event!.reason).toContain('first_contact SLA');
    expect(event!.reason).toContain('intake_scheduled, attended');
    const notice = await referrerHooks.waitFor((m) => (m.json as any)?.data?.referral?.id === noContact.id, 10_000);
    expect(notice.signatureValid).toBe(true);
    expect((notice.json as any).data.referral).toMatchObject({ status: 'accepted', sla: 'first_contact', partnerId: clinic.id });
    expect((await plannerView(hub, agency, noContact.id)).status).toBe('accepted');
  });

  it('does not flag referrals that are cancelled, rejected or completed', async () => {
    const provider = await partner({ acknowledgeWithinHours: 1, firstContactWithinDays: 1 });
    const cancelled = await delivered(provider);
    const cancel = await hub.api.request('POST', `/v1/referrals/${cancelled.id}/events`, { token: agency.planner, body: { type: 'cancelled' } });
    expect(cancel.status).toBe(201);
    const rejected = await delivered(provider);
    await post(provider, rejected.id, 'rejected', { reason: 'no capacity' });
    const completed = await delivered(provider);
    for (const type of ['received', 'accepted', 'completed']) await post(provider, completed.id, type);
    pastDeadline(completed.deliveredAt, DAY);
    await sweep();

    for (const r of [cancelled, rejected, completed]) {
      expect(await breaches(r.id)).toEqual([]);
      expect(slaPosts(r.id)).toEqual([]);
    }
    const recorded = await hub.db.sql`SELECT 1 FROM referral_sla_breaches WHERE referral_id = ANY(${[cancelled.id, rejected.id, completed.id]})`;
    expect(recorded).toHaveLength(0);
  });

  it('records the breach without a notification when the referrer has no webhook', async () => {
    const portalAgency = await planningAgency(hub, 'City Parole');
    const housing = await partner({ acknowledgeWithinHours: 1 });
    const referral = await delivered(housing, portalAgency);
    pastDeadline(referral.deliveredAt, HOUR);
    await sweep();
    await eventually(async () => ((await timeline(hub, portalAgency, referral.id)).some((e) => e.type === 'sla_breached') ? true : undefined));
    const [breach] = await hub.db.sql<{ message_id: string | null }[]>`SELECT message_id FROM referral_sla_breaches WHERE referral_id = ${referral.id}`;
    expect(breach!.message_id).toBeNull();
    expect(await hub.db.sql`SELECT 1 FROM outbox WHERE referral_id = ${referral.id} AND kind = 'notify'`).toHaveLength(0);
  });

  it('shows the referrer no status a Part 2 program reported, on the timeline or in the notice', async () => {
    const program = await partner({ firstContactWithinDays: 1 }, { kind: 'sud_treatment', part2Program: true });
    const referral = await delivered(program);
    await post(program, referral.id, 'received');
    await post(program, referral.id, 'accepted');
    pastDeadline(referral.deliveredAt, DAY);
    await sweep();

    const items = await timeline(hub, agency, referral.id);
    expect(items.map((e) => e.type)).toEqual(['created', 'delivered', 'withheld', 'withheld', 'sla_breached']);
    // No basis lets probation see substance-use data from the program: it sees the hub's own status.
    expect((await plannerView(hub, agency, referral.id)).status).toBe('delivered');
    const notice = await referrerHooks.waitFor((m) => (m.json as any)?.data?.referral?.id === referral.id, 10_000);
    expect((notice.json as any).data.referral.status).toBe('delivered');
  });

  it('fires once with sweeps racing, and keeps its timers across a restart', async () => {
    const housing = await partner({ acknowledgeWithinHours: 2 });
    const before = await delivered(housing);
    pastDeadline(before.deliveredAt, 2 * HOUR);
    const results = await Promise.all([sweep(), sweep(), sweep()]);
    // One sweeper at a time (advisory lock); the worker's own sweep may have been that one.
    expect(results.filter((r) => r.breached > 0).length).toBeLessThanOrEqual(1);
    await eventually(async () => ((await breaches(before.id)).length === 1 ? true : undefined));
    // The primary key holds even without the lock.
    const again = await recordBreach(hub.db.sql, { referralId: before.id, kind: 'acknowledge', deadline: new Date(), status: 'delivered', partnerId: housing.id, messageId: null });
    expect(again).toBe(false);
    await referrerHooks.waitFor((m) => (m.json as any)?.data?.referral?.id === before.id, 10_000);

    // A second referral whose deadline passes while no hub runs at all.
    const during = await delivered(housing);
    await hub.running.stop();
    expect(await hub.db.sql`SELECT 1 FROM referral_sla_breaches WHERE referral_id = ${during.id}`).toHaveLength(0);
    pastDeadline(during.deliveredAt, 2 * HOUR);
    await hub.restart();
    await sweep();
    await sweep();

    expect(await breaches(during.id)).toHaveLength(1);
    await referrerHooks.waitFor((m) => (m.json as any)?.data?.referral?.id === during.id, 10_000);
    expect(await breaches(before.id)).toHaveLength(1);
    // One notice each, and both finished: no further post can follow.
    expect(await finishedNotices([before.id, during.id])).toEqual(['delivered', 'delivered']);
    for (const id of [before.id, during.id]) {
      const posts = slaPosts(id);
      expect(posts, id).toHaveLength(1);
      expect(posts[0]!.signatureValid).toBe(true);
    }
  });
});
