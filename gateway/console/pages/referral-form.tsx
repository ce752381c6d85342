import type { PartnerReferralView } from '../../../schemas/referral.js';
import { DATA_CATEGORIES, PART2_NOTICE_CODE, PURPOSES, SERVICES } from '../../../schemas/vocabulary.js';
import type { SharedOrWithheld } from '../../../consent/index.js';
import type { PartnerEntry } from '../../../services/organizations.js';
import type { StaffSession } from '../../../services/staff.js';
import { FieldError, Layout } from '../layout.js';
import { noteCategoryField, noteSlots, noteTextField, sectionField, TEXT_SECTIONS, type FormValues } from '../referral-form.js';
import { CaseFileSections, categoryLabel } from './case-file.js';

export interface ReferralPreview {
  partnerName: string;
  view: PartnerReferralView;
  pieces: SharedOrWithheld[];
  /** False while no basis lets the partner know who the participant is: the referral would wait. */
  deliverable: boolean;
  fingerprint: string;
}

export interface ReferralFormProps {
  session: StaffSession;
  participant: { id: string; name: string; birthDate: string };
  /** The directory filter: the service the participant needs. */
  service: string | undefined;
  directory: PartnerEntry[];
  values: FormValues;
  errors: Record<string, string>;
  idempotencyKey: string;
  message?: string | undefined;
  notice?: string | undefined;
  preview?: ReferralPreview | undefined;
}

const described = (id: string, error?: string, hint?: string) => {
  const ids = [error ? `${id}-error` : '', hint ?? ''].filter(Boolean).join(' ');
  return { ...(ids ? { 'aria-describedby': ids } : {}), ...(error ? { 'aria-invalid': 'true' } : {}) };
};

const pieceName = (p: SharedOrWithheld) =>
  p.part === 'reason' ? 'Reason for referral' : p.part === 'section' ? categoryLabel(p.category) : `Note ${(p.index ?? 0) + 1} (${categoryLabel(p.category)})`;

