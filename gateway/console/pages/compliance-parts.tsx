import { categoryLabel } from './case-file.js';
import { PURPOSE_LABELS } from './consent-words.js';

/** The participant as the compliance pages show them (the API's participant, without guardians' details). */
export interface ParticipantSummary {
  id: string;
  name: { given: string[]; family: string };
  birthDate: string;
  externalId?: string | undefined;
  minor: boolean;
}

export const fullName = (p: Pick<ParticipantSummary, 'name'>) => `${p.name.given.join(' ')} ${p.name.family}`;

/** An instant as the pages show it: to the minute, in UTC, with the machine-readable value kept. */
export function At(props: { iso: string }) {
  return <time datetime={props.iso}>{props.iso.slice(0, 16).replace('T', ' ')} UTC</time>;
}

/** An organisation by name when the hub knows it, always with its id (what the API and the CSV carry). */
export function Org(props: { id: string; names: Map<string, string> }) {
  const name = props.names.get(props.id);
  return name ? <>{name} <code class="muted">{props.id}</code></> : <code>{props.id}</code>;
}

export const purposeLabel = (p: string) => (PURPOSE_LABELS as Record<string, string>)[p] ?? categoryLabel(p);

/** The participant's name and the compliance pages about them, on every one of those pages. */
export function ParticipantHeader(props: { participant: ParticipantSummary; current: 'participant' | 'access' | 'disclosures'; title: string }) {
  const { participant: p, current } = props;
  const base = `/console/participants/${p.id}`;
  const link = (key: typeof current, href: string, text: string) => <li>{key === current ? <a href={href} aria-current="page">{text}</a> : <a href={href}>{text}</a>}</li>;
  return (
    <>
      <p><a href="/console/participants">← Find a participant</a></p>
      <h1>{props.title}</h1>
      <p class="lede">
        <strong>{fullName(p)}</strong>, born <time datetime={p.birthDate}>{p.birthDate}</time>{p.minor ? ' (a minor)' : ''}
        {p.externalId ? <>, case number {p.externalId}</> : null}; participant <code>{p.id}</code>
      </p>
      <nav aria-label="About this participant" class="tabs">
        <ul>
          {link('participant', base, 'Consents and court orders')}
          {link('access', `${base}/access`, 'Access matrix')}
          {link('disclosures', `${base}/disclosures`, 'Accounting of disclosures')}
        </ul>
      </nav>
    </>
  );
}
