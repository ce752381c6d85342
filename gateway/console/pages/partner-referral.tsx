import { DATA_CATEGORIES } from '../../../schemas/vocabulary.js';
import type { StaffSession } from '../../../services/staff.js';
import { FieldError, Layout, described } from '../layout.js';
import { CaseFileSections, categoryLabel } from './case-file.js';

export interface PartnerReferral {
  id: string;
  status: string;
  service: string;
  purpose: string;
  priority: string;
  createdAt: string;
  reason?: string;
  caseFile: Record<string, unknown>;
  withheld: { count: number; notice: string };
  notices: { code: string; text: string }[];
}

/** What each status update is called on its button. */
const BUTTONS: Record<string, string> = {
  received: 'Mark received', accepted: 'Accept', in_progress: 'Start service', on_hold: 'Put on hold', resumed: 'Resume',
  completed: 'Complete', failed: 'Mark failed', attended: 'Attended intake', no_show: 'No-show',
};

export interface FormState {
  errors: Record<string, string>;
  values: Record<string, string>;
  /** A refusal that is not about one field (the state machine moved on meanwhile). */
  message?: string;
  done?: string;
}

function Csrf(props: { session: StaffSession }) {
  return <input type="hidden" name="csrf" value={props.session.csrfToken} />;
}


export function PartnerReferralPage(props: { session: StaffSession; referral: PartnerReferral; allowed: string[]; form: FormState }) {
  const { referral, allowed, session, form } = props;
  const action = `/console/referrals/${referral.id}/events`;
  const oneClick = allowed.filter((e) => e in BUTTONS);
  return (
    <Layout title="Referral" session={session}>
      <p><a href="/console/inbox">← Inbox</a></p>
      <h1>Referral for {categoryLabel(referral.service)}</h1>
      {form.done ? <p class="notice" role="status">Recorded: {categoryLabel(form.done)}.</p> : null}
      {form.message ? <p class="alert" role="alert">{form.message}</p> : null}
      {referral.notices.map((n) => <div class="notice" role="note"><strong>{n.code === '42CFR2.32' ? 'Confidential substance use information' : 'Notice'}:</strong> {n.text}</div>)}
      <dl class="fields card">
        <dt>Status</dt><dd>{categoryLabel(referral.status)}</dd>
        <dt>Priority</dt><dd>{referral.priority}</dd>
        <dt>Purpose</dt><dd>{categoryLabel(referral.purpose)}</dd>
        <dt>Sent</dt><dd><time datetime={referral.createdAt}>{referral.createdAt.slice(0, 16).replace('T', ' ')} UTC</time></dd>
        {referral.reason !== undefined ? <><dt>Reason for referral</dt><dd>{referral.reason}</dd></> : null}
      </dl>
      {referral.withheld.count > 0 ? <p class="muted">{referral.withheld.notice}</p> : null}

      <h2>Update the referral</h2>
      {allowed.length === 0 ? <p>No update can be made to this referral now.</p> : null}
      {oneClick.length ? (
        <div class="actions">
          {oneClick.map((type) => (
            <form method="post" action={action}><Csrf session={session} /><input type="hidden" name="type" value={type} /><button type="submit">{BUTTONS[type]}</button></form>
          ))}
        </div>
      ) : null}
      {allowed.includes('rejected') ? (
        <form class="stack card" method="post" action={action}>
          <h3>Reject</h3>
          <Csrf session={session} /><input type="hidden" name="type" value="rejected" />
          <label for="reason">Why it is rejected</label>
          <FieldError id="reason-error" message={form.errors.reason} />
          <textarea id="reason" name="reason" required {...described('reason-error', form.errors.reason)}>{form.values.reason ?? ''}</textarea>
          <button type="submit" class="secondary">Reject referral</button>
        </form>
      ) : null}
      {allowed.includes('intake_scheduled') ? (
        <form class="stack card" method="post" action={action}>
          <h3>Schedule intake</h3>
          <Csrf session={session} /><input type="hidden" name="type" value="intake_scheduled" />
          <label for="appointmentAt">Appointment (UTC)</label>
          <FieldError id="appointmentAt-error" message={form.errors.appointmentAt} />
          <input id="appointmentAt" name="appointmentAt" type="datetime-local" required value={form.values.appointmentAt ?? ''} {...described('appointmentAt-error', form.errors.appointmentAt)} />
          <button type="submit">Schedule intake</button>
        </form>
      ) : null}
      {allowed.includes('progress_note') ? (
        <form class="stack card" method="post" action={action}>
          <h3>Progress note</h3>
          <Csrf session={session} /><input type="hidden" name="type" value="progress_note" />
          <label for="category">What it is about</label>
          <FieldError id="category-error" message={form.errors.category} />
          <select id="category" name="category" {...described('category-error', form.errors.category)}>
            {DATA_CATEGORIES.map((c) => <option value={c} selected={form.values.category === c}>{categoryLabel(c)}</option>)}
          </select>
          <p class="muted">The planner sees the note only if consent lets your organisation report this category back.</p>
          <label for="note">Note</label>
          <FieldError id="note-error" message={form.errors.note} />
          <textarea id="note" name="note" required {...described('note-error', form.errors.note)}>{form.values.note ?? ''}</textarea>
          <button type="submit">Post note</button>
        </form>
      ) : null}

      <h2>Case file</h2>
      <p class="muted">Only what current consent lets your organisation see.</p>
      <CaseFileSections caseFile={referral.caseFile} />
    </Layout>
  );
}
