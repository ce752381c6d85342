import { Layout } from '../layout.js';

/** The organisation found for a work address: one more click, so the person sees where they are sent. */
export function ProviderChoicePage(props: { organizationName: string; startUrl: string }) {
  return (
    <Layout title="Sign in through your organisation">
      <h1>Sign in through your organisation</h1>
      <p>Your address belongs to {props.organizationName}, which signs its staff in with its own identity provider.</p>
      <p><a class="button" href={props.startUrl}>Sign in with {props.organizationName}'s identity provider</a></p>
      <p><a href="/console/sign-in">Back to sign-in with a password</a></p>
    </Layout>
  );
}

/**
 * After the provider's redirect: the session cookie is SameSite=Strict, and a browser does not
 * send it on a navigation another site started, redirects included. So the hub answers with a
 * page of its own that moves on: that navigation starts here, and carries the cookie.
 */
export function SignedInPage(props: { name: string; to: string }) {
  return (
    <Layout title="Signed in" refreshTo={props.to}>
      <h1>Signed in</h1>
      <p role="status">Welcome, {props.name}. <a href={props.to}>Continue to the console</a>.</p>
    </Layout>
  );
}
