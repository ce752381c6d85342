import type { StaffSession } from '../../../services/staff.js';
import { FieldError, Layout, described } from '../layout.js';
import { fullName, type ParticipantSummary } from './compliance-parts.js';


export interface SearchState {
  values: Record<string, string>;
  errors: Record<string, string>;
  /** Absent until a search has been made. */
  results?: { items: ParticipantSummary[]; more: boolean } | undefined;
}

/** Find one of the organisation's participants: a posted form, so what is typed (a name, a birth date) never stands in an address. */
export function ParticipantSearchPage(props: { session: StaffSession; state: SearchState }) {
  const { values, errors, results } = props.state;
  return (
    <Layout title="Find a participant" session={props.session}>
      <h1>Find a participant</h1>
      <p class="muted">Among the participants your organisation enrolled. Names are stored encrypted, so a name narrows a search by date of birth or by case number.</p>
      {Object.keys(errors).length ? <p class="alert" role="alert">Nothing was searched: see the fields below.</p> : null}
      <form class="stack card" method="post" action="/console/participants/search" role="search">
        <input type="hidden" name="csrf" value={props.session.csrfToken} />
        <label for="birthDate">Date of birth</label>
        <FieldError id="birthDate-error" message={errors.birthDate} />
        <input id="birthDate" name="birthDate" type="date" value={values.birthDate ?? ''} {...described('birthDate-error', errors.birthDate)} />
        <label for="name">Name (optional)</label>
        <FieldError id="name-error" message={errors.name} />
        <input id="name" name="name" autocomplete="off" value={values.name ?? ''} {...described('name-error', errors.name)} />
        <label for="reference">Case number or participant id</label>
        <FieldError id="reference-error" message={errors.reference} />
        <input id="reference" name="reference" autocomplete="off" value={values.reference ?? ''} {...described('reference-error', errors.reference)} />
        <button type="submit">Search</button>
      </form>
      {results ? (
        <section aria-labelledby="results">
          <h2 id="results">{results.items.length === 0 ? 'No participant matches' : `${results.items.length} participant${results.items.length === 1 ? '' : 's'} found`}</h2>
          {results.more ? <p class="notice" role="note">More participants match than are shown: add a name or a case number to narrow the search.</p> : null}
          {results.items.length ? (
            <table>
              <caption class="muted">Newest enrolment first.</caption>
              <thead><tr><th scope="col">Name</th><th scope="col">Date of birth</th><th scope="col">Case number</th><th scope="col">Participant id</th></tr></thead>
              <tbody>
                {results.items.map((p) => (
                  <tr>
                    <td><a href={`/console/participants/${p.id}`}>{fullName(p)}</a>{p.minor ? <> <span class="badge">minor</span></> : null}</td>
                    <td><time datetime={p.birthDate}>{p.birthDate}</time></td>
                    <td>{p.externalId ?? <span class="muted">—</span>}</td>
                    <td><code>{p.id}</code></td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
      ) : null}
    </Layout>
  );
}
