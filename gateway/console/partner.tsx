import type { Hono } from 'hono';
import { allowedEvents } from '../../domain/referral-workflow.js';
import { HubError } from '../../lib/errors.js';
import { EventInput } from '../../schemas/referral.js';
import type { Hub } from '../../services/hub.js';
import { PARTNER_EVENTS, postEvent } from '../../services/referral-events.js';
import { listReferralsFor, partnerRead, referralForCaller } from '../../services/referrals.js';
import type { StaffSession } from '../../services/staff.js';
import { zodProblems } from '../problem.js';
import { InboxPage, isNew, type InboxItem } from './pages/inbox.js';
import { PartnerReferralPage, type FormState, type PartnerReferral } from './pages/partner-referral.js';
import type { ResumableForms } from './resume.js';
import { callerAs } from './roles.js';
import type { ConsoleEnv } from './session.js';

/** The inbox shows this many; a partner with more open referrals pages through the API's cursor (not yet in the console). */
const INBOX_SIZE = 100;

const partnerOf = (session: StaffSession) => callerAs(session, 'partner', 'the inbox is for a partner organisation’s staff');

/** A `datetime-local` value (no zone) is taken as UTC, as the form's label says. */
const fromLocal = (value: string | undefined) => (value && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value) ? `${value.length === 16 ? `${value}:00` : value}Z` : value || undefined);

/**
 * The partner inbox and referral pages. Every read goes through the same service as
 * `GET /v1/referrals[/{id}]` for a partner, so it is the same consent projection and it is
 * recorded as a disclosure; every update goes through the same state machine as
 * `POST /v1/referrals/{id}/events`.
 */
export function registerPartnerPages(app: Hono<ConsoleEnv>, hub: Hub, resumable: ResumableForms) {
  app.get('/inbox', async (c) => {
    const session = c.get('session')!;
    const caller = partnerOf(session);
    const { items } = await listReferralsFor(hub, caller, { limit: INBOX_SIZE });
    const sorted = (items as unknown as InboxItem[]).sort((a, b) => Number(isNew(b)) - Number(isNew(a)) || b.createdAt.localeCompare(a.createdAt));
    // A referral on hold can be resumed from the list, when the state machine allows it (it returns to the status it left).
    const canResume = new Set<string>();
    for (const item of sorted.filter((i) => i.status === 'on_hold')) {
      const { referral } = await referralForCaller(hub, caller, item.id);
      if (allowedEvents({ status: referral.status, statusBeforeHold: referral.statusBeforeHold }, PARTNER_EVENTS).includes('resumed')) canResume.add(item.id);
    }
    return c.html(<InboxPage session={session} items={sorted} resumable={canResume} />);
  });

  const render = async (session: StaffSession, id: string, form: FormState) => {
    const caller = partnerOf(session);
    const { referral, as } = await referralForCaller(hub, caller, id);
    const view = (await partnerRead(hub, caller, referral)) as unknown as PartnerReferral;
    // Only what the state machine would accept now is offered (the same rule the API answers 409 with).
    const allowed = as === 'partner' ? allowedEvents({ status: referral.status, statusBeforeHold: referral.statusBeforeHold }, PARTNER_EVENTS) : [];
    return <PartnerReferralPage session={session} referral={view} allowed={allowed} form={form} />;
  };

  // Another role's referral page is registered after this one (planner.tsx).
  app.get('/referrals/:id', async (c, next) => {
    if (c.get('session')!.staff.role !== 'partner') return next();
    const asked = c.req.query('done');
    const done = PARTNER_EVENTS.find((e) => e === asked);
    return c.html(await render(c.get('session')!, c.req.param('id'), { errors: {}, values: {}, ...(done ? { done } : {}) }));
  });

  app.post('/referrals/:id/events', async (c, next) => {
    const session = c.get('session')!;
    if (session.staff.role !== 'partner') return next();
    const id = c.req.param('id');
    const form = c.get('form');
    const input = {
      type: form.type,
      ...(form.reason ? { reason: form.reason } : {}),
      ...(form.appointmentAt ? { appointmentAt: fromLocal(form.appointmentAt) } : {}),
      ...(form.type === 'progress_note' ? { note: { category: form.category, text: form.note ?? '' } } : {}),
    };
    const parsed = EventInput.safeParse(input);
    const values = { reason: form.reason ?? '', appointmentAt: form.appointmentAt ?? '', category: form.category ?? '', note: form.note ?? '' };
    if (!parsed.success) {
      // Errors in words next to the field, what was typed kept.
      const errors: Record<string, string> = {};
      for (const p of zodProblems(parsed.error, 'form')) errors[p.path === 'note.text' ? 'note' : p.path === 'note.category' ? 'category' : p.path] = p.message;
      return c.html(await render(session, id, { errors, values, message: 'The update was not recorded: see the fields below.' }), 400);
    }
    try {
      await postEvent(hub, session.caller, id, parsed.data);
    } catch (error) {
      if (error instanceof HubError && error.status === 409) {
        return c.html(await render(session, id, { errors: {}, values, message: `Not recorded: ${error.message}. The page now shows what can be done.` }), 409);
      }
      throw error;
    }
    // Post/redirect/get: a reload does not post the update twice.
    return c.redirect(`/console/referrals/${id}?done=${encodeURIComponent(parsed.data.type)}`, 303);
  });

  // The update forms given back, filled in, after a session ended while they were open (resume.ts).
  resumable.add(/^\/console\/referrals\/[A-Za-z0-9_]+\/events$/, 'partner', async (c, session, values, path, notice) =>
    c.html(await render(session, path.split('/')[3]!, {
      errors: {}, values: { reason: values.reason ?? '', appointmentAt: values.appointmentAt ?? '', category: values.category ?? '', note: values.note ?? '' }, message: notice,
    })));
}
