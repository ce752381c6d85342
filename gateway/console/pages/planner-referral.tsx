import type { StaffSession } from '../../../services/staff.js';
import { FieldError, Layout } from '../layout.js';
import { CaseFileSections, categoryLabel } from './case-file.js';
import type { FormState } from './partner-referral.js';

export interface PlannerReferral {
  id: string;
  status: string;
  service: string;
  purpose: string;
  priority: string;
  partnerId: string;
  participantId: string;
  createdAt: string;
  reason: string;
  lastError: string | null;
  withheldEvents: number;
  caseFile: Record<string, unknown>;
}

export interface TimelineItem {
  id: string;
  type: string;
  occurredAt: string;
  by?: string;
  reason?: string;
  appointmentAt?: string;
  note?: { category: string; text: string };
  noteWithheld?: true;
}

export function PlannerReferralPage(props: { session: StaffSession; referral: PlannerReferral; partnerName?: string | undefined; timeline: TimelineItem[]; canCancel: boolean; form: FormState }) {
  const { referral, session, form } = props;
  return (
    <Layout title="Referral" session={session}>
      <p><a href="/console/caseload">← Caseload</a></p>
      <h1>Referral for {categoryLabel(referral.service)}</h1>
      {form.done ? <p class="notice" role="status">Recorded: {categoryLabel(form.done)}.</p> : null}
      {form.message ? <p class="alert" role="alert">{form.message}</p> : null}
      <dl class="fields card">
        <dt>Status</dt><dd>{categoryLabel(referral.status)}</dd>
        <dt>Partner</dt><dd>{props.partnerName ? <>{props.partnerName} (<code>{referral.partnerId}</code>)</> : <code>{referral.partnerId}</code>}</dd>
        <dt>Participant</dt><dd><code>{referral.participantId}</code> <a href={`/console/referrals/new?participant=${referral.participantId}`}>Refer again</a></dd>
        <dt>Priority</dt><dd>{referral.priority}</dd>
        <dt>Reason for referral</dt><dd>{referral.reason}</dd>
        {referral.lastError ? <><dt>Last delivery error</dt><dd>{referral.lastError}</dd></> : null}
      </dl>
      {referral.withheldEvents > 0 ? <p class="notice" role="note">{referral.withheldEvents} update(s) from this partner are withheld: no consent lets your organisation see them.</p> : null}

      {referral.status === 'delivery_failed' ? (
        <form method="post" action={`/console/referrals/${referral.id}/replay`}>
          <input type="hidden" name="csrf" value={session.csrfToken} />
          <button type="submit">Deliver again</button>
        </form>
      ) : null}
      {props.canCancel ? (
        <form class="stack card" method="post" action={`/console/referrals/${referral.id}/events`}>
          <h2>Cancel the referral</h2>
          <input type="hidden" name="csrf" value={session.csrfToken} />
          <input type="hidden" name="type" value="cancelled" />
          <label for="reason">Why (optional; the partner is told it was cancelled)</label>
          <FieldError id="reason-error" message={form.errors.reason} />
          <textarea id="reason" name="reason">{form.values.reason ?? ''}</textarea>
          <button type="submit" class="secondary">Cancel referral</button>
        </form>
      ) : null}

      <h2>Timeline</h2>
      <ol class="card">
        {props.timeline.map((e) => (
          <li>
            <time datetime={e.occurredAt}>{e.occurredAt.slice(0, 16).replace('T', ' ')} UTC</time>: <strong>{categoryLabel(e.type)}</strong>
            {e.reason ? <> ({e.reason})</> : null}
            {e.appointmentAt ? <> appointment {e.appointmentAt.slice(0, 16).replace('T', ' ')} UTC</> : null}
            {e.note ? <p><span class="badge">{categoryLabel(e.note.category)}</span> {e.note.text}</p> : null}
            {e.noteWithheld ? <p class="muted">A note was posted; no consent lets your organisation see it.</p> : null}
          </li>
        ))}
      </ol>

      <h2>Case file sent</h2>
      <CaseFileSections caseFile={referral.caseFile} />
    </Layout>
  );
}
