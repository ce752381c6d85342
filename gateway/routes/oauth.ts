import { createHash } from 'node:crypto';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { appendAudit } from '../../store/audit.js';
import { ACCESS_TOKEN_SECONDS, issueAccessToken } from '../auth/access-tokens.js';
import { ASSERTION_ALGORITHMS, OAuthError, assertionIssuer, verifyClientAssertion } from '../auth/client-assertion.js';
import { createJwksCache } from '../auth/jwks-cache.js';
import { fetchClientJwks } from '../auth/jwks-uri.js';
import type { AppEnv } from '../context.js';
import type { Hub } from '../../services/hub.js';
import { RETRY_AFTER_SECONDS, addressBucket, countThisSecond } from '../rate-limit.js';
import { ROLES, type Role } from '../../schemas/vocabulary.js';
import * as examples from '../openapi-examples.js';
import { PUBLIC, problems } from '../openapi.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const scopeFor = (role: Role) => `hub/${role}`;
const SCOPES = ROLES.map(scopeFor);

const TokenRequest = z.object({
  grant_type: z.string().optional().openapi({ description: 'Must be `client_credentials`.', example: 'client_credentials' }),
  client_assertion_type: z.string().optional().openapi({ description: `Must be \`${ASSERTION_TYPE}\`.`, example: ASSERTION_TYPE }),
  client_assertion: z.string().max(16_384).optional().openapi({
    description:
      'A JWT signed with one of the client’s registered private keys (' + ASSERTION_ALGORITHMS.join(', ') + '), with `kid` in its header, ' +
      '`iss` and `sub` the client id, `aud` this hub’s token endpoint URL (under its public URL, or any other name the operator configured), `exp` at most 5 minutes ahead and a `jti` never used before.',
  }),
  scope: z.string().max(1000).optional().openapi({ description: 'Optional; the one scope the client’s role allows (`hub/<role>`).', example: 'hub/planner' }),
}).openapi('TokenRequest');
const TokenResponse = z.object({
  access_token: z.string().openapi({ description: 'A JWT signed by the hub; send it as `Authorization: Bearer <access_token>`.' }),
  token_type: z.literal('bearer').openapi({ description: 'Always `bearer`.' }),
  expires_in: z.number().openapi({ description: `Seconds until the token expires (${ACCESS_TOKEN_SECONDS}); get a new one with a new assertion.` }),
  scope: z.string().openapi({ description: 'The scope granted: `hub/<role>`.' }),
}).openapi('TokenResponse');
const OAuthErrorBody = z.object({
  error: z.string().openapi({ description: 'The OAuth 2.0 error code (RFC 6749 § 5.2): `invalid_request`, `invalid_client`, `invalid_grant`, `invalid_scope`, `unsupported_grant_type`, or `slow_down` over the rate limit.' }),
  error_description: z.string().openapi({ description: 'What was wrong, in words.' }),
}).openapi('OAuthError');

const tokenRoute = createRoute({
  method: 'post',
  path: '/oauth/token',
  tags: ['Authentication'],
  operationId: 'issueAccessToken',
  security: [],
  summary: 'Exchange a signed client assertion for an access token (SMART Backend Services)',
  description:
    'The OAuth 2.0 client credentials grant with `private_key_jwt` client authentication, as SMART Backend Services defines it. ' +
    `The access token lasts ${ACCESS_TOKEN_SECONDS} seconds and carries the client’s organisation and role. Errors are OAuth error bodies, not problem+json. ` +
    'Each assertion can be used once (its `jti` is remembered). Requests are rate-limited per client id and per source address.\n\n' +
    '**Who may call**: any client registered with `POST /v1/clients` (and the bootstrap admin client); no access token is needed.',
  request: { body: { required: true, description: 'Form-encoded, as OAuth 2.0 requires.', content: { 'application/x-www-form-urlencoded': { schema: TokenRequest, example: examples.token.request } } } },
  responses: {
    200: { description: 'An access token', content: { 'application/json': { schema: TokenResponse, example: examples.token.response } } },
    400: { description: 'Bad request, grant or scope: a missing field, a body that is not form-encoded, an expired or replayed assertion, a wrong `aud`', content: { 'application/json': { schema: OAuthErrorBody, example: examples.token.errors.badGrant } } },
    401: { description: 'Client authentication failed: unknown client, or a signature that does not verify with its keys', content: { 'application/json': { schema: OAuthErrorBody, example: examples.token.errors.badClient } } },
    ...problems(413),
    429: {
      description: 'Too many token requests from this client or address (`slow_down`); see Retry-After',
      headers: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } } },
      content: { 'application/json': { schema: OAuthErrorBody, example: examples.token.errors.slowDown } },
    },
    ...problems(503),
  },
});

