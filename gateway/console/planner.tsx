import type { Hono } from 'hono';
import { allowedEvents, PLANNER_EVENTS } from '../../domain/referral-workflow.js';
import { forbidden, HubError } from '../../lib/errors.js';
import type { Hub } from '../../services/hub.js';
import { postEvent, timeline } from '../../services/referral-events.js';
import { enrolParticipant } from '../../services/participants.js';
import { organizationNames } from '../../services/organizations.js';
import { ParticipantInput } from '../../schemas/participant.js';
import { zodProblems } from '../problem.js';
import { EnrolPage } from './pages/enrol.js';
import { listReferralsFor, readReferral, replayReferral } from '../../services/referrals.js';
import type { StaffSession } from '../../services/staff.js';
import { CaseloadPage, flagRank, type CaseloadItem } from './pages/caseload.js';
import { breachesOf } from '../../services/sla-breaches.js';
import type { FormState } from './pages/partner-referral.js';
import { PlannerReferralPage, type PlannerReferral, type TimelineItem } from './pages/planner-referral.js';
import type { ResumableForms } from './resume.js';
import { callerAs } from './roles.js';
import type { ConsoleEnv } from './session.js';

const CASELOAD_SIZE = 100;

const plannerOf = (session: StaffSession) => callerAs(session, 'planner', 'the caseload is for a referring organisation’s planners');

/**
 * The planner's caseload and referral pages, over the same services as `GET /v1/referrals`,
 * `GET /v1/referrals/{id}/timeline`, `POST .../events` (cancel) and `POST .../replay`.
 */
export function registerPlannerPages(app: Hono<ConsoleEnv>, hub: Hub, resumable: ResumableForms) {
  app.get('/caseload', async (c) => {
    const session = c.get('session')!;
    const caller = plannerOf(session);
    const { items } = await listReferralsFor(hub, caller, { limit: CASELOAD_SIZE });
    const breaches = await breachesOf(hub, caller, items.map((r) => r.id));
    const withBreaches = items.map((r) => ({ ...r, slaBreaches: breaches.get(r.id) ?? [] })) as unknown as CaseloadItem[];
    const sorted = withBreaches.sort((a, b) => flagRank(a) - flagRank(b) || b.createdAt.localeCompare(a.createdAt));
    return c.html(<CaseloadPage session={session} items={sorted} />);
  });

  app.get('/participants/new', (c) => {
    const session = c.get('session')!;
    // The enrolment form is a planner's: another role (a manager above all) is refused, not shown it.
    plannerOf(session);
    return c.html(<EnrolPage session={session} errors={{}} values={{}} />);
  });

  app.post('/participants', async (c) => {
    const session = c.get('session')!;
    const caller = plannerOf(session);
    const form = c.get('form');
    const values = { given: form.given ?? '', family: form.family ?? '', birthDate: form.birthDate ?? '', externalId: form.externalId ?? '' };
    const given = values.given.trim().split(/\s+/).filter(Boolean);
    const parsed = ParticipantInput.safeParse({
      name: { given, family: values.family.trim() }, birthDate: values.birthDate, ...(values.externalId.trim() ? { externalId: values.externalId.trim() } : {}),
    });
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const p of zodProblems(parsed.error, 'form')) errors[p.path.startsWith('name.given') ? 'given' : p.path === 'name.family' ? 'family' : p.path] = p.message;
      return c.html(<EnrolPage session={session} errors={errors} values={values} />, 400);
    }
    const participant = await enrolParticipant(hub, caller, parsed.data);
    return c.html(<EnrolPage session={session} errors={{}} values={{}} enrolled={{ id: participant.id, name: `${given.join(' ')} ${values.family.trim()}` }} />, 201);
  });

  const render = async (session: StaffSession, id: string, form: FormState) => {
    const caller = plannerOf(session);
    const referral = (await readReferral(hub, caller, id)) as unknown as PlannerReferral;
    const items = (await timeline(hub, caller, id)) as unknown as TimelineItem[];
    // The planner knows partners by name; the id alone says nothing at a desk.
    const partnerName = (await organizationNames(hub, [referral.partnerId])).get(referral.partnerId);
    // Offered on the status the planner sees, as the API's 409 names what is allowed.
    const canCancel = allowedEvents({ status: referral.status as never, statusBeforeHold: null }, PLANNER_EVENTS).includes('cancelled');
    return <PlannerReferralPage session={session} referral={referral} partnerName={partnerName} timeline={items} canCancel={canCancel} form={form} />;
  };

  app.get('/referrals/:id', async (c) => {
    const asked = c.req.query('done');
    const done = ['cancelled', 'replayed', 'sent'].find((e) => e === asked);
    return c.html(await render(c.get('session')!, c.req.param('id'), { errors: {}, values: {}, ...(done ? { done } : {}) }));
  });

  app.post('/referrals/:id/events', async (c) => {
    const session = c.get('session')!;
    const id = c.req.param('id');
    const form = c.get('form');
    if (form.type !== 'cancelled') throw forbidden('a planner may only cancel a referral');
    const reason = form.reason?.trim();
    try {
      await postEvent(hub, plannerOf(session), id, { type: 'cancelled', ...(reason ? { reason } : {}) });
    } catch (error) {
      if (error instanceof HubError && error.status === 409) {
        return c.html(await render(session, id, { errors: {}, values: { reason: form.reason ?? '' }, message: `Not cancelled: ${error.message}.` }), 409);
      }
      throw error;
    }
    return c.redirect(`/console/referrals/${id}?done=cancelled`, 303);
  });

  app.post('/referrals/:id/replay', async (c) => {
    const session = c.get('session')!;
    const id = c.req.param('id');
    try {
      await replayReferral(hub, plannerOf(session), id);
    } catch (error) {
      if (error instanceof HubError && error.status === 409) return c.html(await render(session, id, { errors: {}, values: {}, message: `Not delivered again: ${error.message}.` }), 409);
      throw error;
    }
    return c.redirect(`/console/referrals/${id}?done=replayed`, 303);
  });

  // Forms given back, filled in, after a session ended while they were open (resume.ts).
  const enrolValues = (v: Record<string, string>) => ({ given: v.given ?? '', family: v.family ?? '', birthDate: v.birthDate ?? '', externalId: v.externalId ?? '' });
  resumable.add(/^\/console\/participants$/, 'planner', (c, session, values, _path, notice) =>
    c.html(<EnrolPage session={session} errors={{}} values={enrolValues(values)} notice={notice} />));
  resumable.add(/^\/console\/referrals\/[A-Za-z0-9_]+\/events$/, 'planner', async (c, session, values, path, notice) =>
    c.html(await render(session, path.split('/')[3]!, { errors: {}, values: { reason: values.reason ?? '' }, message: notice })));
}
