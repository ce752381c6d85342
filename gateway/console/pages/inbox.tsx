import type { StaffSession } from '../../../services/staff.js';
import { Layout } from '../layout.js';
import { categoryLabel } from './case-file.js';

export interface InboxItem {
  id: string;
  status: string;
  service: string;
  priority: string;
  createdAt: string;
  caseFile: { identity?: { name?: { given?: string[]; family?: string } } };
}

/** Not yet acknowledged: delivered, and the partner has not said it received it. */
export const isNew = (item: { status: string }) => item.status === 'delivered';

const who = (item: InboxItem) => {
  const name = item.caseFile.identity?.name;
  return name ? [...(name.given ?? []), name.family].filter(Boolean).join(' ') : 'Name withheld under consent';
};

/** `resumable`: referrals on hold that the state machine lets the partner resume now. */
export function InboxPage(props: { session: StaffSession; items: InboxItem[]; resumable?: ReadonlySet<string> }) {
  return (
    <Layout title="Inbox" session={props.session}>
      <h1>Referrals to your organisation</h1>
      {props.items.length === 0 ? <p>No referrals have been delivered to your organisation yet.</p> : (
        <table>
          <caption class="muted">New referrals first, then newest first. Opening one records what you were shown.</caption>
          <thead><tr><th scope="col">Participant</th><th scope="col">Service</th><th scope="col">Priority</th><th scope="col">Status</th><th scope="col">Sent</th></tr></thead>
          <tbody>
            {props.items.map((item) => (
              <tr>
                <td><a href={`/console/referrals/${item.id}`}>{who(item)}</a></td>
                <td>{categoryLabel(item.service)}</td>
                <td>{item.priority}</td>
                <td>
                  {isNew(item) ? <span class="badge new">New</span> : <span class="badge">{categoryLabel(item.status)}</span>}
                  {props.resumable?.has(item.id) ? (
                    <form method="post" action={`/console/referrals/${item.id}/events`} class="inline-action">
                      <input type="hidden" name="csrf" value={props.session.csrfToken} />
                      <input type="hidden" name="type" value="resumed" />
                      <button type="submit" aria-label={`Resume the referral for ${who(item)}`}>Resume</button>
                    </form>
                  ) : null}
                </td>
                <td><time datetime={item.createdAt}>{item.createdAt.slice(0, 16).replace('T', ' ')} UTC</time></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
