import { FieldError, Layout } from '../layout.js';
import { CARRIED_PREFIX } from '../resume.js';

/** A form posted after its session ended: where it was going, and what it held. */
export interface CarriedForm {
  resume: string;
  fields: Record<string, string>;
}

export function SignInPage(props: { csrf: string; next?: string | undefined; email?: string; error?: string | undefined; notice?: string | undefined; carried?: CarriedForm | undefined }) {
  const { carried } = props;
  return (
    <Layout title="Sign in">
      <h1>Sign in</h1>
      {props.notice ? <p class="notice" role="status">{props.notice}</p> : null}
      {carried ? <p class="notice" role="status">Your session ended before the form was sent, so nothing was sent. Sign in again and the form comes back as you left it, to check and send.</p> : null}
      <form class="stack card" method="post" action="/console/sign-in">
        <input type="hidden" name="csrf" value={props.csrf} />
        {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
        {carried ? (
          <>
            <input type="hidden" name="resume" value={carried.resume} />
            {Object.entries(carried.fields).map(([name, value]) => <input type="hidden" name={`${CARRIED_PREFIX}${name}`} value={value} />)}
          </>
        ) : null}
        <FieldError id="sign-in-error" message={props.error} />
        <label for="email">E-mail address</label>
        <input id="email" name="email" type="email" autocomplete="username" required value={props.email ?? ''}
          {...(props.error ? { 'aria-describedby': 'sign-in-error', 'aria-invalid': 'true' } : {})} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required
          {...(props.error ? { 'aria-describedby': 'sign-in-error', 'aria-invalid': 'true' } : {})} />
        <button type="submit">Sign in</button>
      </form>
      <p class="muted">Accounts are created by the hub's administrator. Systems use the API, documented at <a href="/docs">/docs</a>.</p>
    </Layout>
  );
}
