import { LRUCache } from 'lru-cache';
import * as oidc from 'openid-client';
import { transaction } from '../db/connect.js';
import type { Caller } from '../domain/caller.js';
import { badRequest, HubError, notFound } from '../lib/errors.js';
import { guardedFetch } from '../lib/net/guarded-fetch.js';
import { assertRegisteredUrlIsPublic } from '../lib/net/registered-url.js';
import { isUnsafeTargetError } from '../lib/net/ssrf.js';
import type { IdentityProviderInput, IdentityProviderView } from '../schemas/identity-provider.js';
import { appendAudit } from '../store/audit.js';
import * as store from '../store/identity-providers.js';
import { getOrganization } from '../store/organizations.js';
import type { Hub } from './hub.js';

/**
 * An organisation's OpenID Connect provider, the admin's side: set, read, remove (every change
 * audited, the client secret encrypted and never shown), and the discovered client configuration
 * the console's sign-in uses.
 */

type Deps = Pick<Hub, 'sql' | 'keyring' | 'config'>;

export const OIDC_CALLBACK_PATH = '/console/sign-in/oidc/callback';
export const oidcSignInPath = (organizationId: string) => `/console/sign-in/oidc/${organizationId}`;
/** What the provider is asked for: the person's identity and address, nothing to act with. */
export const OIDC_SCOPE = 'openid email profile';
const PROVIDER_TIMEOUT_MS = 10_000;

export const redirectUri = (hub: Pick<Hub, 'config'>) => `${hub.config.publicUrl}${OIDC_CALLBACK_PATH}`;

function shown(hub: Pick<Hub, 'config'>, row: store.IdentityProviderRow): IdentityProviderView {
  return {
    organizationId: row.organizationId, issuer: row.issuer, clientId: row.clientId, matchBy: row.matchBy, emailDomain: row.emailDomain,
    redirectUri: redirectUri(hub), signInUrl: `${hub.config.publicUrl}${oidcSignInPath(row.organizationId)}`,
    createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString(),
  };
}

/** Why a provider could not be used, in words fit for an admin or the sign-in page (no secrets: protocol messages only). */
export function describeProviderError(error: unknown): string {
  const chain: unknown[] = [];
  for (let e: unknown = error; e && chain.length < 6; e = (e as { cause?: unknown }).cause) chain.push(e);
  const unsafe = chain.find(isUnsafeTargetError);
  if (unsafe) return unsafe.message;
  if (error instanceof oidc.AuthorizationResponseError) return `${error.error_description ?? 'no reason given'} (${error.error})`;
  if (error instanceof oidc.ResponseBodyError) return `${error.error_description ?? 'no reason given'} (${error.error}, HTTP ${error.status})`;
  const coded = chain.find((e) => typeof (e as { code?: unknown }).code === 'string' && /^E[A-Z]+$|^UND_ERR/.test((e as { code: string }).code)) as { code: string } | undefined;
  if (coded) return `the provider could not be reached (${coded.code})`;
  if ((error as { name?: string }).name === 'TimeoutError') return 'the provider did not answer in time';
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}

/**
 * Discovers the provider (OpenID Connect Discovery; openid-client checks that the document names
 * the issuer asked for) and builds the client. Every request goes through the SSRF guard; plain
 * http is allowed only where private targets are (a closed network or a test).
 */
async function discover(hub: Deps, issuer: string, clientId: string, clientSecret: string): Promise<oidc.Configuration> {
  const allowPrivate = hub.config.HUB_ALLOW_PRIVATE_TARGETS;
  const customFetch = guardedFetch(allowPrivate, PROVIDER_TIMEOUT_MS) as oidc.CustomFetch;
  const execute = new URL(issuer).protocol === 'http:' ? [oidc.allowInsecureRequests] : [];
  const discovered = await oidc.discovery(new URL(issuer), clientId, clientSecret, oidc.ClientSecretBasic(clientSecret), {
    [oidc.customFetch]: customFetch, execute, timeout: PROVIDER_TIMEOUT_MS / 1000,
  });
  // client_secret_basic is the default (OpenID Connect Discovery § 3); a provider that lists only post gets post.
  const methods = discovered.serverMetadata().token_endpoint_auth_methods_supported;
  if (!methods || methods.includes('client_secret_basic') || !methods.includes('client_secret_post')) return discovered;
  const config = new oidc.Configuration(discovered.serverMetadata(), clientId, clientSecret, oidc.ClientSecretPost(clientSecret));
  config[oidc.customFetch] = customFetch;
  for (const apply of execute) apply(config);
  return config;
}

/** Discovered configurations, per organisation and version of its settings: a change is a new key. */
const configurations = new LRUCache<string, Promise<oidc.Configuration>>({ max: 500, ttl: 10 * 60_000 });

