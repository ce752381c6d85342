import { DATA_CATEGORIES, PURPOSES } from '../../../schemas/vocabulary.js';
import type { MatrixRow } from '../../../services/access-matrix.js';
import type { StaffSession } from '../../../services/staff.js';
import { FieldError, Layout } from '../layout.js';
import { categoryLabel } from './case-file.js';
import { At, ParticipantHeader, purposeLabel, type ParticipantSummary } from './compliance-parts.js';

export interface AccessMatrixView {
  referrer: { id: string; name: string };
  at: string;
  purpose: string;
  rows: MatrixRow[];
  kinds: string[];
}

type Direction = 'receive' | 'reportBack';

/** A cell says its answer in a symbol and a word (never colour alone), and why. */
function Cell(props: { row: MatrixRow; direction: Direction; category: string }) {
  const decision = props.row[props.direction];
  const permitted = (decision.permitted as string[]).includes(props.category);
  const reason = decision.denied.find((d) => d.category === props.category)?.reason;
  const bases = decision.bases[props.category] ?? [];
  return (
    <td class={permitted ? 'cell permitted' : 'cell denied'} data-direction={props.direction} data-organization={props.row.organization.id} data-category={props.category}>
      <span class="verdict">{permitted ? '✓ Permitted' : '✕ Denied'}</span>
      <span class="why">{permitted ? <>under {bases.map((b, i) => <>{i ? ', ' : ''}<code>{b}</code></>)}</> : reason}</span>
    </td>
  );
}

function Matrix(props: { view: AccessMatrixView; direction: Direction; id: string; caption: string }) {
  const { view, direction } = props;
  return (
    <div class="scroll" role="region" aria-labelledby={props.id} tabindex={0}>
      <table class="matrix">
        <caption id={props.id} class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Category</th>
            {view.rows.map((r) => <th scope="col">{r.organization.name} <span class="muted">({categoryLabel(r.organization.kind).toLowerCase()})</span></th>)}
          </tr>
        </thead>
        <tbody>
          {DATA_CATEGORIES.map((category) => (
            <tr>
              <th scope="row">{categoryLabel(category)}</th>
              {view.rows.map((row) => <Cell row={row} direction={direction} category={category} />)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The access matrix: the decision the hub enforces, for every organisation that matters to the
 * participant, both ways, as `GET /v1/participants/{id}/access` gives it one organisation at a time.
 */
export function AccessMatrixPage(props: { session: StaffSession; participant: ParticipantSummary; view: AccessMatrixView | undefined; values: Record<string, string>; errors: Record<string, string> }) {
  const { participant, view, values, errors } = props;
  const referrer = view?.referrer.name ?? 'your organisation';
  return (
    <Layout title="Access matrix" session={props.session}>
      <ParticipantHeader participant={participant} current="access" title="Access matrix" />
      <form class="card inline" method="get" action={`/console/participants/${participant.id}/access`}>
        <div>
          <label for="purpose">Purpose</label>
          <FieldError id="purpose-error" message={errors.purpose} />
          <select id="purpose" name="purpose" {...(errors.purpose ? { 'aria-describedby': 'purpose-error', 'aria-invalid': 'true' } : {})}>
            {PURPOSES.map((p) => <option value={p} selected={values.purpose === p}>{purposeLabel(p)}</option>)}
          </select>
        </div>
        <div>
          <label for="also">Also ask about an organisation (its id, optional)</label>
          <FieldError id="also-error" message={errors.also} />
          <input id="also" name="also" autocomplete="off" value={values.also ?? ''} {...(errors.also ? { 'aria-describedby': 'also-error', 'aria-invalid': 'true' } : {})} />
        </div>
        <button type="submit">Show</button>
      </form>
      {view ? (
        <>
          <p>
            Decided at <At iso={view.at} /> for <strong>{purposeLabel(view.purpose).toLowerCase()}</strong>, exactly as the hub decides when it sends a referral or a partner reads one.
            Asking discloses nothing.
          </p>
          <ul class="legend" aria-label="Legend">
            <li><strong>✓ Permitted</strong>: the category may go, under the bases named</li>
            <li><strong>✕ Denied</strong>: the category is withheld, for the reason given</li>
          </ul>
          {view.kinds.length ? <p class="notice" role="note">Some bases name every organisation of a kind ({view.kinds.map((k) => categoryLabel(k).toLowerCase()).join(', ')}); an organisation of that kind not listed here can be added by its id above.</p> : null}
          {view.rows.length === 0 ? (
            <p>No basis names an organisation, and no data about this participant has gone to one yet. Enter an organisation’s id above to see what it may receive.</p>
          ) : (
            <>
              <h2>What each organisation may receive from {referrer}</h2>
              <Matrix view={view} direction="receive" id="matrix-receive" caption={`What each organisation may receive from ${referrer}, by category`} />
              {view.rows.flatMap((r) => r.receive.obligations.map((o) => ({ org: r.organization.name, ...o }))).map((o) => (
                <p class="notice" role="note">To {o.org}, substance-use data travels with the notice {o.code}: “{o.text}”</p>
              ))}
              <h2>What each organisation may report back to {referrer}</h2>
              <Matrix view={view} direction="reportBack" id="matrix-report" caption={`What each organisation may report back to ${referrer}, by category`} />
            </>
          )}
        </>
      ) : null}
    </Layout>
  );
}
