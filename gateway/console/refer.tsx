import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { badRequest, HubError } from '../../lib/errors.js';
import { SERVICES, type Service } from '../../schemas/vocabulary.js';
import type { Hub } from '../../services/hub.js';
import { partnerDirectory } from '../../services/organizations.js';
import { readParticipant } from '../../services/participants.js';
import { createReferral, previewReferral } from '../../services/referrals.js';
import type { StaffSession } from '../../services/staff.js';
import { fullName } from './pages/compliance-parts.js';
import { ReferralFormPage, type ReferralPreview } from './pages/referral-form.js';
import { parseReferralForm, type FormValues } from './referral-form.js';
import type { ResumableForms } from './resume.js';
import { callerAs } from './roles.js';
import type { ConsoleEnv } from './session.js';

/** Fields of the post that are the form's machinery, not what the planner typed. */
const MACHINERY = new Set(['csrf', 'step', 'previewed', 'idempotencyKey']);
const DEFAULTS: FormValues = { identity: 'include', purpose: 'care_coordination', priority: 'routine' };

const plannerOf = (session: StaffSession) => callerAs(session, 'planner', 'referrals are sent by a referring organisation’s planners');

/** The participant the form is about; without one there is nothing to refer (a 400 naming it, not a 404). */
function participantIdOf(id: string | undefined): string {
  if (!id) throw badRequest('say which participant to refer (`participant` in the address)', [{ path: 'participant', message: 'required' }]);
  return id;
}

const serviceOf = (value: string | undefined): Service | undefined => (SERVICES as readonly string[]).includes(value ?? '') ? (value as Service) : undefined;
type Enrolled = Awaited<ReturnType<typeof readParticipant>>;

/** A key the browser sends back unchanged; anything else is replaced (a key is at most 255 characters, per client). */
const keyOf = (value: string | undefined) => (value && /^[A-Za-z0-9-]{1,100}$/.test(value) ? value : randomUUID());

/**
 * The planner's referral form: choose a partner from the directory by service, write the case
 * file, preview exactly what this partner would see under current consent (the delivery's own
 * decision and projection, services/referrals.ts previewReferral), then send through the same
 * service as `POST /v1/referrals`, with an Idempotency-Key carried in the form so a double click
 * makes one referral.
 */
export function registerReferralForm(app: Hono<ConsoleEnv>, hub: Hub, resumable: ResumableForms) {
  const page = async (
    /** The participant by id, or as the post already read it (one audited read per page shown, not two). */
    c: Context<ConsoleEnv>, session: StaffSession, participant: string | undefined | Enrolled,
    state: {
      service: Service | undefined; values: FormValues; errors?: Record<string, string>; message?: string; preview?: ReferralPreview; idempotencyKey?: string | undefined;
      /** Why the form is back (a session that ended): not an error. */
      notice?: string;
    },
    status: 200 | 400 | 404 | 409 | 422 = 200,
  ) => {
    const caller = plannerOf(session);
    const p = typeof participant === 'object' ? participant : await readParticipant(hub, caller, participantIdOf(participant));
    const directory = state.service ? await partnerDirectory(hub, caller, state.service) : [];
    return c.html(
      <ReferralFormPage
        session={session} participant={{ id: p.id, name: fullName(p), birthDate: p.birthDate }}
        service={state.service} directory={directory} values={state.values} errors={state.errors ?? {}} idempotencyKey={keyOf(state.idempotencyKey)}
        message={state.message} notice={state.notice} preview={state.preview}
      />,
      status,
    );
  };

  app.get('/referrals/new', (c) =>
    page(c, c.get('session')!, c.req.query('participant'), { service: serviceOf(c.req.query('service')), values: DEFAULTS }));

  app.post('/referrals/new', async (c) => {
    const session = c.get('session')!;
    const caller = plannerOf(session);
    const form = c.get('form');
    const values: FormValues = Object.fromEntries(Object.entries(form).filter(([k]) => !MACHINERY.has(k)));
    const participantId = form.participantId || c.req.query('participant');
    const service = serviceOf(form.service);
    const idempotencyKey = keyOf(form.idempotencyKey);
    const state = { service, values, idempotencyKey };

    const enrolled = await readParticipant(hub, caller, participantIdOf(participantId));
    const parsed = parseReferralForm(values, { name: enrolled.name, birthDate: enrolled.birthDate });
    if (!parsed.ok) return page(c, session, enrolled, { ...state, errors: parsed.errors }, 400);

    const preview = async (message?: string) => {
      try {
        const shown = await previewReferral(hub, caller, parsed.input);
        const previewed: ReferralPreview = { partnerName: shown.partner.name, view: shown.view, pieces: shown.pieces, deliverable: shown.deliverable, fingerprint: parsed.fingerprint };
        return page(c, session, enrolled, { ...state, preview: previewed, ...(message ? { message } : {}) });
      } catch (error) {
        if (error instanceof HubError && error.status === 404 && error.errors?.[0]?.path === 'partnerId') {
          return page(c, session, enrolled, { ...state, errors: { partnerId: 'That partner is not on the hub any more: choose another.' } }, 404);
        }
        throw error;
      }
    };

    if (form.step !== 'send') return preview();
    // What goes is what was previewed: a change after the preview is shown before it can be sent.
    if (form.previewed !== parsed.fingerprint) return preview('You changed the referral after the preview: this is what the partner would see now. Send it if it is right.');
    try {
      const created = await createReferral(hub, caller, parsed.input, idempotencyKey);
      return c.redirect(`/console/referrals/${created.body.id}?done=sent`, 303);
    } catch (error) {
      if (error instanceof HubError && error.status === 422) {
        return page(c, session, enrolled, { ...state, idempotencyKey: undefined, message: 'This form was already sent as a referral, with other content. It was not sent again: to send another referral, check the form and preview it again.' }, 422);
      }
      if (error instanceof HubError && error.status === 409) {
        return page(c, session, enrolled, { ...state, message: 'This referral is being sent right now (the form was sent twice). It will be on your caseload in a moment.' }, 409);
      }
      throw error;
    }
  });

  // A session that ended while the form was open: signed in again, the planner gets the form back as typed.
  resumable.add(/^\/console\/referrals\/new$/, 'planner', (c, session, values, _path, notice) =>
    page(c, session, values.participantId, {
      service: serviceOf(values.service), values: Object.fromEntries(Object.entries(values).filter(([k]) => !MACHINERY.has(k))), idempotencyKey: values.idempotencyKey, notice,
    }));
}
