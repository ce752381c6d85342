import type { getOwnConsent } from '../../../services/consents.js';
import type { ConsentParty } from '../../../services/organizations.js';
import type { StaffSession } from '../../../services/staff.js';
import { Layout } from '../layout.js';
import { ConsentRules } from './consent-rules.js';
import { ConsentSummary } from './consent-summary.js';

export type RecordedConsent = Awaited<ReturnType<typeof getOwnConsent>>;

/** The recorded consent, with what to look at, and the ways on: print it for signing, revoke it. */
export function ConsentPage(props: {
  session: StaffSession; consent: RecordedConsent; participant: { id: string; name: string; birthDate: string };
  parties: ConsentParty[]; holder: string; warnings: string[]; done?: 'recorded' | 'revoked' | undefined;
}) {
  const { consent, participant } = props;
  return (
    <Layout title={`Consent for ${participant.name}`} session={props.session}>
      <h1>Consent for {participant.name}</h1>
      {props.done === 'recorded' ? <p class="notice" role="status">Consent recorded as <code>{consent.id}</code>.</p> : null}
      {props.done === 'revoked' ? <p class="notice" role="status">Consent revoked: no later decision rests on it.</p> : null}
      {props.warnings.length ? (
        <section aria-labelledby="look-at" class="notice">
          <h2 id="look-at">To look at</h2>
          <ul>{props.warnings.map((w) => <li>{w}</li>)}</ul>
        </section>
      ) : null}
      <ConsentSummary participant={participant} consent={consent} status={consent.status} />
      {consent.revokedAt ? <p>Revoked on {consent.revokedAt.slice(0, 10)}{consent.revokeReason ? `: ${consent.revokeReason}` : ''}.</p> : null}
      <h2>What it permits</h2>
      <ConsentRules provision={consent.provision} parties={props.parties} holder={props.holder} />
      <ul class="links">
        <li><a href={`/console/consents/${consent.id}/print`}>Print</a></li>
        <li><a href={`/console/consents/${consent.id}/revoke`}>Revoke</a></li>
        <li><a href={`/console/participants/${participant.id}/consents/new`}>Record another consent</a></li>
        <li><a href={`/console/participants/${participant.id}`}>Back to the participant</a></li>
      </ul>
    </Layout>
  );
}
