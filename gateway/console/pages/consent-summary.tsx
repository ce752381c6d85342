import type { ConsentInput, Signature } from '../../../schemas/consent.js';
import { BASIS_WORDS, METHOD_WORDS, dayOf } from './consent-words.js';

type Summarised = Pick<ConsentInput, 'basis' | 'documentRef' | 'period' | 'irrevocable'> & { signatures: readonly Signature[] };

const signer = (s: Signature) => (s.signer === 'guardian' ? `guardian${s.relationship ? `, ${s.relationship}` : ''}` : 'participant');

/** The consent's terms as a definition list: the review step and the recorded consent show the same. */
export function ConsentSummary(props: { participant: { name: string; birthDate: string }; consent: Summarised; status?: string | undefined }) {
  const { participant, consent } = props;
  return (
    <dl class="fields card">
      <dt>Participant</dt><dd>{participant.name}, born {dayOf(participant.birthDate)}</dd>
      {props.status ? <><dt>Status</dt><dd><span class={`badge status-${props.status}`}>{props.status}</span></dd></> : null}
      <dt>Basis</dt><dd>{BASIS_WORDS[consent.basis]}{consent.documentRef ? ` (${consent.documentRef})` : ''}</dd>
      <dt>Applies</dt><dd>From {dayOf(consent.period.start)}{consent.period.end ? ` until ${dayOf(consent.period.end)}` : ', with no expiry date'}</dd>
      <dt>Signed by</dt>
      <dd>
        {consent.signatures.length
          ? consent.signatures.map((s) => `${s.name} (${signer(s)}) on ${dayOf(s.signedAt)}, ${METHOD_WORDS[s.method].toLowerCase()}`).join('; ')
          : 'No signature (not needed for this basis)'}
      </dd>
      {consent.irrevocable ? (
        <><dt>Revocation</dt><dd>Irrevocable until {consent.irrevocable.event}{consent.irrevocable.until ? `, at the latest ${dayOf(consent.irrevocable.until)}` : ''} (42 CFR 2.35)</dd></>
      ) : null}
    </dl>
  );
}
