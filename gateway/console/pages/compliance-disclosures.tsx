import type { accountingOf } from '../../../services/disclosures.js';
import type { StaffSession } from '../../../services/staff.js';
import { described, FieldError, Layout } from '../layout.js';
import { categoryLabel } from './case-file.js';
import { basisLabel } from './consent-words.js';
import { At, fullName, Org, ParticipantHeader, purposeLabel, type ParticipantSummary } from './compliance-parts.js';

export type DisclosureItem = Awaited<ReturnType<typeof accountingOf>>[number];

export const CHANNEL_LABELS: Record<string, string> = { delivery: 'Sent with a referral', read: 'Read by the partner', status: 'A partner’s report shown to the referrer' };

export interface DisclosuresView {
  participant: ParticipantSummary;
  items: DisclosureItem[];
  names: Map<string, string>;
  /** The filters as typed (dates as YYYY-MM-DD, the end date inclusive). */
  values: Record<string, string>;
  errors: Record<string, string>;
  /** The query string that gives the same rows, for the CSV and print links. */
  query: string;
  hub: { name: string; url: string; keeper: string };
  at: string;
}

const period = (v: Record<string, string>) =>
  v.from && v.to ? `from ${v.from} to ${v.to}` : v.from ? `from ${v.from}` : v.to ? `up to ${v.to}` : 'since enrolment';

function DisclosureTable(props: { view: DisclosuresView }) {
  const { items, names } = props.view;
  if (items.length === 0) return <p>No disclosure {props.view.query ? 'matches these filters' : 'has been made'}.</p>;
  return (
    <table class="disclosures">
      <caption class="muted">{items.length} disclosure{items.length === 1 ? '' : 's'}, newest first.</caption>
      <thead><tr><th scope="col">When</th><th scope="col">To whom</th><th scope="col">How</th><th scope="col">What</th><th scope="col">Purpose</th><th scope="col">Under</th></tr></thead>
      <tbody>
        {items.map((d) => (
          <tr>
            <td><At iso={d.at} /></td>
            <td><Org id={d.recipientOrganizationId} names={names} /></td>
            <td>{CHANNEL_LABELS[d.channel] ?? d.channel}{d.referralId ? <> (referral <code>{d.referralId}</code>)</> : null}</td>
            <td>{d.categories.map(categoryLabel).join(', ')}</td>
            <td>{purposeLabel(d.purpose)}</td>
            <td>{d.bases.length ? d.bases.map((b, i) => <>{i ? ', ' : ''}{basisLabel(b.basis)} <code>{b.id}</code></>) : d.basisIds.map((id) => <code>{id}</code>)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The accounting on screen, with the API's filters, the CSV and a version to hand the participant. */
export function DisclosuresPage(props: { session: StaffSession; view: DisclosuresView }) {
  const { view } = props;
  const { participant, values, errors } = view;
  const base = `/console/participants/${participant.id}/disclosures`;
  const recipients = [...new Set([...view.items.map((d) => d.recipientOrganizationId), ...(values.recipient ? [values.recipient] : [])])];
  const invalid = (field: string) => described(`${field}-error`, errors[field]);
  return (
    <Layout title="Accounting of disclosures" session={props.session}>
      <ParticipantHeader participant={participant} current="disclosures" title="Accounting of disclosures" />
      <p class="muted">Every time this participant’s data left the hub (HIPAA 164.528, 42 CFR 2.24). Reading it is recorded in the audit log.</p>
      {Object.keys(errors).length ? <p class="alert" role="alert">The filters were not applied: see the fields below.</p> : null}
      <form class="card inline" method="get" action={base}>
        <div>
          <label for="from">From (date)</label>
          <FieldError id="from-error" message={errors.from} />
          <input id="from" name="from" type="date" value={values.from ?? ''} {...invalid('from')} />
        </div>
        <div>
          <label for="to">To (date, included)</label>
          <FieldError id="to-error" message={errors.to} />
          <input id="to" name="to" type="date" value={values.to ?? ''} {...invalid('to')} />
        </div>
        <div>
          <label for="recipient">Recipient</label>
          <FieldError id="recipient-error" message={errors.recipient} />
          <select id="recipient" name="recipient" {...invalid('recipient')}>
            <option value="">Any</option>
            {recipients.map((id) => <option value={id} selected={values.recipient === id}>{view.names.get(id) ?? id}</option>)}
          </select>
        </div>
        <div>
          <label for="channel">How</label>
          <FieldError id="channel-error" message={errors.channel} />
          <select id="channel" name="channel" {...invalid('channel')}>
            <option value="">Any</option>
            {Object.entries(CHANNEL_LABELS).map(([value, label]) => <option value={value} selected={values.channel === value}>{label}</option>)}
          </select>
        </div>
        <button type="submit">Filter</button>
      </form>
      <p class="links">
        <a href={`${base}.csv${view.query}`} download>Download as CSV</a>
        <a href={`${base}${view.query ? `${view.query}&` : '?'}print=1`}>Version to print for the participant</a>
      </p>
      <DisclosureTable view={view} />
    </Layout>
  );
}

/**
 * The accounting as a participant is handed it: who keeps it, whose it is, the period, and each
 * disclosure; no navigation, nothing that needs the console to read.
 */
export function DisclosuresPrintPage(props: { view: DisclosuresView }) {
  const { view } = props;
  const p = view.participant;
  return (
    <Layout title={`Accounting of disclosures for ${fullName(p)}`}>
      <p class="no-print"><a href={`/console/participants/${p.id}/disclosures${view.query}`}>← Back to the accounting</a> · Use your browser’s Print command to print this page.</p>
      <h1>Accounting of disclosures</h1>
      <dl class="fields card">
        <dt>Kept by</dt><dd>{view.hub.keeper}, on the {view.hub.name} ({view.hub.url})</dd>
        <dt>Participant</dt><dd>{fullName(p)}, born <time datetime={p.birthDate}>{p.birthDate}</time>{p.externalId ? `, case number ${p.externalId}` : ''}</dd>
        <dt>Period</dt><dd>{period(view.values)}</dd>
        <dt>Prepared</dt><dd><At iso={view.at} /></dd>
      </dl>
      <p>
        Each line is one time information about you was disclosed through the hub: when, to which organisation, which parts of your file, why,
        and the consent, court order or statute that allowed it. Ask {view.hub.keeper} about any line you do not recognise.
      </p>
      <DisclosureTable view={view} />
    </Layout>
  );
}
