import type { Provision } from '../../../schemas/consent.js';
import type { StaffSession } from '../../../services/staff.js';
import { Layout } from '../layout.js';
import { categoryLabel } from './case-file.js';
import { basisLabel } from './consent-words.js';
import { At, Org, ParticipantHeader, purposeLabel, type ParticipantSummary } from './compliance-parts.js';

export interface BasisView {
  id: string;
  basis: string;
  status: 'active' | 'revoked' | 'expired';
  period: { start: string; end?: string | undefined };
  signatures: { signer: string; name: string; relationship?: string | undefined; signedAt: string; method: string }[];
  documentRef?: string | undefined;
  provision: Provision;
  createdAt: string;
  revokedAt?: string | undefined;
  revokeReason?: string | undefined;
}

const METHODS: Record<string, string> = { electronic: 'electronically', wet: 'in ink', verbal_witnessed: 'verbally, witnessed' };
const list = (items: string[] | undefined, every: string, label: (s: string) => string) => (items?.length ? items.map(label).join(', ') : every);

/**
 * One rule in words: what it permits or denies, to whom (the direction: data going to a
 * recipient, or data a source reports back), for which purposes and categories; then its exceptions.
 */
function Rule(props: { provision: Provision; names: Map<string, string>; root?: boolean }) {
  const { provision: p, names } = props;
  const recipients = (p.actors ?? []).filter((a) => (a.role ?? 'recipient') === 'recipient');
  const sources = (p.actors ?? []).filter((a) => a.role === 'source');
  const actor = (a: { organizationId?: string | undefined; organizationKind?: string | undefined }) =>
    a.organizationId ? <Org id={a.organizationId} names={names} /> : <>every {categoryLabel(a.organizationKind ?? '').toLowerCase()} organisation</>;
  const joined = (actors: typeof recipients) => actors.map((a, i) => <>{i ? ', ' : ''}{actor(a)}</>);
  return (
    <li>
      <strong>{p.type === 'permit' ? (props.root ? 'Permits' : 'Except: permits') : props.root ? 'Denies' : 'Except: denies'}</strong>{' '}
      {list(p.categories, 'every category', categoryLabel)}
      <dl class="fields rule">
        <dt>To</dt><dd>{recipients.length ? joined(recipients) : 'any recipient'}</dd>
        {sources.length ? <><dt>Reported by</dt><dd>{joined(sources)} (data they report back)</dd></> : null}
        <dt>Purposes</dt><dd>{list(p.purposes, 'every purpose', purposeLabel)}</dd>
        {p.period ? <><dt>During</dt><dd><At iso={p.period.start} /> to {p.period.end ? <At iso={p.period.end} /> : 'open-ended'}</dd></> : null}
      </dl>
      {p.provisions?.length ? <ul>{p.provisions.map((child) => <Rule provision={child} names={names} />)}</ul> : null}
    </li>
  );
}

function BasisCard(props: { basis: BasisView; names: Map<string, string> }) {
  const { basis: b, names } = props;
  return (
    <article class="card" aria-labelledby={`basis-${b.id}`}>
      <h3 id={`basis-${b.id}`}>{basisLabel(b.basis)} <code>{b.id}</code> <span class={`badge status-${b.status}`}>{categoryLabel(b.status)}</span></h3>
      <dl class="fields">
        <dt>In force</dt><dd><At iso={b.period.start} /> to {b.period.end ? <At iso={b.period.end} /> : 'open-ended'}</dd>
        {b.signatures.length ? <><dt>Signed by</dt><dd><ul class="plain">{b.signatures.map((s) => <li>{s.name} ({s.signer}{s.relationship ? `, ${s.relationship}` : ''}), {METHODS[s.method] ?? s.method}, <At iso={s.signedAt} /></li>)}</ul></dd></> : null}
        {b.documentRef ? <><dt>Document</dt><dd>{b.documentRef}</dd></> : null}
        <dt>Recorded</dt><dd><At iso={b.createdAt} /></dd>
        {b.revokedAt ? <><dt>Revoked</dt><dd><At iso={b.revokedAt} />{b.revokeReason ? <>: {b.revokeReason}</> : null}</dd></> : null}
      </dl>
      <h4>Rules</h4>
      <ul class="rules"><Rule provision={b.provision} names={names} root /></ul>
      {b.status === 'active' ? <p><a href={`/console/consents/${b.id}/revoke`}>Revoke<span class="visually-hidden"> {basisLabel(b.basis).toLowerCase()} {b.id}</span></a></p> : null}
    </article>
  );
}

/** The participant and every basis recorded for them: consents, court orders and statutes, newest first. */
export function ComplianceParticipantPage(props: { session: StaffSession; participant: ParticipantSummary; bases: BasisView[]; names: Map<string, string> }) {
  const { participant, bases, names } = props;
  const consents = bases.filter((b) => b.basis === 'consent');
  const orders = bases.filter((b) => b.basis !== 'consent');
  return (
    <Layout title="Participant" session={props.session}>
      <ParticipantHeader participant={participant} current="participant" title="Consents and court orders" />
      <p class="actions"><a class="button" href={`/console/participants/${participant.id}/consents/new`}>Record a consent</a></p>
      <section aria-labelledby="consents">
        <h2 id="consents">Consents</h2>
        {consents.length ? consents.map((b) => <BasisCard basis={b} names={names} />) : <p>No consent has been recorded for this participant.</p>}
      </section>
      <section aria-labelledby="orders">
        <h2 id="orders">Court orders and statutes</h2>
        {orders.length ? orders.map((b) => <BasisCard basis={b} names={names} />) : <p>No court order or statute has been recorded for this participant.</p>}
      </section>
    </Layout>
  );
}
