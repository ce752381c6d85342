import type { Hono } from 'hono';
import { ageAt, consentWarnings, revocationRefusal } from '../../consent/index.js';
import { HubError } from '../../lib/errors.js';
import { RevokeInput } from '../../schemas/consent.js';
import { createConsent, getOwnConsent, revoke } from '../../services/consents.js';
import type { Hub } from '../../services/hub.js';
import { consentParties } from '../../services/organizations.js';
import { readParticipant } from '../../services/participants.js';
import { auditConsoleAction, type StaffSession } from '../../services/staff.js';
import { fieldFor, formFields, initialValues, readConsentForm, type FieldErrors, type FormValues } from './consent-form.js';
import { fullName } from './pages/compliance-parts.js';
import { ConsentFormPage, ConsentReviewPage, type ConsentSubject } from './pages/consent-new.js';
import { ConsentPrintPage } from './pages/consent-print.js';
import { RevokePage } from './pages/consent-revoke.js';
import { ConsentPage } from './pages/consent-view.js';
import { callerAs } from './roles.js';
import type { ConsoleEnv } from './session.js';

const complianceOf = (session: StaffSession) => callerAs(session, 'compliance', 'consents are recorded and revoked by a compliance officer of the participant’s organisation');

/**
 * The compliance officer's consent pages, over the same services as `POST /v1/consents`,
 * `GET /v1/consents/{id}` and `POST /v1/consents/{id}/revoke`, with the session's caller: the
 * same tenancy, the same checks, the same audit entries. Recording takes two posts (review, then
 * record) so that warnings are read before anything is saved, without script.
 */
export function registerConsentPages(app: Hono<ConsoleEnv>, hub: Hub) {
  /** The participant (an audited read, as `GET /v1/participants/{id}`) and the directory to pick recipients from. */
  const subject = async (session: StaffSession, participantId: string) => {
    const caller = complianceOf(session);
    const record = await readParticipant(hub, caller, participantId);
    const parties = await consentParties(hub, caller);
    const own = parties.find((p) => p.id === caller.organizationId);
    const now = hub.clock.now();
    const participant: ConsentSubject = {
      id: record.id, name: fullName(record), birthDate: record.birthDate,
      age: ageAt(record.birthDate, now), minor: record.minor, guardians: record.guardians ?? [],
    };
    return { caller, participant, parties, ownOrg: { id: caller.organizationId, name: own?.name ?? 'your organisation' }, now };
  };

  const consentAndSubject = async (session: StaffSession, consentId: string) => {
    const consent = await getOwnConsent(hub, complianceOf(session), consentId);
    return { consent, ...(await subject(session, consent.participantId)) };
  };

  app.get('/participants/:id/consents/new', async (c) => {
    const session = c.get('session')!;
    const ctx = await subject(session, c.req.param('id'));
    const values: FormValues = { ...initialValues(ctx.now), participantName: ctx.participant.name };
    return c.html(<ConsentFormPage session={session} {...ctx} values={values} errors={{}} />);
  });

  app.post('/participants/:id/consents/new', async (c) => {
    const session = c.get('session')!;
    const ctx = await subject(session, c.req.param('id'));
    const form = c.get('form');
    const values = formFields(form);
    const formPage = (errors: FieldErrors, status: 200 | 400 | 422) => c.html(<ConsentFormPage session={session} {...ctx} values={values} errors={errors} />, status);
    if (form.step === 'edit') return formPage({}, 200);

    // The hidden copy is read again from scratch: what is recorded is checked as it is recorded.
    const read = readConsentForm(values, { participant: ctx.participant, ownOrgId: ctx.ownOrg.id, parties: ctx.parties, now: ctx.now });
    if (!read.input) return formPage(read.errors, 400);

    if (form.step === 'record') {
      try {
        const created = await createConsent(hub, ctx.caller, read.input);
        return c.redirect(`/console/consents/${created.id}?done=recorded`, 303);
      } catch (error) {
        if (!(error instanceof HubError) || error.status !== 422) throw error;
        const errors: FieldErrors = {};
        for (const p of error.errors ?? [{ path: 'form', message: error.message }]) errors[fieldFor(p.path, p.message, read.input.signatures.map((sig) => sig.signer))] ??= p.message;
        return formPage(errors, 422);
      }
    }
    // Whatever a Part 2 program reports is substance use information (42 CFR 2.35): it comes back only under `substance_use`.
    const programs = read.parts.organizations.filter((o) => o.part2Program);
    const part2 = [...read.parts.send, ...read.parts.back].includes('substance_use') || (read.parts.back.length > 0 && programs.length > 0);
    const unheard = read.parts.back.includes('substance_use') ? [] : programs.map((o) => o.name);
    return c.html(
      <ConsentReviewPage session={session} {...ctx} values={values} input={read.input} warnings={consentWarnings(read.input.provision, read.input.period)} part2={part2} unheardPrograms={unheard} />,
    );
  });

  app.get('/consents/:consentId', async (c) => {
    const session = c.get('session')!;
    const { consent, participant, parties, ownOrg } = await consentAndSubject(session, c.req.param('consentId'));
    const asked = c.req.query('done');
    const done = asked === 'recorded' || asked === 'revoked' ? asked : undefined;
    const warnings = consent.status === 'active' ? consentWarnings(consent.provision, consent.period) : [];
    return c.html(<ConsentPage session={session} consent={consent} participant={participant} parties={parties} holder={ownOrg.name} warnings={warnings} done={done} />);
  });

  app.get('/consents/:consentId/print', async (c) => {
    const session = c.get('session')!;
    const { consent, participant, parties, ownOrg } = await consentAndSubject(session, c.req.param('consentId'));
    // A form with the patient's name on paper: who printed it, and when, is on the record.
    await auditConsoleAction(hub, session, 'consent.printed', consent.id, { participantId: consent.participantId });
    return c.html(<ConsentPrintPage session={session} consent={consent} participant={participant} parties={parties} holder={ownOrg.name} />);
  });

  const revokePage = async (session: StaffSession, consentId: string, form: { values: { reason?: string }; errors: { reason?: string }; refusal?: string }) => {
    const { consent, participant, now } = await consentAndSubject(session, consentId);
    const refusal = form.refusal ?? revocationRefusal(consent, now)?.message;
    return <RevokePage session={session} consent={consent} participant={participant} refusal={refusal} values={form.values} errors={form.errors} />;
  };

  app.get('/consents/:consentId/revoke', async (c) => c.html(await revokePage(c.get('session')!, c.req.param('consentId'), { values: {}, errors: {} })));

  app.post('/consents/:consentId/revoke', async (c) => {
    const session = c.get('session')!;
    const id = c.req.param('consentId');
    const caller = complianceOf(session);
    const reason = (c.get('form').reason ?? '').trim();
    const parsed = RevokeInput.safeParse({ reason });
    if (!parsed.success) {
      const message = reason ? 'the reason is too long: at most 2,000 characters' : 'enter why the consent is revoked (it is kept with the consent)';
      return c.html(await revokePage(session, id, { values: { reason }, errors: { reason: message } }), 400);
    }
    try {
      await revoke(hub, caller, id, parsed.data.reason);
    } catch (error) {
      if (error instanceof HubError && error.status === 409) return c.html(await revokePage(session, id, { values: { reason }, errors: {}, refusal: error.message }), 409);
      throw error;
    }
    return c.redirect(`/console/consents/${id}?done=revoked`, 303);
  });
}
