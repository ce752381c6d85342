import { SLA_OPEN_STATUSES } from '../../../domain/sla.js';
import type { StaffSession } from '../../../services/staff.js';
import { Layout } from '../layout.js';
import { categoryLabel } from './case-file.js';

export interface CaseloadItem {
  id: string;
  status: string;
  service: string;
  priority: string;
  partnerId: string;
  participantId: string;
  createdAt: string;
  withheldEvents: number;
  lastError: string | null;
  /** Service-level timers the partner missed (services/sla-breaches.ts breachesOf). */
  slaBreaches: { kind: string; deadline: string }[];
}

/**
 * What needs the planner first, most pressing first: a partner that missed its service-level
 * timer on open work, then waiting on consent, failed delivery, updates that consent withholds.
 * A breach on a referral that has since ended is history, not a task.
 */
export function flagOf(item: CaseloadItem): string | undefined {
  if (item.slaBreaches.length > 0 && (SLA_OPEN_STATUSES as readonly string[]).includes(item.status)) {
    return `SLA breached (${item.slaBreaches.map((b) => categoryLabel(b.kind).toLowerCase()).join(', ')})`;
  }
  if (item.status === 'awaiting_consent') return 'Awaiting consent';
  if (item.status === 'delivery_failed') return 'Delivery failed';
  if (item.withheldEvents > 0) return 'Updates withheld';
  return undefined;
}

/** Flags in the order `flagOf` checks them: the caseload sorts on it. */
const FLAG_RANK = ['SLA breached', 'Awaiting consent', 'Delivery failed', 'Updates withheld'];
export function flagRank(item: CaseloadItem): number {
  const flag = flagOf(item);
  const rank = flag ? FLAG_RANK.findIndex((f) => flag.startsWith(f)) : -1;
  return rank === -1 ? FLAG_RANK.length : rank;
}

export function CaseloadPage(props: { session: StaffSession; items: CaseloadItem[] }) {
  return (
    <Layout title="Caseload" session={props.session}>
      <h1>Caseload</h1>
      {props.items.length === 0 ? <p>Your organisation has not sent any referrals yet.</p> : (
        <table>
          <caption class="muted">Referrals that need you first, then newest first.</caption>
          <thead><tr><th scope="col">Referral</th><th scope="col">Service</th><th scope="col">Status</th><th scope="col">Needs attention</th><th scope="col">Sent</th><th scope="col">Participant</th></tr></thead>
          <tbody>
            {props.items.map((item) => {
              const flag = flagOf(item);
              return (
                <tr>
                  <td><a href={`/console/referrals/${item.id}`}>{item.id}</a></td>
                  <td>{categoryLabel(item.service)}</td>
                  <td>{categoryLabel(item.status)}</td>
                  <td>{flag ? <span class="badge new">{flag}</span> : null}</td>
                  <td><time datetime={item.createdAt}>{item.createdAt.slice(0, 16).replace('T', ' ')} UTC</time></td>
                  <td><code>{item.participantId}</code> <a href={`/console/referrals/new?participant=${item.participantId}`} aria-label={`Refer participant ${item.participantId} again`}>Refer</a></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
