import type { verifyAudit } from '../../../services/disclosures.js';
import type { StaffSession } from '../../../services/staff.js';
import { Layout } from '../layout.js';
import { At } from './compliance-parts.js';

export type AuditVerification = Awaited<ReturnType<typeof verifyAudit>>;

const seconds = (s: number) => (s < 90 ? `${Math.round(s)} seconds` : s < 5400 ? `${Math.round(s / 60)} minutes` : `${Math.round(s / 3600)} hours`);

/** The audit log's hash chain, recomputed now, said in words (`GET /v1/audit/verify`). */
export function AuditPage(props: { session: StaffSession; result: AuditVerification; at: string }) {
  const { result } = props;
  return (
    <Layout title="Audit log" session={props.session}>
      <h1>Audit log</h1>
      {result.valid ? (
        <p class="notice ok" role="status"><strong>✓ Intact.</strong> Every one of the {result.entries} chained entries matches its content and the entry before it.</p>
      ) : (
        <p class="alert" role="alert"><strong>✕ Broken.</strong> The chain breaks at entry {result.firstBrokenAt}: that entry, or one before it, was changed or removed after it was written. {result.entries - 1} entries before it check out.</p>
      )}
      <dl class="fields card">
        <dt>Checked</dt><dd><At iso={props.at} /></dd>
        <dt>Entries chained</dt><dd>{result.entries}</dd>
        <dt>Not chained yet</dt>
        <dd>{result.unsealed === 0 ? 'none: every entry written is chained' : `${result.unsealed}, the oldest written ${seconds(result.oldestUnsealedSeconds ?? 0)} ago (the sequencer chains entries within about a second)`}</dd>
        <dt>Head hash</dt><dd>{result.head ? <code>{result.head}</code> : <span class="muted">none: the log is empty</span>}</dd>
      </dl>
      <p class="muted">
        Every audit entry is chained to the one before by a hash, so an edited or deleted entry breaks the chain from there on. Removing the newest entries leaves a
        shorter chain that still checks out: write down the head hash and the number of entries somewhere outside the hub, and compare them next time.
      </p>
    </Layout>
  );
}
