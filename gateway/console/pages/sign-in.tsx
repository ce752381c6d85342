import { FieldError, Layout } from '../layout.js';
import { CARRIED_PREFIX } from '../resume.js';

/** A form posted after its session ended: where it was going, and what it held. */
export interface CarriedForm {
  resume: string;
  fields: Record<string, string>;
}

export interface SignInProps {
  csrf: string;
  next?: string | undefined;
  email?: string;
  error?: string | undefined;
  notice?: string | undefined;
  /** The "through your organisation" form: the address typed there, and why it led nowhere. */
  ssoEmail?: string | undefined;
  ssoError?: string | undefined;
  /** A form whose session ended while it was open, carried through the sign-in (resume.ts). */
  carried?: CarriedForm | undefined;
}

/**
 * The password form first (every account has one), then sign-in through the person's own
 * organisation: they type their work address and are sent to the identity provider of the
 * organisation that uses its domain. A GET form to the hub itself: the console's CSP allows
 * forms only to the hub, and this one leads to a page on the hub whose link goes on.
 */
export function SignInPage(props: SignInProps) {
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
      <h2>Through your organisation</h2>
      <form class="stack card" method="get" action="/console/sign-in/sso">
        {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
        <p class="muted">If your organisation signs you in with its own account (single sign-on), enter your work e-mail address.</p>
        <FieldError id="sso-error" message={props.ssoError} />
        <label for="sso-email">Your work e-mail</label>
        <input id="sso-email" name="email" type="email" autocomplete="email" required value={props.ssoEmail ?? ''}
          {...(props.ssoError ? { 'aria-describedby': 'sso-error', 'aria-invalid': 'true' } : {})} />
        <button type="submit">Continue with my organisation</button>
      </form>
      <p class="muted">Accounts are created by the hub's administrator. Systems use the API, documented at <a href="/docs">/docs</a>.</p>
    </Layout>
  );
}
