import type { Child } from 'hono/jsx';
import { DATA_CATEGORIES, ORGANIZATION_KINDS, PURPOSES, BASIS_KINDS, type DataCategory } from '../../../schemas/vocabulary.js';
import type { ConsentInput } from '../../../schemas/consent.js';
import type { ConsentParty } from '../../../services/organizations.js';
import type { StaffSession } from '../../../services/staff.js';
import { SIGNATURE_METHODS, type FieldErrors, type FormValues } from '../consent-form.js';
import { FieldError, Layout } from '../layout.js';
import { ConsentRules } from './consent-rules.js';
import { ConsentSummary } from './consent-summary.js';
import { BASIS_WORDS, CATEGORY_WORDS, KIND_WORDS, METHOD_WORDS, PURPOSE_WORDS, dayOf, list } from './consent-words.js';

export interface ConsentSubject {
  id: string;
  name: string;
  birthDate: string;
  age: number;
  minor: boolean;
  guardians: { name: string; relationship: string }[];
}

interface Common {
  session: StaffSession;
  participant: ConsentSubject;
  parties: ConsentParty[];
  ownOrg: { id: string; name: string };
}

/** A field's message ("the participant is a minor: …") as a sentence of its own. */
const sentence = (message: string) => `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;
const action = (participantId: string) => `/console/participants/${participantId}/consents/new`;

/** Why a minor's consent needs a second signature, shown before anything is saved. */
function MinorNotice(props: { participant: ConsentSubject }) {
  const { participant } = props;
  if (!participant.minor) return null;
  const guardians = participant.guardians.map((g) => `${g.name} (${g.relationship})`).join(', ');
  return (
    <p class="notice" id="minor-notice">
      {participant.name} is a minor (age {participant.age}): the consent needs a parent’s or legal guardian’s signature as well as theirs. Only for
      substance use disorder information may a minor from age 12 consent alone.{guardians ? ` Guardian on record: ${guardians}.` : ''}
    </p>
  );
}

function Check(props: { name: string; values: FormValues; children: Child; hint?: string | undefined }) {
  const id = props.name.replace('.', '-');
  return (
    <div class="choice">
      <input type="checkbox" id={id} name={props.name} checked={props.values[props.name] === 'on'} {...(props.hint ? { 'aria-describedby': `${id}-hint` } : {})} />
      <label for={id}>{props.children}</label>
      {props.hint ? <span class="hint" id={`${id}-hint`}>{props.hint}</span> : null}
    </div>
  );
}

function Group(props: { id: string; legend: string; error?: string | undefined; children: Child; hint?: string }) {
  const describedBy = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-error` : ''].filter(Boolean).join(' ');
  return (
    <fieldset id={props.id} {...(describedBy ? { 'aria-describedby': describedBy } : {})}>
      <legend>{props.legend}</legend>
      {props.hint ? <p class="hint" id={`${props.id}-hint`}>{props.hint}</p> : null}
      <FieldError id={`${props.id}-error`} message={props.error} />
      {props.children}
    </fieldset>
  );
}

function Categories(props: { prefix: 'send' | 'back'; values: FormValues }) {
  return (
    <>
      {DATA_CATEGORIES.map((c: DataCategory) => (
        <Check name={`${props.prefix}.${c}`} values={props.values} hint={CATEGORY_WORDS[c].hint}>
          {CATEGORY_WORDS[c].label}{c === 'substance_use' ? <> <span class="badge part2">42 CFR Part 2</span></> : null}
        </Check>
      ))}
    </>
  );
}

function Text(props: { name: string; label: string; values: FormValues; errors: FieldErrors; type?: string; hint?: string }) {
  const error = props.errors[props.name];
  const ids = [props.hint ? `${props.name}-hint` : '', error ? `${props.name}-error` : ''].filter(Boolean).join(' ');
  return (
    <>
      <label for={props.name}>{props.label}</label>
      {props.hint ? <p class="hint" id={`${props.name}-hint`}>{props.hint}</p> : null}
      <FieldError id={`${props.name}-error`} message={error} />
      <input id={props.name} name={props.name} type={props.type ?? 'text'} autocomplete="off" value={props.values[props.name] ?? ''}
        {...(ids ? { 'aria-describedby': ids } : {})} {...(error ? { 'aria-invalid': 'true' } : {})} />
    </>
  );
}

