import type { StaffSession } from '../../../services/staff.js';
import { FieldError, Layout } from '../layout.js';
import { ConsentSummary } from './consent-summary.js';
import type { RecordedConsent } from './consent-view.js';

/**
 * Revoke, with a reason. A consent that cannot be revoked shows why instead of the form, in the
 * words the service refuses with (consent/revocation.ts).
 */
export function RevokePage(props: {
  session: StaffSession; consent: RecordedConsent; participant: { id: string; name: string; birthDate: string };
  refusal?: string | undefined; values: { reason?: string }; errors: { reason?: string };
}) {
  const { consent, participant, errors } = props;
  return (
    <Layout title={`Revoke the consent for ${participant.name}`} session={props.session}>
      <h1>Revoke the consent for {participant.name}</h1>
      <ConsentSummary participant={participant} consent={consent} status={consent.status} />
      {props.refusal ? (
        <p class="alert" role="alert" id="refusal">This consent cannot be revoked: {props.refusal}.</p>
      ) : (
        <form class="stack card" method="post" action={`/console/consents/${consent.id}/revoke`}>
          <input type="hidden" name="csrf" value={props.session.csrfToken} />
          <p>From the moment it is revoked, nothing more is disclosed on this consent: deliveries still waiting go back to awaiting consent. What was disclosed before stays in the accounting of disclosures.</p>
          <label for="reason">Reason for revoking</label>
          <FieldError id="reason-error" message={errors.reason} />
          <textarea id="reason" name="reason" required {...(errors.reason ? { 'aria-describedby': 'reason-error', 'aria-invalid': 'true' } : {})}>{props.values.reason ?? ''}</textarea>
          <button type="submit">Revoke consent</button>
        </form>
      )}
      <p><a href={`/console/consents/${consent.id}`}>Back to the consent</a></p>
    </Layout>
  );
}