function Preview(props: { preview: ReferralPreview }) {
  const { preview } = props;
  const part2 = preview.view.notices.find((n) => n.code === PART2_NOTICE_CODE);
  return (
    <section class="card" aria-labelledby="preview-heading">
      <h2 id="preview-heading">What {preview.partnerName} will see</h2>
      <p class="muted">Worked out just now by the same consent decision and projection the delivery uses. The delivery decides again when it sends: a consent given or revoked meanwhile changes what goes.</p>
      {!preview.deliverable ? (
        <p class="notice" role="note">No consent lets this partner know who the participant is yet: the referral will wait (awaiting consent), and nothing is sent until one does.</p>
      ) : null}
      <table>
        <caption class="muted">Each part of the referral, and whether consent lets it go to this partner.</caption>
        <thead><tr><th scope="col">Part</th><th scope="col">To the partner</th></tr></thead>
        <tbody>
          {preview.pieces.map((p) => (
            <tr class={p.shared ? 'shared' : 'withheld'}>
              <th scope="row">{pieceName(p)}</th>
              <td>{p.shared ? 'Will be shared' : `Withheld — ${p.why}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {part2 ? (
        <div class="notice" role="note">
          <strong>Part 2 notice:</strong> substance-use information goes with the 42 CFR Part 2 redisclosure notice, which the partner sees with it: {part2.text}
        </div>
      ) : null}
      <h3>Exactly as the partner will see it</h3>
      {preview.view.reason !== undefined ? <dl class="fields card"><dt>Reason for referral</dt><dd>{preview.view.reason}</dd></dl> : null}
      <CaseFileSections caseFile={preview.view.caseFile} />
      {preview.view.withheld.count > 0 ? <p class="muted">The partner is told only: “{preview.view.withheld.notice}”</p> : null}
    </section>
  );
}

export function ReferralFormPage(props: ReferralFormProps) {
  const { session, participant, values, errors, preview } = props;
  const action = `/console/referrals/new?participant=${encodeURIComponent(participant.id)}`;
  const slots = noteSlots(values);
  return (
    <Layout title="New referral" session={session}>
      <p><a href="/console/caseload">← Caseload</a></p>
      <h1>Refer {participant.name}</h1>
      {props.notice ? <p class="notice" role="status">{props.notice}</p> : null}
      {props.message ? <p class="alert" role="alert">{props.message}</p> : null}
      {Object.keys(errors).length ? <p class="alert" role="alert">The referral was not {preview ? 'sent' : 'previewed'}: see the fields below.</p> : null}

      <form class="stack card" method="get" action="/console/referrals/new" aria-label="Find a partner">
        <input type="hidden" name="participant" value={participant.id} />
        <label for="filter-service">Service needed</label>
        <select id="filter-service" name="service">
          <option value="">Choose a service</option>
          {SERVICES.map((s) => <option value={s} selected={props.service === s}>{categoryLabel(s)}</option>)}
        </select>
        <button type="submit" class="secondary">Show partners</button>
      </form>

      {preview ? <Preview preview={preview} /> : null}

      {!props.service ? <p>Choose the service first: the partners that provide it are listed then.</p> : (
        <form class="stack card" method="post" action={action} aria-label="Referral">
          <input type="hidden" name="csrf" value={session.csrfToken} />
          <input type="hidden" name="participantId" value={participant.id} />
          <input type="hidden" name="service" value={props.service} />
          <input type="hidden" name="idempotencyKey" value={props.idempotencyKey} />
          {preview ? <input type="hidden" name="previewed" value={preview.fingerprint} /> : null}

          <fieldset>
            <legend>Partner for {categoryLabel(props.service)}</legend>
            <FieldError id="partnerId-error" message={errors.partnerId} />
            {props.directory.length === 0 ? <p>No partner on the hub provides this service yet.</p> : null}
            {props.directory.map((p) => (
              <div class="choice">
                <input type="radio" id={`partner-${p.id}`} name="partnerId" value={p.id} checked={values.partnerId === p.id} {...described('partnerId', errors.partnerId)} />
                <label for={`partner-${p.id}`}>{p.name} <span class="muted">({categoryLabel(p.kind)}{p.part2Program ? ', Part 2 program' : ''})</span></label>
              </div>
            ))}
          </fieldset>

          <label for="purpose">Purpose</label>
          <FieldError id="purpose-error" message={errors.purpose} />
          <select id="purpose" name="purpose" {...described('purpose', errors.purpose)}>
            {PURPOSES.map((p) => <option value={p} selected={(values.purpose || 'care_coordination') === p}>{categoryLabel(p)}</option>)}
          </select>

          <label for="priority">Priority</label>
          <select id="priority" name="priority">
            {['routine', 'urgent'].map((p) => <option value={p} selected={(values.priority || 'routine') === p}>{categoryLabel(p)}</option>)}
          </select>

          <label for="reason">Reason for referral</label>
          <p class="muted" id="reason-hint">
            Why you refer, in a sentence or two. Clinical detail (diagnoses, treatment, substance use) belongs in a categorised note below, not in the reason: the
            reason goes to any partner that may know who the participant is, a note only where consent permits its category.
          </p>
          <FieldError id="reason-error" message={errors.reason} />
          <textarea id="reason" name="reason" required {...described('reason', errors.reason, 'reason-hint')}>{values.reason ?? ''}</textarea>

          <fieldset>
            <legend>Case file</legend>
            <p class="muted">Send what the partner needs. Consent decides, section by section, what it may see: the preview shows it.</p>
            <FieldError id="identity-error" message={errors.identity} />
            <div class="choice">
              <input type="checkbox" id="identity" name="identity" value="include" checked={values.identity === 'include'} {...described('identity', errors.identity)} />
              <label for="identity">Identity: {participant.name}, born {participant.birthDate} (as enrolled)</label>
            </div>
            {TEXT_SECTIONS.map((category) => {
              const name = sectionField(category);
              return (
                <>
                  <label for={name}>{categoryLabel(category)}</label>
                  <FieldError id={`${name}-error`} message={errors[name]} />
                  <textarea id={name} name={name} {...described(name, errors[name])}>{values[name] ?? ''}</textarea>
                </>
              );
            })}
          </fieldset>

          <fieldset>
            <legend>Notes</legend>
            <p class="muted">Each note says what it is about, and goes only where consent permits that category. Blank notes are left out.</p>
            {Array.from({ length: slots }, (_, i) => {
              const cat = noteCategoryField(i);
              const text = noteTextField(i);
              return (
                <div class="note-slot">
                  <label for={cat}>Note {i + 1} is about</label>
                  <FieldError id={`${cat}-error`} message={errors[cat]} />
                  <select id={cat} name={cat} {...described(cat, errors[cat])}>
                    <option value="">Choose a category</option>
                    {DATA_CATEGORIES.map((c) => <option value={c} selected={values[cat] === c}>{categoryLabel(c)}</option>)}
                  </select>
                  <label for={text}>Note {i + 1}</label>
                  <FieldError id={`${text}-error`} message={errors[text]} />
                  <textarea id={text} name={text} {...described(text, errors[text])}>{values[text] ?? ''}</textarea>
                </div>
              );
            })}
          </fieldset>

          <div class="actions">
            <button type="submit" name="step" value="preview" class={preview ? 'secondary' : ''}>{preview ? 'Preview again' : 'Preview what the partner will see'}</button>
            {preview ? <button type="submit" name="step" value="send">Send referral</button> : null}
          </div>
        </form>
      )}
    </Layout>
  );
}