function Method(props: { name: string; values: FormValues }) {
  return (
    <>
      <label for={props.name}>How it was signed</label>
      <select id={props.name} name={props.name}>
        {SIGNATURE_METHODS.map((m) => <option value={m} selected={(props.values[props.name] ?? 'wet') === m}>{METHOD_WORDS[m]}</option>)}
      </select>
    </>
  );
}

/** Step one: the guided form. Errors in words next to their fields, everything typed kept. */
export function ConsentFormPage(props: Common & { values: FormValues; errors: FieldErrors }) {
  const { session, participant, parties, ownOrg, values, errors } = props;
  const partners = parties.filter((p) => p.id !== ownOrg.id);
  return (
    <Layout title={`Record a consent for ${participant.name}`} session={session}>
      <h1>Record a consent for {participant.name}</h1>
      <p class="muted">Born {dayOf(participant.birthDate)} · participant <code>{participant.id}</code></p>
      {Object.keys(errors).length ? (
        <div class="alert" role="alert">
          <p>The consent was not recorded: see the fields below.</p>
          {errors.guardianName ? <p><strong>A guardian’s signature is missing.</strong> {sentence(errors.guardianName)}</p> : null}
          {errors.form ? <p>{errors.form}</p> : null}
        </div>
      ) : null}
      <MinorNotice participant={participant} />
      <form class="stack card consent-form" method="post" action={action(participant.id)}>
        <input type="hidden" name="csrf" value={session.csrfToken} />

        <Group id="recipients" legend="Who may receive the information" error={errors.recipients}
          hint="The partner organisations this consent is for. A consent covering substance use information should name them (42 CFR 2.31(a)(4)).">
          {partners.map((p) => (
            <Check name={`to.${p.id}`} values={values} hint={`${KIND_WORDS[p.kind]}${p.part2Program ? '; a 42 CFR Part 2 program' : ''}`}>{p.name}</Check>
          ))}
          {partners.length === 0 ? <p class="muted">No partner organisations are registered yet.</p> : null}
          {/* Folded away (no script needed): naming the partner is what 42 CFR Part 2 expects. */}
          <details open={ORGANIZATION_KINDS.some((k) => values[`toKind.${k}`] === 'on')}>
            <summary>Or every organisation of a kind</summary>
            {ORGANIZATION_KINDS.map((k) => <Check name={`toKind.${k}`} values={values}>{KIND_WORDS[k]}</Check>)}
          </details>
        </Group>

        <Group id="purposes" legend="For what purpose" error={errors.purposes}>
          {PURPOSES.map((p) => <Check name={`purpose.${p}`} values={values}>{PURPOSE_WORDS[p]}</Check>)}
        </Group>

        <Group id="send" legend="What they may receive from the case file" error={errors.send}>
          <Categories prefix="send" values={values} />
        </Group>

        <Group id="back" legend={`What they may report back to ${ownOrg.name}`}
          hint="Status changes of a referral (received, accepted, appointments) come back without consent: they are about the referral itself. Notes and reports need it. Anything a Part 2 program reports counts as substance use disorder information.">
          <Categories prefix="back" values={values} />
        </Group>

        <Group id="period" legend="When the consent applies">
          <Text name="start" label="Starts on" type="date" values={values} errors={errors} />
          <Text name="end" label="Expires on (optional)" type="date" values={values} errors={errors}
            hint="It stops applying at the start of this day (UTC). 42 CFR 2.31(a)(7) expects an expiration date, event or condition for substance use information." />
        </Group>

        <Group id="basis" legend="What the disclosure rests on" error={errors.basis}>
          {BASIS_KINDS.map((b) => (
            <div class="choice">
              <input type="radio" id={`basis-${b}`} name="basis" value={b} checked={values.basis === b} />
              <label for={`basis-${b}`}>{BASIS_WORDS[b]}</label>
            </div>
          ))}
          <Text name="documentRef" label="Document reference" values={values} errors={errors}
            hint="Required for a court order or a statute (its number or citation); for a consent, where the signed form is kept." />
        </Group>

        <Group id="participant-signature" legend="The participant’s signature">
          <Text name="participantName" label="Participant’s name as signed" values={values} errors={errors} />
          <Text name="participantSignedOn" label="Signed on" type="date" values={values} errors={errors} />
          <Method name="participantMethod" values={values} />
        </Group>

        <Group id="guardian-signature" legend="A parent’s or legal guardian’s signature"
          hint={participant.minor ? `Required: ${participant.name} is a minor.` : 'Only needed when the participant is a minor.'}>
          <Text name="guardianName" label="Guardian’s name as signed" values={values} errors={errors} />
          <Text name="guardianRelationship" label="Relationship to the participant" values={values} errors={errors} />
          <Text name="guardianSignedOn" label="Signed on" type="date" values={values} errors={errors} />
          <Method name="guardianMethod" values={values} />
        </Group>

        <Group id="irrevocability" legend="Criminal-justice consent (42 CFR 2.35)" error={errors.irrevocable}
          hint="When a substance use program reports to the agency that referred the participant, the consent may be irrevocable until a stated event, such as the final disposition of the case.">
          <Check name="irrevocable" values={values}>The participant agrees that this consent may not be revoked until the event below</Check>
          <Text name="irrevocableEvent" label="Until which event" values={values} errors={errors} />
          <Text name="irrevocableUntil" label="Revocable again from (optional)" type="date" values={values} errors={errors}
            hint="At the latest; without a date, it stays irrevocable until the consent expires." />
        </Group>

        <button type="submit" name="step" value="review">Review</button>
      </form>
    </Layout>
  );
}

