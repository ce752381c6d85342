import type { auditStatus } from '../../../services/disclosures.js';
import type { StaffSession } from '../../../services/staff.js';
import { Layout } from '../layout.js';
import { At } from './compliance-parts.js';

export type AuditStatus = Awaited<ReturnType<typeof auditStatus>>;

const seconds = (s: number) => (s < 90 ? `${Math.round(s)} seconds` : s < 5400 ? `${Math.round(s / 60)} minutes` : `${Math.round(s / 3600)} hours`);

/** Who walked the chain, in words: the hub's own timer, the reader, another console user or an API client. */
function verifier(by: string, session: StaffSession): string {
  if (by === 'worker') return 'the hub, on its schedule';
  if (by === session.caller.clientId) return 'you';
  return by.startsWith('staff:') ? 'another console user' : `API client ${by}`;
}

/**
 * The audit log's hash chain as last walked in full, said in words (`GET /v1/audit/verify` walks
 * it too), with the sequencer's lag now and a button that walks it again at once.
 */
export function AuditPage(props: { session: StaffSession; status: AuditStatus }) {
  const { last, unsealed, oldestUnsealedSeconds } = props.status;
  return (
    <Layout title="Audit log" session={props.session}>
      <h1>Audit log</h1>
      {!last ? null : last.valid ? (
        <p class="notice ok" role="status"><strong>✓ Intact.</strong> Every one of the {last.entries} chained entries matched its content and the entry before it.</p>
      ) : (
        <p class="alert" role="alert"><strong>✕ Broken.</strong> The chain breaks at entry {last.firstBrokenAt}: that entry, or one before it, was changed or removed after it was written. {last.entries - 1} entries before it check out.</p>
      )}
      <dl class="fields card">
        {last ? <><dt>Verified</dt><dd><At iso={last.at} />, by {verifier(last.by, props.session)}</dd></> : null}
        <dt>Entries chained</dt><dd>{!last ? 0 : last.valid ? last.entries : `${last.entries - 1} check out before the break at entry ${last.firstBrokenAt}`}</dd>
        <dt>Not chained yet</dt>
        <dd>{unsealed === 0 ? 'none: every entry written is chained' : `${unsealed}, the oldest written ${seconds(oldestUnsealedSeconds ?? 0)} ago (the sequencer chains entries within about a second)`}</dd>
        <dt>Head hash</dt><dd>{last?.head ? <code>{last.head}</code> : <span class="muted">{last && !last.valid ? 'none: a broken chain has no head to vouch for' : 'none: the log is empty'}</span>}</dd>
      </dl>
      <form method="post" action="/console/audit/verify">
        <input type="hidden" name="csrf" value={props.session.csrfToken} />
        <button type="submit">Verify now</button>
        <span class="muted"> walks every entry again; on a long log this takes a few seconds.</span>
      </form>
      <p class="muted">
        The hub walks the whole chain on a schedule (<code>HUB_AUDIT_VERIFY_SECONDS</code>) and whenever anyone asks. Every audit entry is chained to the one
        before by a hash, so an edited or deleted entry breaks the chain from there on. Removing the newest entries leaves a shorter chain that still checks
        out: write down the head hash and the number of entries somewhere outside the hub, and compare them next time.
      </p>
    </Layout>
  );
}
