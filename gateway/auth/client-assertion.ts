import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWK } from 'jose';
import { CLIENT_ASSERTION_ALGORITHMS } from '../../crypto/client-algorithms.js';
import type { Hub } from '../../services/hub.js';
import { findClient, rememberAssertion, type ClientRecord } from '../../store/clients.js';
import type { JwksCache } from './jwks-cache.js';

/** SMART Backend Services: the algorithms a client may sign its assertion with. */
export const ASSERTION_ALGORITHMS: string[] = [...CLIENT_ASSERTION_ALGORITHMS];
/** A client assertion may live at most five minutes (SMART Backend Services). */
const MAX_ASSERTION_LIFETIME_SECONDS = 300;
const CLOCK_SKEW_SECONDS = 30;

export class OAuthError extends Error {
  constructor(
    readonly status: 400 | 401 | 429,
    readonly code: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'invalid_scope' | 'unsupported_grant_type' | 'slow_down',
    description: string,
  ) {
    super(description);
  }
}

/** The bootstrap admin client is configured, not stored: it exists before any organisation does. */
function adminClient(hub: Hub): ClientRecord | undefined {
  if (!hub.adminJwks) return undefined;
  return { clientId: hub.config.HUB_ADMIN_CLIENT_ID, organizationId: null, role: 'admin', jwks: hub.adminJwks as { keys: JWK[] }, jwksUri: null };
}

/**
 * The client an assertion claims to come from, read before any signature is checked (to find the
 * client's keys, and to rate-limit per client): no control characters (Postgres refuses NUL).
 */
export function assertionIssuer(assertion: string): string {
  try {
    const claims = decodeJwt(assertion);
    if (typeof claims.iss !== 'string' || !claims.iss || /[\u0000-\u001f]/.test(claims.iss)) throw new Error('no iss');
    return claims.iss;
  } catch {
    throw new OAuthError(400, 'invalid_request', 'client_assertion is not a JWT with an iss claim');
  }
}

/** The token endpoint under every base URL the hub answers on: any of them is a valid `aud`. */
export const tokenAudiences = (hub: Hub) => hub.config.publicUrls.map((url) => `${url}/oauth/token`);

function headerKid(assertion: string): string | undefined {
  try {
    return decodeProtectedHeader(assertion).kid;
  } catch {
    return undefined;
  }
}

export async function verifyClientAssertion(hub: Hub, assertion: string, jwksCache: JwksCache): Promise<ClientRecord> {
  const clientId = assertionIssuer(assertion);
  const client = clientId === hub.config.HUB_ADMIN_CLIENT_ID ? adminClient(hub) : await findClient(hub.sql, clientId);
  if (!client) throw new OAuthError(401, 'invalid_client', 'unknown client');
  const jwks = client.jwks ?? (client.jwksUri ? await jwksCache.get(client.jwksUri, headerKid(assertion)) : undefined);
  if (!jwks) throw new OAuthError(401, 'invalid_client', 'the client has no registered keys');
  const audiences = tokenAudiences(hub);

  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, createLocalJWKSet(jwks), {
      algorithms: ASSERTION_ALGORITHMS,
      issuer: client.clientId,
      subject: client.clientId,
      audience: audiences,
      requiredClaims: ['exp', 'jti'],
      clockTolerance: CLOCK_SKEW_SECONDS,
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new OAuthError(400, 'invalid_grant', 'the client assertion has expired');
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'aud') {
      // Say what was expected: the usual cause is a client configured with another name of the hub.
      throw new OAuthError(400, 'invalid_grant', `client assertion claim check failed: aud; expected ${audiences.length === 1 ? '' : 'one of '}${audiences.join(', ')}`);
    }
    if (error instanceof joseErrors.JWTClaimValidationFailed) throw new OAuthError(400, 'invalid_grant', `client assertion claim check failed: ${error.claim}`);
    throw new OAuthError(401, 'invalid_client', 'the client assertion signature does not verify with the client’s registered keys');
  }
  // jose checks that exp is not past, but not how far ahead it is.
  const nowSeconds = Math.floor(Date.now() / 1000);
  if (payload.exp! - nowSeconds > MAX_ASSERTION_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
    throw new OAuthError(400, 'invalid_grant', 'the client assertion expires more than 5 minutes ahead');
  }
  if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 255 || payload.jti.includes('\u0000')) {
    throw new OAuthError(400, 'invalid_grant', 'the client assertion needs a jti');
  }
  const fresh = await rememberAssertion(hub.sql, client.clientId, payload.jti, new Date(payload.exp! * 1000));
  if (!fresh) throw new OAuthError(400, 'invalid_grant', 'this client assertion (jti) has been used before');
  return client;
}
