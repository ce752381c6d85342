import * as oidc from 'openid-client';
import { appendAudit } from '../store/audit.js';
import { getIdentityProvider, type IdentityProviderRow } from '../store/identity-providers.js';
import { getOrganization } from '../store/organizations.js';
import { getStaffOfOrganization } from '../store/staff.js';
import type { Hub } from './hub.js';
import { describeProviderError, OIDC_CALLBACK_PATH, OIDC_SCOPE, providerConfiguration, redirectUri } from './identity-providers.js';
import { openSession, type OpenedSession } from './staff.js';

/**
 * Console sign-in through an organisation's own identity provider: OpenID Connect, authorization
 * code with PKCE (RFC 7636), `state` and `nonce`. What the callback must check against is kept in
 * the browser, encrypted and authenticated with the hub's data keys (so it cannot be read or
 * forged there) and good for ten minutes; nothing of it travels in a URL but what the protocol
 * sends. openid-client validates the answer and the ID token (issuer, audience, signature,
 * expiry, nonce); this module maps the person to a staff account of that organisation only.
 */

type Deps = Pick<Hub, 'sql' | 'keyring' | 'config'>;

export const OIDC_FLOW_SECONDS = 600;

interface Flow {
  organizationId: string;
  state: string;
  nonce: string;
  verifier: string;
  next?: string | undefined;
  expiresAt: number;
}

export type OidcFailure =
  | { reason: 'no_provider' }
  | { reason: 'expired' }
  | { reason: 'provider'; message: string }
  | { reason: 'email_unverified' | 'wrong_domain' | 'no_account' | 'disabled'; identity: string };

export type OidcStart = { ok: true; redirectTo: string; flow: string } | ({ ok: false; organizationName?: string } & OidcFailure);
export type OidcFinish = ({ ok: true; next: string | undefined } & OpenedSession) | ({ ok: false; organizationName?: string } & OidcFailure);

const failed = async (hub: Deps, organizationId: string | undefined, failure: OidcFailure, staffId?: string) => {
  const { reason } = failure;
  await appendAudit(hub.sql, {
    actor: staffId ? `staff:${staffId}` : 'console', action: 'staff.sign_in_failed', subject: staffId ?? organizationId ?? null,
    detail: { method: 'oidc', organizationId, reason, ...('message' in failure ? { providerError: failure.message } : {}) },
  });
};

async function providerOf(hub: Deps, organizationId: string): Promise<{ row: IdentityProviderRow; name: string } | undefined> {
  const row = await getIdentityProvider(hub.sql, organizationId);
  const org = row && (await getOrganization(hub.sql, organizationId));
  return row && org ? { row, name: org.name } : undefined;
}

/** Where the browser goes to sign in at the organisation's provider, and the flow to keep until it comes back. */
export async function startOidcSignIn(hub: Deps, organizationId: string, opts: { next?: string | undefined; loginHint?: string | undefined } = {}): Promise<OidcStart> {
  const provider = await providerOf(hub, organizationId);
  if (!provider) return { ok: false, reason: 'no_provider' };
  let config: oidc.Configuration;
  try {
    config = await providerConfiguration(hub, provider.row);
  } catch (error) {
    const failure = { reason: 'provider' as const, message: describeProviderError(error) };
    await failed(hub, organizationId, failure);
    return { ok: false, organizationName: provider.name, ...failure };
  }
  const flow: Flow = {
    organizationId, state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier(),
    next: opts.next, expiresAt: Date.now() + OIDC_FLOW_SECONDS * 1000,
  };
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri(hub), scope: OIDC_SCOPE, response_type: 'code',
    code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier), code_challenge_method: 'S256',
    state: flow.state, nonce: flow.nonce,
    ...(opts.loginHint ? { login_hint: opts.loginHint } : {}),
  });
  return { ok: true, redirectTo: url.href, flow: await hub.keyring.encrypt(flow) };
}

async function readFlow(hub: Deps, sealed: string | undefined): Promise<Flow | undefined> {
  if (!sealed) return undefined;
  try {
    const flow = await hub.keyring.decrypt<Flow>(sealed);
    return flow.expiresAt > Date.now() ? flow : undefined;
  } catch {
    return undefined;
  }
}

/** The person as the provider vouches for them: the ID token's claims, and the UserInfo answer when the token omits the address. */
async function identify(config: oidc.Configuration, tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>) {
  const claims = tokens.claims()!;
  let email = typeof claims.email === 'string' ? claims.email : undefined;
  let verified = claims.email_verified === true;
  if (email === undefined && tokens.access_token) {
    // Many providers put scope claims in UserInfo only (OpenID Connect Core § 5.4); its `sub` must be the token's.
    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    email = typeof info.email === 'string' ? info.email : undefined;
    verified = info.email_verified === true;
  }
  return { sub: claims.sub, email, verified };
}

/**
 * Completes the sign-in at the callback: checks the answer against the flow, trades the code, and
 * opens the same session a password sign-in opens, for the matching account of the flow's
 * organisation. Every outcome is audited.
 */
export async function finishOidcSignIn(hub: Deps, sealedFlow: string | undefined, callbackQuery: string): Promise<OidcFinish> {
  const flow = await readFlow(hub, sealedFlow);
  if (!flow) {
    await failed(hub, undefined, { reason: 'expired' });
    return { ok: false, reason: 'expired' };
  }
  const provider = await providerOf(hub, flow.organizationId);
  if (!provider) {
    await failed(hub, flow.organizationId, { reason: 'no_provider' });
    return { ok: false, reason: 'no_provider' };
  }
  const organizationName = provider.name;
  let person: { sub: string; email: string | undefined; verified: boolean };
  try {
    const config = await providerConfiguration(hub, provider.row);
    // The URL the provider sent the browser to, under the hub's public URL (not whatever Host a proxy passed on).
    const callback = new URL(`${hub.config.publicUrl}${OIDC_CALLBACK_PATH}${callbackQuery}`);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true,
    });
    person = await identify(config, tokens);
  } catch (error) {
    const failure = { reason: 'provider' as const, message: describeProviderError(error) };
    await failed(hub, flow.organizationId, failure);
    return { ok: false, organizationName, ...failure };
  }

  const { matchBy, emailDomain } = provider.row;
  const identity = matchBy === 'sub' ? (person.email ?? person.sub) : (person.email ?? `subject ${person.sub}`);
  const refuse = async (reason: 'email_unverified' | 'wrong_domain' | 'no_account' | 'disabled', staffId?: string): Promise<OidcFinish> => {
    await failed(hub, flow.organizationId, { reason, identity }, staffId);
    return { ok: false, organizationName, reason, identity };
  };
  if (matchBy === 'email') {
    // An address the provider has not verified could be anyone's: it matches nothing.
    if (!person.email || !person.verified) return refuse('email_unverified');
    if (emailDomain && person.email.split('@').pop()?.toLowerCase() !== emailDomain.toLowerCase()) return refuse('wrong_domain');
  }
  const staff = await getStaffOfOrganization(hub.sql, flow.organizationId, matchBy === 'sub' ? { sub: person.sub } : { email: person.email! });
  if (!staff) return refuse('no_account');
  if (staff.disabledAt) return refuse('disabled', staff.id);
  const session = await openSession(hub, staff, { method: 'oidc', organizationId: flow.organizationId, issuer: provider.row.issuer });
  return { ok: true, next: flow.next, ...session };
}
