import { createLocalJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWK } from 'jose';
import type { Hub } from '../context.js';
import { findClient, rememberAssertion, type ClientRecord } from '../../store/clients.js';
import { fetchClientJwks } from './jwks-uri.js';

/** SMART Backend Services: the algorithms a client may sign its assertion with. */
export const ASSERTION_ALGORITHMS = ['ES256', 'ES384', 'RS384', 'EdDSA'];
/** A client assertion may live at most five minutes (SMART Backend Services). */
const MAX_ASSERTION_LIFETIME_SECONDS = 300;
const CLOCK_SKEW_SECONDS = 30;

export class OAuthError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly code: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'invalid_scope' | 'unsupported_grant_type',
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

export async function verifyClientAssertion(hub: Hub, assertion: string): Promise<ClientRecord> {
  let clientId: string;
  try {
    const claims = decodeJwt(assertion);
    // The iss is looked up before any signature is checked: no control characters (Postgres refuses NUL).
    if (typeof claims.iss !== 'string' || !claims.iss || /[\u0000-\u001f]/.test(claims.iss)) throw new Error('no iss');
    clientId = claims.iss;
  } catch {
    throw new OAuthError(400, 'invalid_request', 'client_assertion is not a JWT with an iss claim');
  }
  const client = clientId === hub.config.HUB_ADMIN_CLIENT_ID ? adminClient(hub) : await findClient(hub.sql, clientId);
  if (!client) throw new OAuthError(401, 'invalid_client', 'unknown client');
  const jwks = client.jwks ?? (client.jwksUri ? await fetchClientJwks(client.jwksUri, hub.config.HUB_ALLOW_PRIVATE_TARGETS) : undefined);
  if (!jwks) throw new OAuthError(401, 'invalid_client', 'the client has no registered keys');

  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, createLocalJWKSet(jwks), {
      algorithms: ASSERTION_ALGORITHMS,
      issuer: client.clientId,
      subject: client.clientId,
      audience: `${hub.config.publicUrl}/oauth/token`,
      requiredClaims: ['exp', 'jti'],
      clockTolerance: CLOCK_SKEW_SECONDS,
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new OAuthError(400, 'invalid_grant', 'the client assertion has expired');
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
