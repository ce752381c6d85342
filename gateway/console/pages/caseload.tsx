import type { StaffSession } from '../../../services/staff.js';
import { Layout } from '../layout.js';
import { categoryLabel } from './case-file.js';

export interface CaseloadItem {
  id: string;
  status: string;
  service: string;
  priority: string;
  partnerId: string;
  createdAt: string;
  withheldEvents: number;
  lastError: string | null;
}

/** What needs the planner first: waiting on consent, failed delivery, updates that consent withholds. */
export function flagOf(item: CaseloadItem): string | undefined {
  if (item.status === 'awaiting_consent') return 'Awaiting consent';
  if (item.status === 'delivery_failed') return 'Delivery failed';
  if (item.withheldEvents > 0) return 'Updates withheld';
  return undefined;
}

export function CaseloadPage(props: { session: StaffSession; items: CaseloadItem[] }) {
  return (
    <Layout title="Caseload" session={props.session}>
      <h1>Caseload</h1>
      {props.items.length === 0 ? <p>Your organisation has not sent any referrals yet.</p> : (
        <table>
          <caption class="muted">Referrals that need you first, then newest first.</caption>
          <thead><tr><th scope="col">Referral</th><th scope="col">Service</th><th scope="col">Status</th><th scope="col">Needs attention</th><th scope="col">Sent</th></tr></thead>
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
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
