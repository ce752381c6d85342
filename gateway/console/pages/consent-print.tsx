import { PART2_REDISCLOSURE_NOTICE, irrevocableUntil } from '../../../consent/index.js';
import type { ConsentParty } from '../../../services/organizations.js';
import type { StaffSession } from '../../../services/staff.js';
import { Layout } from '../layout.js';
import { categoryText, reachesSubstanceUse, ruleText, rulesOf } from './consent-rules.js';
import type { RecordedConsent } from './consent-view.js';
import { CATEGORY_WORDS, PURPOSE_WORDS, dayOf, list } from './consent-words.js';

const unique = (items: string[]) => [...new Set(items)];

/**
 * The consent as a paper form for a signature in ink, with every element 42 CFR 2.31(a) asks
 * of a written consent: the patient, who may disclose, to whom, what (substance use disorder
 * information described as such), why, the right to revoke and how, the expiry, and signature
 * and date lines (a guardian's too, for a minor). The print stylesheet drops the console's bar.
 */
export function ConsentPrintPage(props: {
  session: StaffSession; consent: RecordedConsent; participant: { name: string; birthDate: string; minor: boolean };
  parties: ConsentParty[]; holder: string;
}) {
  const { consent, participant, holder } = props;
  const rules = rulesOf(consent.provision, props.parties);
  const permits = rules.filter((r) => r.type === 'permit');
  const sources = unique(permits.flatMap((r) => r.sources ?? []));
  const recipients = unique(permits.flatMap((r) => r.recipients ?? ['any organisation']));
  const purposes = unique(permits.flatMap((r) => (r.purposes ?? []).map((p) => PURPOSE_WORDS[p].toLowerCase())));
  const anyPurpose = permits.some((r) => r.purposes === undefined);
  const why = list(purposes);
  const part2 = reachesSubstanceUse(rules);
  const guardianLine = participant.minor || consent.signatures.some((s) => s.signer === 'guardian');
  const until = consent.irrevocable ? irrevocableUntil(consent) : undefined;
  return (
    <Layout title={`Consent form for ${participant.name}`} session={props.session}>
      <article class="printable">
        <p class="no-print"><a href={`/console/consents/${consent.id}`}>Back to the consent</a> · Print this page for a signature in ink.</p>
        <h1>Consent to share confidential information</h1>
        <p class="muted">Under 42 CFR Part 2 (substance use disorder records) and HIPAA (45 CFR 164.508). Hub record <code>{consent.id}</code>.</p>

        <h2>1. Patient</h2>
        <p>Name: <strong>{participant.name}</strong> · Date of birth: {dayOf(participant.birthDate)}</p>

        <h2>2. Who may share the information</h2>
        <p>{holder}, through the referral hub{sources.length ? `; and, for what they report back, ${list(sources)}` : ''}.</p>

        <h2>3. Who may receive it</h2>
        <p>{list(recipients)}.</p>

        <h2>4. What information, how much, and why</h2>
        <ul class="rules">{rules.map((r) => <li>{ruleText(r, holder)}</li>)}</ul>
        {part2 ? (
          <p id="sud-description"><strong>This includes substance use disorder information</strong>, protected by federal law (42 CFR Part 2): {CATEGORY_WORDS.substance_use.hint.replace('; protected by 42 CFR Part 2', '')}, and anything a substance use disorder program reports about the patient.</p>
        ) : (
          <p id="sud-description">This consent does <strong>not</strong> permit sharing substance use disorder information ({categoryText(['substance_use'])}).</p>
        )}

        <h2>5. Purpose</h2>
        <p>{anyPurpose ? 'Any purpose.' : `${why.charAt(0).toUpperCase()}${why.slice(1)}.`}</p>

        <h2>6. The right to revoke</h2>
        {consent.irrevocable ? (
          <p>This is a criminal-justice consent under 42 CFR 2.35. I understand that I <strong>may not revoke it until {consent.irrevocable.event}</strong>{until ? ` (at the latest ${dayOf(until)})` : ''}. After that I may revoke it as described below.</p>
        ) : null}
        <p>I may revoke this consent at any time, in writing or by telling {holder}, except to the extent that it has already been acted on. Revoking it stops any further sharing at once.</p>

        <h2>7. When this consent expires</h2>
        <p>
          {consent.period.end ? <>This consent expires on <strong>{dayOf(consent.period.end)}</strong>.</> : <>Expiration date, event or condition: <span class="blank">&nbsp;</span></>}
          {' '}It applies from {dayOf(consent.period.start)}.
        </p>

        <h2>8. Notices</h2>
        <ul>
          <li>My treatment, payment, enrolment or eligibility for benefits may not be conditioned on whether I sign this consent (except where the law allows it for a criminal-justice referral).</li>
          <li>Information shared under this consent may be shared again by a recipient that is not bound by these rules, and may then no longer be protected by them.</li>
          {part2 ? <li>Every disclosure of substance use disorder information is accompanied by this notice: <q class="redisclosure">{PART2_REDISCLOSURE_NOTICE}</q></li> : null}
          <li>I may ask for a list of the disclosures made under this consent.</li>
        </ul>

        <h2>9. Signatures</h2>
        <div class="signature">
          <p><span class="line">&nbsp;</span><br />Signature of the patient ({participant.name})</p>
          <p><span class="line short">&nbsp;</span><br />Date</p>
        </div>
        {guardianLine ? (
          <div class="signature" id="guardian-line">
            <p><span class="line">&nbsp;</span><br />Signature of the parent or legal guardian{participant.minor ? ' (the patient is a minor)' : ''}</p>
            <p><span class="line short">&nbsp;</span><br />Relationship to the patient</p>
            <p><span class="line short">&nbsp;</span><br />Date</p>
          </div>
        ) : null}
      </article>
    </Layout>
  );
}
