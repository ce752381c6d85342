import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceRequest } from '@medplum/fhirtypes';
import { loseQueuedJobs, planningAgency, plannerView, statusBecomes, timeline, type Agency } from '../support/delivery.js';
import { consentedReferral, fhirPartner, partnerUpdatesTask, pollsCaughtUp, serviceRequestsFor, tasksFor, type FhirPartner } from '../support/fhir.js';
import { startFhirServer, type FhirTestServer } from '../support/fhir-server.js';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { processStatusPoll } from '../../services/status-sync.js';
import { ENGAGEMENT_SYSTEM } from '../../adapters/fhir/index.js';

const POLL_SECONDS = 1;
/**
 * How long after a Task change the planner may wait for it: one poll interval, plus the poll and
 * its transaction on a loaded machine. Generous, and still far below the 30 s default interval, so
 * a hub that ignored the partner's `pollIntervalSeconds` would fail.
 */
const SEEN_WITHIN_MS = POLL_SECONDS * 1000 + 3000;

describe('status back from a FHIR partner’s Task', () => {
  let fhir: FhirTestServer;
  let hub: TestHub;
  let agency: Agency;
  let partner: FhirPartner;

  beforeAll(async () => {
    fhir = await startFhirServer();
    hub = await startTestHub();
    agency = await planningAgency(hub);
    partner = await fhirPartner(hub, fhir, { pollIntervalSeconds: POLL_SECONDS });
  });
  afterAll(async () => {
    await hub?.stop();
    await fhir?.close();
  });

  async function deliveredReferral(categories = ['identity', 'contact']) {
    const referral = await consentedReferral(hub, agency, partner.id, categories);
    await statusBecomes(hub, agency, referral.id, 'delivered');
    return referral.id;
  }

  /** Waits for the planner to see `status`, and returns how long that took after the Task changed. */
  async function seenWithin(id: string, status: string, changedAt: number) {
    await statusBecomes(hub, agency, id, status, 5_000);
    return Date.now() - changedAt;
  }

  const types = async (id: string) => (await timeline(hub, agency, id)).map((e) => e.type);

  it('brings Task changes made on the partner’s server to the planner’s timeline within one poll interval', async () => {
    const id = await deliveredReferral();

    // Gravity: "received" is a businessStatus while Task.status stays requested.
    let changed = Date.now();
    await partnerUpdatesTask(fhir, id, { businessStatus: { text: 'received' } });
    // One interval, plus the time a poll and its transaction take on a loaded CI machine.
    expect(await seenWithin(id, 'received', changed)).toBeLessThan(SEEN_WITHIN_MS);

    // Two steps between polls (accepted, then in progress) arrive as both events, in order.
    changed = Date.now();
    await partnerUpdatesTask(fhir, id, { status: 'in-progress' });
    expect(await seenWithin(id, 'in_progress', changed)).toBeLessThan(SEEN_WITHIN_MS);

    await partnerUpdatesTask(fhir, id, { status: 'on-hold', statusReason: { text: 'participant in hospital' } });
    await statusBecomes(hub, agency, id, 'on_hold');
    // Back from hold to where it was (the machine's on_hold ↔ rule), then done.
    await partnerUpdatesTask(fhir, id, { status: 'completed' });
    await statusBecomes(hub, agency, id, 'completed');

    const entries = await timeline(hub, agency, id);
    expect(entries.map((e) => e.type)).toEqual(['created', 'delivered', 'received', 'accepted', 'in_progress', 'on_hold', 'in_progress', 'completed']);
    expect(entries.find((e) => e.type === 'on_hold')!.reason).toBe('participant in hospital');
    expect(entries.slice(2).every((e) => (e as { by?: string }).by === partner.id)).toBe(true);
  });

  it('keeps polling after Redis loses its contents: the poll schedules are rebuilt', async () => {
    const id = await deliveredReferral();
    expect(await loseQueuedJobs(hub)).toBeGreaterThan(0);
    await partnerUpdatesTask(fhir, id, { status: 'accepted' });
    await statusBecomes(hub, agency, id, 'accepted', 10_000);
  });

  it('applies each Task version once, however often it is read again', async () => {
    const id = await deliveredReferral();
    await partnerUpdatesTask(fhir, id, { status: 'accepted' });
    await statusBecomes(hub, agency, id, 'accepted');
    const before = await types(id);

    // The poll loop keeps running; add polls of our own, and one from the beginning of time.
    await processStatusPoll(hub.running.hub, partner.id);
    await hub.db.sql`UPDATE fhir_poll_state SET cursor = NULL WHERE partner_id = ${partner.id}`;
    const reread = await processStatusPoll(hub.running.hub, partner.id);
    expect(reread.read).toBeGreaterThanOrEqual(1);
    expect(reread.applied).toBe(0);
    // And the poll loop's own next poll, reading from the cursor on, applies nothing either.
    expect((await pollsCaughtUp(hub, partner.id)).applied).toBe(0);
    expect(await types(id)).toEqual(before);
    expect(before).toEqual(['created', 'delivered', 'accepted']);
  });

  it('records a rejection with the partner’s statusReason', async () => {
    const id = await deliveredReferral();
    await partnerUpdatesTask(fhir, id, { status: 'rejected', statusReason: { text: 'outside our service area' } });
    await statusBecomes(hub, agency, id, 'rejected');
    const entries = await timeline(hub, agency, id);
    expect(entries.at(-1)).toMatchObject({ type: 'rejected', reason: 'outside our service area', by: partner.id });
  });

  it('reads a Task the partner cancelled as a rejection before acceptance', async () => {
    const id = await deliveredReferral();
    await partnerUpdatesTask(fhir, id, { status: 'cancelled' });
    await statusBecomes(hub, agency, id, 'rejected');
    expect((await timeline(hub, agency, id)).at(-1)!.reason).toMatch(/no reason given/);
  });

  it('propagates the planner’s cancellation: Task cancelled, ServiceRequest revoked, nothing echoed back', async () => {
    const id = await deliveredReferral();
    await partnerUpdatesTask(fhir, id, { status: 'accepted' });
    await statusBecomes(hub, agency, id, 'accepted');

    const cancel = await hub.api.request('POST', `/v1/referrals/${id}/events`, { token: agency.planner, body: { type: 'cancelled' } });
    expect(cancel.status).toBe(201);
    const task = await eventually(async () => {
      const [t] = await tasksFor(fhir, id);
      return t?.status === 'cancelled' ? t : undefined;
    }, 5_000, 'the Task to be cancelled');
    expect(task.statusReason?.text).toBe('Cancelled by the referring organisation');
    // The same attempt then revokes the ServiceRequest.
    await eventually(async () => {
      const [serviceRequest] = (await serviceRequestsFor(fhir, id)) as ServiceRequest[];
      return serviceRequest?.status === 'revoked' ? true : undefined;
    }, 5_000, 'the ServiceRequest to be revoked');

    // The next polls read our own change back; it must not add anything to the timeline.
    expect((await pollsCaughtUp(hub, partner.id)).applied).toBe(0);
    expect((await plannerView(hub, agency, id)).status).toBe('cancelled');
    expect(await types(id)).toEqual(['created', 'delivered', 'accepted', 'cancelled']);
  });

  it('applies a Task change made while the hub had not yet recorded the delivery, once a replay records it', async () => {
    // Every answer is lost after the server committed: the partner holds the Task, the hub sees delivery_failed.
    const isTransaction = (r: { method: string; path: string }) => r.method === 'POST' && r.path === '/';
    fhir.failNext(3, 502, { afterCommit: true, match: isTransaction });
    const referral = await consentedReferral(hub, agency, partner.id, ['identity']);
    await statusBecomes(hub, agency, referral.id, 'delivery_failed');
    expect(await tasksFor(fhir, referral.id)).toHaveLength(1);

    await partnerUpdatesTask(fhir, referral.id, { status: 'accepted' });
    expect((await pollsCaughtUp(hub, partner.id)).applied).toBe(0);
    expect((await plannerView(hub, agency, referral.id)).status, 'not applied to an undelivered referral').toBe('delivery_failed');

    const replay = await hub.api.request('POST', `/v1/referrals/${referral.id}/replay`, { token: agency.planner });
    expect(replay.status).toBe(200);
    await statusBecomes(hub, agency, referral.id, 'accepted', 5_000);
    expect(await tasksFor(fhir, referral.id)).toHaveLength(1);
    expect(await types(referral.id)).toEqual(['created', 'delivery_failed', 'queued', 'delivered', 'accepted']);
  });

  describe('engagement events from Task.businessStatus', () => {
    const engagement = (code: string, text?: string) => ({ coding: [{ system: ENGAGEMENT_SYSTEM, code }], ...(text ? { text } : {}) });
    const appointmentOutput = (at: string) => [{ type: { coding: [{ system: ENGAGEMENT_SYSTEM, code: 'appointment-at' }] }, valueDateTime: at }];
    const typesBecome = (id: string, expected: string[]) =>
      eventually(async () => {
        const now = await types(id);
        return JSON.stringify(now) === JSON.stringify(expected) ? now : undefined;
      }, 5_000, `timeline of ${id} to be ${expected.join(', ')}`);

    it('records intake scheduled (with its appointment), attended and completed, each once though later versions repeat them', async () => {
      const id = await deliveredReferral();
      await partnerUpdatesTask(fhir, id, { status: 'accepted', businessStatus: engagement('intake-scheduled', 'Intake scheduled'), output: appointmentOutput('2026-09-14T15:30:00-04:00') });
      await typesBecome(id, ['created', 'delivered', 'accepted', 'intake_scheduled']);
      // A new version with the same businessStatus: no second intake.
      await partnerUpdatesTask(fhir, id, { status: 'in-progress' });
      await statusBecomes(hub, agency, id, 'in_progress');
      await partnerUpdatesTask(fhir, id, { businessStatus: { text: 'Attended' } });
      await typesBecome(id, ['created', 'delivered', 'accepted', 'intake_scheduled', 'in_progress', 'attended']);
      await partnerUpdatesTask(fhir, id, { status: 'completed' });
      await statusBecomes(hub, agency, id, 'completed');
      // Later reads of the same versions add nothing.
      await pollsCaughtUp(hub, partner.id);

      const entries = (await timeline(hub, agency, id)) as { type: string; reason?: string; appointmentAt?: string; by?: string }[];
      expect(entries.map((e) => e.type)).toEqual(['created', 'delivered', 'accepted', 'intake_scheduled', 'in_progress', 'attended', 'completed']);
      expect(entries[3]).toMatchObject({ type: 'intake_scheduled', appointmentAt: '2026-09-14T19:30:00.000Z', by: partner.id });
      expect(entries.every((e) => e.reason === undefined || !/intake|attended/i.test(e.reason)), 'an engagement businessStatus is no reason').toBe(true);
    });

    it('puts attended before completed when a Task jumps there from requested', async () => {
      const id = await deliveredReferral();
      await partnerUpdatesTask(fhir, id, { status: 'completed', businessStatus: { text: 'attended' } });
      await typesBecome(id, ['created', 'delivered', 'accepted', 'attended', 'completed']);
    });

    it('records an engagement only once the referral is accepted, and follows a no-show and a new appointment', async () => {
      const id = await deliveredReferral();
      // Not accepted yet: the machine allows no engagement event, so nothing is recorded...
      await partnerUpdatesTask(fhir, id, { businessStatus: engagement('intake-scheduled'), executionPeriod: { start: '2026-09-01T09:00:00Z' } });
      expect((await pollsCaughtUp(hub, partner.id)).applied).toBe(0);
      expect(await types(id)).toEqual(['created', 'delivered']);
      // ...until a version that the machine allows it in still says it.
      await partnerUpdatesTask(fhir, id, { status: 'accepted' });
      await typesBecome(id, ['created', 'delivered', 'accepted', 'intake_scheduled']);
      await partnerUpdatesTask(fhir, id, { businessStatus: engagement('no-show') });
      await typesBecome(id, ['created', 'delivered', 'accepted', 'intake_scheduled', 'no_show']);
      await partnerUpdatesTask(fhir, id, { businessStatus: engagement('intake-scheduled'), executionPeriod: { start: '2026-09-08T09:00:00Z' } });
      await typesBecome(id, ['created', 'delivered', 'accepted', 'intake_scheduled', 'no_show', 'intake_scheduled']);
      const entries = (await timeline(hub, agency, id)) as { type: string; appointmentAt?: string }[];
      expect(entries.filter((e) => e.type === 'intake_scheduled').map((e) => e.appointmentAt)).toEqual(['2026-09-01T09:00:00.000Z', '2026-09-08T09:00:00.000Z']);
    });
  });

  it('polls at once on a rest-hook notification carrying the partner’s notify token', async () => {
    const slowServer = await startFhirServer();
    try {
      const slow = await fhirPartner(hub, slowServer, { name: 'Slow Poll Clinic', pollIntervalSeconds: 3600 });
      const referral = await consentedReferral(hub, agency, slow.id, ['identity']);
      await statusBecomes(hub, agency, referral.id, 'delivered');
      // Let the scheduler's first run (soon after registration) pass, so only the notification can bring the change.
      await eventually(async () => {
        const [row] = await hub.db.sql`SELECT 1 FROM fhir_poll_state WHERE partner_id = ${slow.id} AND polled_at IS NOT NULL`;
        return row ? true : undefined;
      }, 5_000, 'the first scheduled poll');
      await partnerUpdatesTask(slowServer, referral.id, { status: 'accepted' });

      const wrong = await hub.api.request('POST', `/fhir/notify/${slow.id}`, { headers: { authorization: 'Bearer fhirnt_wrong' }, raw: '' });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('content-type')).toContain('application/problem+json');
      const unknown = await hub.api.request('POST', '/fhir/notify/org_unknown', { headers: { authorization: `Bearer ${slow.notifyToken}` } });
      expect(unknown.status).toBe(401);
      // The route answers after it has asked for a poll: a refused notification asked for none.
      const pollsAsked = async () =>
        (await hub.running.hub.statusPolls.getJobs(['waiting', 'active', 'prioritized'])).filter((job) => job?.name === 'notify' && job.data.partnerId === slow.id);
      expect(await pollsAsked(), 'no poll without a valid notification').toEqual([]);
      expect((await plannerView(hub, agency, referral.id)).status, 'no poll without a valid notification').toBe('delivered');

      const ok = await hub.api.request('POST', `/fhir/notify/${slow.id}`, {
        headers: { authorization: `Bearer ${slow.notifyToken}`, 'content-type': 'application/fhir+json' },
        raw: JSON.stringify({ resourceType: 'Bundle', type: 'history', entry: [] }),
      });
      expect(ok.status).toBe(202);
      // "At once": this partner's next scheduled poll is an hour away, so only the notification's poll can bring it.
      await statusBecomes(hub, agency, referral.id, 'accepted', 10_000);
    } finally {
      await slowServer.close();
    }
  });
});
