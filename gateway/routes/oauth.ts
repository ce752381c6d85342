import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { appendAudit } from '../../store/audit.js';
import { ACCESS_TOKEN_SECONDS, issueAccessToken } from '../auth/access-tokens.js';
import { ASSERTION_ALGORITHMS, OAuthError, verifyClientAssertion } from '../auth/client-assertion.js';
import type { AppEnv, Hub } from '../context.js';
import { ROLES, type Role } from '../../schemas/vocabulary.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const scopeFor = (role: Role) => `hub/${role}`;
const SCOPES = ROLES.map(scopeFor);

const TokenRequest = z.object({
  grant_type: z.string().optional(),
  client_assertion_type: z.string().optional(),
  client_assertion: z.string().max(16_384).optional(),
  scope: z.string().max(1000).optional(),
});
const TokenResponse = z.object({ access_token: z.string(), token_type: z.literal('bearer'), expires_in: z.number(), scope: z.string() });
const OAuthErrorBody = z.object({ error: z.string(), error_description: z.string() }).openapi('OAuthError');

const tokenRoute = createRoute({
  method: 'post',
  path: '/oauth/token',
  tags: ['Authentication'],
  security: [],
  summary: 'Exchange a signed client assertion (SMART Backend Services, private_key_jwt) for an access token',
  request: { body: { required: true, content: { 'application/x-www-form-urlencoded': { schema: TokenRequest } } } },
  responses: {
    200: { description: 'An access token', content: { 'application/json': { schema: TokenResponse } } },
    400: { description: 'Bad request or grant', content: { 'application/json': { schema: OAuthErrorBody } } },
    401: { description: 'Client authentication failed', content: { 'application/json': { schema: OAuthErrorBody } } },
  },
});

function oauthError(c: Context, error: OAuthError) {
  c.header('cache-control', 'no-store');
  return c.json({ error: error.code, error_description: error.message }, error.status);
}

export function registerOAuthRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
  app.get('/.well-known/smart-configuration', (c) =>
    c.json({
      issuer: hub.config.publicUrl,
      jwks_uri: `${hub.config.publicUrl}/.well-known/jwks.json`,
      token_endpoint: `${hub.config.publicUrl}/oauth/token`,
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
      grant_types_supported: ['client_credentials'],
      scopes_supported: SCOPES,
      capabilities: ['client-confidential-asymmetric'],
    }),
  );
  app.get('/.well-known/jwks.json', (c) => c.json(hub.signingKeys.publicJwks));

  // RFC 6749 § 5.2: the token endpoint answers with OAuth error bodies, also to a request that is
  // not form-encoded (the route's media-type check would otherwise answer a 415 problem).
  app.use('/oauth/token', async (c, next) => {
    if (c.req.method === 'POST' && !/^application\/x-www-form-urlencoded\s*(;|$)/i.test(c.req.header('content-type') ?? '')) {
      return oauthError(c, new OAuthError(400, 'invalid_request', 'the token request must be form-encoded (application/x-www-form-urlencoded)'));
    }
    await next();
  });

  app.openapi(
    tokenRoute,
    async (c) => {
      const form = c.req.valid('form');
      try {
        if (form.grant_type !== 'client_credentials') throw new OAuthError(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
        if (form.client_assertion_type !== ASSERTION_TYPE) throw new OAuthError(400, 'invalid_request', `client_assertion_type must be ${ASSERTION_TYPE}`);
        if (!form.client_assertion) throw new OAuthError(400, 'invalid_request', 'client_assertion is required');
        const client = await verifyClientAssertion(hub, form.client_assertion);
        const allowed = scopeFor(client.role);
        const requested = form.scope?.split(' ').filter(Boolean) ?? [allowed];
        if (requested.some((s) => s !== allowed)) throw new OAuthError(400, 'invalid_scope', `this client may ask only for ${allowed}`);
        const caller = { clientId: client.clientId, organizationId: client.organizationId, role: client.role, scopes: [allowed] };
        const token = await issueAccessToken(hub.signingKeys, hub.config.publicUrl, caller);
        await appendAudit(hub.sql, { actor: client.clientId, action: 'token.issued', subject: client.organizationId, detail: { role: client.role } });
        c.header('cache-control', 'no-store');
        return c.json({ access_token: token, token_type: 'bearer' as const, expires_in: ACCESS_TOKEN_SECONDS, scope: allowed }, 200);
      } catch (error) {
        if (error instanceof OAuthError) return oauthError(c, error);
        throw error;
      }
    },
    (result, c) => {
      if (!result.success) return oauthError(c, new OAuthError(400, 'invalid_request', 'the token request must be form-encoded'));
    },
  );
}
