import type { StaffSession } from '../../../services/staff.js';
import { Layout } from '../layout.js';

/** The landing page of roles whose console pages are still to come. */
export function HomePage(props: { session: StaffSession }) {
  const { staff } = props.session;
  return (
    <Layout title="Console" session={props.session}>
      <h1>Welcome, {staff.name}</h1>
      <p>You are signed in as a <strong>{staff.role}</strong>{staff.organizationId ? <> of organisation <code>{staff.organizationId}</code></> : null}.</p>
      <p class="muted">You see exactly what a system of your organisation and role sees through the API; every page you open is recorded in the audit log.</p>
    </Layout>
  );
}
