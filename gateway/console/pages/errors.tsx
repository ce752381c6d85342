import type { StaffSession } from '../../../services/staff.js';
import { Layout } from '../layout.js';

const TITLES: Record<number, string> = { 400: 'That did not work', 403: 'Not allowed', 404: 'Not found', 409: 'Not possible now', 503: 'Try again shortly' };

/** An error in words, never a stack trace: what happened, and a way back. */
export function ErrorPage(props: { status: number; message: string; session?: StaffSession | undefined }) {
  const title = TITLES[props.status] ?? 'Something went wrong';
  return (
    <Layout title={title} session={props.session}>
      <h1>{title}</h1>
      <p class="alert" role="alert">{props.message}</p>
      <p><a href="/console">Back to the console</a></p>
    </Layout>
  );
}
