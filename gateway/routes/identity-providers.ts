import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { IdParam } from '../../schemas/common.js';
import { IdentityProvider, IdentityProviderInput } from '../../schemas/identity-provider.js';
import type { Hub } from '../../services/hub.js';
import { readIdentityProvider, removeIdentityProvider, setIdentityProvider } from '../../services/identity-providers.js';
import type { AppEnv } from '../context.js';
import { requireRole } from '../roles.js';
import { described, json, problems, whoMayCall } from '../openapi.js';

const tags = ['Staff'];
const path = '/v1/organizations/{id}/identity-provider';
const admin = whoMayCall({ admin: 'any organisation' }, 'An unknown organisation');

const inputExample = {
  issuer: 'https://login.eastside-housing.example', clientId: 'referral-hub', clientSecret: 'q3Jd9xVn2LbT7sWm4KzR8cYh',
  matchBy: 'email', emailDomain: 'eastside-housing.example',
};
const { clientSecret: _secret, ...shownFields } = inputExample;
const viewExample = {
  organizationId: 'org_Hs7Lm2Qx9Vb4Np6Rt8Yk1c', ...shownFields,
  redirectUri: 'https://hub.example.org/console/sign-in/oidc/callback',
  signInUrl: 'https://hub.example.org/console/sign-in/oidc/org_Hs7Lm2Qx9Vb4Np6Rt8Yk1c',
  createdAt: '2026-03-02T09:15:00.000Z', updatedAt: '2026-03-02T09:15:00.000Z',
};

const putRoute = createRoute({
  method: 'put', path, tags, operationId: 'setIdentityProvider',
  summary: 'Sign an organisation’s staff in through its own identity provider',
  description: described(
    'Connects the organisation’s OpenID Connect provider (Entra ID, Okta, Keycloak, Google Workspace…): its staff then sign in to the console with the authorization code flow and PKCE, and the hub opens the same session a password sign-in would. ' +
      'Register a confidential client at the provider with the redirect URI this answer names (`redirectUri`) and scopes `openid email profile`. ' +
      'The hub reads the issuer’s discovery document before saving, so an issuer it cannot use is a 400 naming `issuer`. ' +
      'A person is matched only to an account of this organisation, by `matchBy`; their role stays the account’s. Password sign-in keeps working beside it. The change is audited; the client secret is encrypted and never shown back.',
    admin,
  ),
  request: { params: IdParam, body: { required: true, description: 'The provider and how its users map to staff accounts.', ...json(IdentityProviderInput, inputExample) } },
  responses: {
    200: { description: 'Replaced', ...json(IdentityProvider, viewExample) },
    201: { description: 'Set for the first time', ...json(IdentityProvider, viewExample) },
    ...problems(400, 401, 403, { 404: 'No such organisation', 409: 'Another organisation already uses the mail domain (`emailDomain`)' }, 413, 415, 429, {
      503: 'The database is not reachable, or the issuer’s host name could not be resolved right now; try again shortly',
    }),
  },
});

const getRoute = createRoute({
  method: 'get', path, tags, operationId: 'getIdentityProvider',
  summary: 'An organisation’s identity provider',
  description: described('The provider its staff sign in through, without the client secret.', admin),
  request: { params: IdParam },
  responses: {
    200: { description: 'The provider', ...json(IdentityProvider, viewExample) },
    ...problems(400, 401, 403, { 404: 'No such organisation, or it has no identity provider' }, 429, 503),
  },
});

const deleteRoute = createRoute({
  method: 'delete', path, tags, operationId: 'deleteIdentityProvider',
  summary: 'Stop signing an organisation’s staff in through its identity provider',
  description: described('Its staff sign in with their passwords only from now on; sessions already open stay until they end (`DELETE /v1/staff/{id}/sessions` ends them sooner). Audited.', admin),
  request: { params: IdParam },
  responses: {
    204: { description: 'Removed' },
    ...problems(400, 401, 403, { 404: 'No such organisation, or it has no identity provider' }, 429, 503),
  },
});

export function registerIdentityProviderRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
  app.openapi(putRoute, async (c) => {
    const caller = requireRole(c, 'admin');
    const { provider, created } = await setIdentityProvider(hub, caller, c.req.valid('param').id, c.req.valid('json'));
    return created ? c.json(provider, 201) : c.json(provider, 200);
  });
  app.openapi(getRoute, async (c) => {
    requireRole(c, 'admin');
    return c.json(await readIdentityProvider(hub, c.req.valid('param').id), 200);
  });
  app.openapi(deleteRoute, async (c) => {
    const caller = requireRole(c, 'admin');
    await removeIdentityProvider(hub, caller, c.req.valid('param').id);
    return c.body(null, 204);
  });
}