/** Step two: what will be recorded, what to look at, and the values again as hidden fields. */
export function ConsentReviewPage(props: Common & { values: FormValues; input: ConsentInput; warnings: string[]; part2: boolean; unheardPrograms: string[] }) {
  const { session, participant, parties, ownOrg, values, input } = props;
  const guardian = input.signatures.find((s) => s.signer === 'guardian');
  return (
    <Layout title={`Review the consent for ${participant.name}`} session={session}>
      <h1>Review the consent for {participant.name}</h1>
      <p class="muted">Nothing is recorded yet. Check it with the participant, then record it.</p>
      {props.warnings.length || props.part2 || props.unheardPrograms.length || participant.minor ? (
        <section aria-labelledby="look-at" class="notice">
          <h2 id="look-at">Before you record it</h2>
          <ul>
            {props.warnings.map((w) => <li>{w}</li>)}
            {props.part2 ? <li>It covers substance use disorder information (42 CFR Part 2): every disclosure carries the federal redisclosure notice, and the participant may revoke it at any time{input.irrevocable ? ', except as stated below (42 CFR 2.35)' : ''}.</li> : null}
            {props.unheardPrograms.length ? <li>{list(props.unheardPrograms)} {props.unheardPrograms.length > 1 ? 'are' : 'is a'} 42 CFR Part 2 program{props.unheardPrograms.length > 1 ? 's' : ''}: {ownOrg.name} will not see what {props.unheardPrograms.length > 1 ? 'they report' : 'it reports'} (attendance, progress) unless substance use disorder information is among what may be reported back.</li> : null}
            {participant.minor && guardian ? <li>{participant.name} is a minor: {guardian.name}{guardian.relationship ? ` (${guardian.relationship})` : ''} signs as guardian.</li> : null}
            {participant.minor && !guardian ? <li>{participant.name} is a minor consenting alone: this is allowed only for substance use disorder information, from age 12.</li> : null}
          </ul>
        </section>
      ) : null}
      <h2>What it permits</h2>
      <ConsentRules provision={input.provision} parties={parties} holder={ownOrg.name} />
      <h2>The consent</h2>
      <ConsentSummary participant={participant} consent={input} />
      <form method="post" action={action(participant.id)} class="actions">
        <input type="hidden" name="csrf" value={session.csrfToken} />
        {Object.entries(values).map(([name, value]) => <input type="hidden" name={name} value={value} />)}
        <button type="submit" name="step" value="record">Record consent</button>
        <button type="submit" name="step" value="edit" class="secondary">Change</button>
      </form>
    </Layout>
  );
}
