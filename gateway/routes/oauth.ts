import { createHash } from 'node:crypto';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { appendAudit } from '../../store/audit.js';
import { ACCESS_TOKEN_SECONDS, issueAccessToken } from '../auth/access-tokens.js';
import { ASSERTION_ALGORITHMS, OAuthError, assertionIssuer, verifyClientAssertion } from '../auth/client-assertion.js';
import { createJwksCache } from '../auth/jwks-cache.js';
import { fetchClientJwks } from '../auth/jwks-uri.js';
import type { AppEnv, Hub } from '../context.js';
import { RETRY_AFTER_SECONDS, addressBucket, countThisSecond } from '../rate-limit.js';
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
    429: { description: 'Too many token requests from this client or address (`slow_down`); see Retry-After', content: { 'application/json': { schema: OAuthErrorBody } } },
  },
});

function oauthError(c: Context, error: OAuthError) {
  c.header('cache-control', 'no-store');
  if (error.status === 429) c.header('retry-after', String(RETRY_AFTER_SECONDS));
  return c.json({ error: error.code, error_description: error.message }, error.status);
}

/**
 * One source address may send this many times the per-client limit: several clients (an agency's
 * integration engine, a NAT, a proxy) often share one address, but one address naming client ids
 * at random must not get an unlimited number of signature checks and lookups.
 */
const ADDRESS_LIMIT_FACTOR = 10;

function sourceAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // Not served by node-server (app.request in a test): no socket to name.
    return 'unknown';
  }
}

/** A client id as a Redis key part: it is the caller's text, unverified, of any length. */
const clientBucket = (clientId: string) => (/^[\w.-]{1,100}$/.test(clientId) ? clientId : `h.${createHash('sha256').update(clientId).digest('base64url')}`);

export function registerOAuthRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
  const allowPrivate = hub.config.HUB_ALLOW_PRIVATE_TARGETS;
  const jwksCache = createJwksCache({ fetch: (uri) => fetchClientJwks(uri, allowPrivate) });
  const perSecond = hub.config.HUB_RATE_LIMIT_RPS;
  const prefix = hub.config.HUB_QUEUE_PREFIX;
  /** Throws a 429 OAuth error when `name` is over `max` this second; HUB_RATE_LIMIT_RPS=0 turns limits off. */
  async function limit(name: string, max: number, who: string) {
    if (perSecond <= 0) return;
    const count = await countThisSecond(hub.redis, prefix, name);
    if (count !== undefined && count > max) {
      // RFC 6749 has no code for this; RFC 8628 § 3.5 registers slow_down for token endpoint answers.
      throw new OAuthError(429, 'slow_down', `over the limit of ${max} token requests per second for this ${who}; retry after ${RETRY_AFTER_SECONDS} s`);
    }
  }

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
    // Counted before anything is parsed, so that garbage is limited as well as well-formed requests.
    if (c.req.method === 'POST') {
      try {
        await limit(`token-addr:${addressBucket(sourceAddress(c))}`, perSecond * ADDRESS_LIMIT_FACTOR, 'address');
      } catch (error) {
        if (error instanceof OAuthError) return oauthError(c, error);
        throw error;
      }
    }
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
        // Before the signature is checked: badly signed assertions naming a client count against it too.
        await limit(`token-client:${clientBucket(assertionIssuer(form.client_assertion))}`, perSecond, 'client');
        const client = await verifyClientAssertion(hub, form.client_assertion, jwksCache);
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