/** The client for the organisation's provider, discovered at most every ten minutes. */
export function providerConfiguration(hub: Deps, row: store.IdentityProviderRow): Promise<oidc.Configuration> {
  const key = `${row.organizationId}|${row.updatedAt.toISOString()}`;
  let config = configurations.get(key);
  if (!config) {
    config = (async () => discover(hub, row.issuer, row.clientId, (await hub.keyring.decrypt<{ clientSecret: string }>(row.clientSecretJwe)).clientSecret))();
    configurations.set(key, config);
    // A provider that was down is tried again on the next sign-in, not in ten minutes.
    config.catch(() => configurations.delete(key));
  }
  return config;
}

async function requireOrganization(hub: Deps, organizationId: string) {
  const org = await getOrganization(hub.sql, organizationId);
  if (!org) throw notFound('organization');
  return org;
}

/** GET /v1/organizations/{id}/identity-provider (admin). */
export async function readIdentityProvider(hub: Deps, organizationId: string): Promise<IdentityProviderView> {
  await requireOrganization(hub, organizationId);
  const row = await store.getIdentityProvider(hub.sql, organizationId);
  if (!row) throw notFound('identity provider');
  return shown(hub, row);
}

/**
 * PUT /v1/organizations/{id}/identity-provider (admin): checks the issuer the way every URL the
 * hub calls is checked, then discovers it, so that a typo is a 400 now rather than a failed
 * sign-in later.
 */
export async function setIdentityProvider(hub: Deps, caller: Caller, organizationId: string, input: IdentityProviderInput): Promise<{ provider: IdentityProviderView; created: boolean }> {
  await requireOrganization(hub, organizationId);
  const allowPrivate = hub.config.HUB_ALLOW_PRIVATE_TARGETS;
  if (new URL(input.issuer).protocol !== 'https:' && !allowPrivate) {
    throw badRequest('the issuer must be an https URL', [{ path: 'issuer', message: 'must be an https URL' }]);
  }
  await assertRegisteredUrlIsPublic('issuer', input.issuer, allowPrivate);
  const existing = await store.getIdentityProvider(hub.sql, organizationId);
  // The stored secret goes only to the issuer it was given for: kept for another issuer, it would
  // be sent to that one's token endpoint (a typo, or a way to read a secret the API never shows).
  const keeps = existing !== undefined && existing.clientId === input.clientId && existing.issuer === input.issuer;
  const clientSecret = input.clientSecret
    ?? (keeps ? (await hub.keyring.decrypt<{ clientSecret: string }>(existing.clientSecretJwe)).clientSecret : undefined);
  if (clientSecret === undefined) {
    const why = !existing ? 'required when the identity provider is first set' : existing.clientId !== input.clientId ? 'required when clientId changes' : 'required when the issuer changes';
    throw badRequest(`clientSecret is ${why}`, [{ path: 'clientSecret', message: why }]);
  }
  try {
    await discover(hub, input.issuer, input.clientId, clientSecret);
  } catch (error) {
    const reason = describeProviderError(error);
    throw badRequest(`the issuer’s OpenID configuration could not be used: ${reason}`, [{ path: 'issuer', message: `discovery failed: ${reason}` }]);
  }
  const saved = await transaction(hub.sql, async (tx) => {
    const put = await store.putIdentityProvider(tx, {
      organizationId, issuer: input.issuer, clientId: input.clientId, clientSecretJwe: await hub.keyring.encrypt({ clientSecret }),
      matchBy: input.matchBy, emailDomain: input.emailDomain ?? null,
    });
    if (!put) throw new HubError(409, 'Conflict', 'another organisation already signs in staff of this mail domain', [{ path: 'emailDomain', message: 'already used by another organisation' }]);
    await appendAudit(tx, {
      actor: caller.clientId, action: put.created ? 'identity_provider.created' : 'identity_provider.updated', subject: organizationId,
      detail: { issuer: input.issuer, clientId: input.clientId, matchBy: input.matchBy, emailDomain: input.emailDomain ?? null, secretReplaced: input.clientSecret !== undefined },
    });
    return put;
  });
  return { provider: shown(hub, saved.row), created: saved.created };
}

/** DELETE /v1/organizations/{id}/identity-provider (admin): staff sign in with passwords only again; live sessions stay. */
export async function removeIdentityProvider(hub: Deps, caller: Caller, organizationId: string): Promise<void> {
  await requireOrganization(hub, organizationId);
  await transaction(hub.sql, async (tx) => {
    if (!(await store.deleteIdentityProvider(tx, organizationId))) throw notFound('identity provider');
    await appendAudit(tx, { actor: caller.clientId, action: 'identity_provider.deleted', subject: organizationId });
  });
}

/** The provider behind a work e-mail address, for the sign-in page: by the domain after the @. */
export async function identityProviderForEmail(hub: Deps, email: string): Promise<{ organizationId: string; organizationName: string } | undefined> {
  const domain = email.trim().split('@').pop()?.toLowerCase() ?? '';
  if (!domain) return undefined;
  const row = await store.getIdentityProviderByDomain(hub.sql, domain);
  const org = row && (await getOrganization(hub.sql, row.organizationId));
  return org ? { organizationId: org.id, organizationName: org.name } : undefined;
}
