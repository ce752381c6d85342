import { adminCall, type AdminOptions } from './admin-api.js';

export interface IdentityProviderOptions extends AdminOptions {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  matchBy: string;
  emailDomain?: string;
}

const path = (organizationId: string) => `/v1/organizations/${encodeURIComponent(organizationId)}/identity-provider`;

/** PUT /v1/organizations/{id}/identity-provider: sets or replaces it; the answer never holds the secret. */
export async function setIdentityProvider(organizationId: string, opts: IdentityProviderOptions) {
  const body = {
    issuer: opts.issuer, clientId: opts.clientId, matchBy: opts.matchBy,
    ...(opts.clientSecret ? { clientSecret: opts.clientSecret } : {}), ...(opts.emailDomain ? { emailDomain: opts.emailDomain } : {}),
  };
  return adminCall<Record<string, unknown>>(opts, 'PUT', path(organizationId), body, 'the identity provider', [200, 201]);
}

export async function showIdentityProvider(organizationId: string, opts: AdminOptions) {
  return adminCall<Record<string, unknown>>(opts, 'GET', path(organizationId), undefined, 'the request', [200]);
}

export async function deleteIdentityProvider(organizationId: string, opts: AdminOptions) {
  await adminCall(opts, 'DELETE', path(organizationId), undefined, 'the removal', [204]);
}