const SmartConfiguration = z.object({
  issuer: z.string().openapi({ description: 'The hub’s public URL: the `iss` of its access tokens.' }),
  jwks_uri: z.string().openapi({ description: 'Where the hub publishes the public keys that verify its access tokens.' }),
  token_endpoint: z.string().openapi({ description: 'Where to trade a client assertion for an access token; also the `aud` an assertion must name.' }),
  token_endpoint_auth_methods_supported: z.array(z.string()).openapi({ description: 'Always `["private_key_jwt"]`.' }),
  token_endpoint_auth_signing_alg_values_supported: z.array(z.string()).openapi({ description: 'The algorithms a client assertion may be signed with.' }),
  grant_types_supported: z.array(z.string()).openapi({ description: 'Always `["client_credentials"]`.' }),
  scopes_supported: z.array(z.string()).openapi({ description: 'One scope per role: `hub/<role>`.' }),
  capabilities: z.array(z.string()).openapi({ description: 'SMART capabilities: `client-confidential-asymmetric`.' }),
}).openapi('SmartConfiguration');
const Jwks = z.object({
  keys: z.array(z.record(z.string(), z.unknown())).openapi({ description: 'Public JWKs, each with `kid` and `alg`; the first signs new tokens, the others still verify (key rotation).' }),
}).openapi('Jwks');

/** The discovery documents are plain handlers below; this is their entry in the reference. */
function documentDiscovery(app: OpenAPIHono<AppEnv>, hub: Hub) {
  const tags = ['Discovery'];
  app.openAPIRegistry.registerPath({
    method: 'get', path: '/.well-known/smart-configuration', tags, operationId: 'getSmartConfiguration', security: [],
    summary: 'SMART authorization metadata: token endpoint, algorithms, scopes',
    description: `What a SMART Backend Services client needs to get tokens: the token endpoint, the client authentication method and algorithms, and the scopes.\n\n${PUBLIC}`,
    responses: {
      200: {
        description: 'The metadata',
        content: {
          'application/json': {
            schema: SmartConfiguration,
            example: {
              issuer: hub.config.publicUrl, jwks_uri: `${hub.config.publicUrl}/.well-known/jwks.json`, token_endpoint: `${hub.config.publicUrl}/oauth/token`,
              token_endpoint_auth_methods_supported: ['private_key_jwt'], token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
              grant_types_supported: ['client_credentials'], scopes_supported: SCOPES, capabilities: ['client-confidential-asymmetric'],
            },
          },
        },
      },
    },
  });
  app.openAPIRegistry.registerPath({
    method: 'get', path: '/.well-known/jwks.json', tags, operationId: 'getHubJwks', security: [],
    summary: 'The hub’s public signing keys',
    description: `Verify the hub’s access tokens with these keys. FHIR partners that use SMART Backend Services register them for the hub’s own client.\n\n${PUBLIC}`,
    responses: {
      200: {
        description: 'A JWKS',
        content: { 'application/json': { schema: Jwks, example: { keys: [{ kty: 'EC', crv: 'P-256', x: 'WbbXwVYGdJoP4Xm3qCkGvBRcRvKtEfXDbWvPzpPS8LA', y: 'BDpqoBGCAx3gFjb2dq8XN0pQkPHKiAYpHYnH-gsSgRs', alg: 'ES256', kid: 'hub-signing-1', use: 'sig' }] } } },
      },
    },
  });
}

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
  documentDiscovery(app, hub);
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
