import { FieldError, Layout } from '../layout.js';

export function SignInPage(props: { csrf: string; next?: string | undefined; email?: string; error?: string | undefined; notice?: string | undefined }) {
  return (
    <Layout title="Sign in">
      <h1>Sign in</h1>
      {props.notice ? <p class="notice" role="status">{props.notice}</p> : null}
      <form class="stack card" method="post" action="/console/sign-in">
        <input type="hidden" name="csrf" value={props.csrf} />
        {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
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
