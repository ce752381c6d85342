import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { outboundAgent } from '../../lib/net/outbound.js';
import { assertPublicUrl } from '../../lib/net/ssrf.js';
import type { HubSigningKey } from '../types.js';
import { describeFailure, type CallFailure } from './client.js';

/**
 * SMART Backend Services (client-credentials with `private_key_jwt`) towards a FHIR partner:
 * the hub signs a short-lived client assertion with its own signing key (the partner registered
 * the hub's public JWKS from /.well-known/jwks.json for `clientId`), trades it at the partner's
 * token endpoint for an access token, and keeps that token until shortly before it expires.
 *
 * The token request goes through the same SSRF-guarded outbound agent as every other call, with
 * redirects refused. It carries no case data, and errors name only the token endpoint's answer.
 */

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** What the hub asks for when the partner configured no scope (SMART v2 system scopes). */
export const DEFAULT_SMART_SCOPE = 'system/Patient.crs system/ServiceRequest.crus system/Task.crus';
/** SMART: the assertion's `exp` no more than five minutes ahead; a little less for clock skew. */
const ASSERTION_LIFETIME_S = 240;
/** A cached token is dropped this long before the partner said it expires. */
export const TOKEN_EXPIRY_MARGIN_MS = 30_000;
/** When the token endpoint gives no `expires_in`. */
const DEFAULT_EXPIRES_IN_S = 300;
const MAX_ERROR = 300;

export interface SmartAuth {
  tokenUrl: string;
  clientId: string;
  scope?: string | undefined;
}

export interface SmartOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  signingKey: HubSigningKey;
}

export class TokenError extends Error {
  constructor(readonly failure: CallFailure) {
    super(failure.error);
  }
}

/**
 * Tokens per partner registration (token URL, client id, scope, hub key). Adapters are built per
 * delivery and per poll, so the cache lives here, in the process; one fetch at a time per key.
 */
const cache = new Map<string, { token: string; until: number }>();
const inFlight = new Map<string, Promise<string>>();

/** For tests and shutdown. */
export function clearSmartTokens(): void {
  cache.clear();
  inFlight.clear();
}

export interface SmartTokens {
  /** A valid access token: the cached one, or a new one from the token endpoint. Throws TokenError. */
  token(signal: AbortSignal): Promise<string>;
  /** Forgets `token` (the FHIR server answered 401 to it), so the next `token()` fetches a new one. */
  drop(token: string): void;
}

export function smartTokens(auth: SmartAuth, opts: SmartOptions): SmartTokens {
  const scope = auth.scope ?? DEFAULT_SMART_SCOPE;
  const key = [auth.tokenUrl, auth.clientId, scope, opts.signingKey.kid].join('\n');
  return {
    async token(signal) {
      const cached = cache.get(key);
      if (cached && cached.until > Date.now()) return cached.token;
      let pending = inFlight.get(key);
      if (!pending) {
        pending = fetchToken(auth, scope, opts, signal).then(
          ({ token, expiresIn }) => {
            const until = Date.now() + expiresIn * 1000 - TOKEN_EXPIRY_MARGIN_MS;
            if (until > Date.now()) cache.set(key, { token, until });
            return token;
          },
        );
        inFlight.set(key, pending);
        const clear = () => {
          if (inFlight.get(key) === pending) inFlight.delete(key);
        };
        pending.then(clear, clear);
      }
      return pending;
    },
    drop(token) {
      if (cache.get(key)?.token === token) cache.delete(key);
    },
  };
}

async function clientAssertion(auth: SmartAuth, key: HubSigningKey): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(auth.clientId)
    .setSubject(auth.clientId)
    .setAudience(auth.tokenUrl)
    .setIssuedAt(now)
    .setExpirationTime(now + ASSERTION_LIFETIME_S)
    .setJti(randomUUID())
    .sign(key.key);
}

const clean = (s: unknown, max = 200) => (typeof s === 'string' ? s.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, max) : undefined);
const RETRYABLE = new Set([408, 425, 429]);

async function fetchToken(auth: SmartAuth, scope: string, opts: SmartOptions, signal: AbortSignal): Promise<{ token: string; expiresIn: number }> {
  const fail = (kind: CallFailure['kind'], error: string, status?: number): never => {
    throw new TokenError({ kind, error: `token endpoint: ${error}`.slice(0, MAX_ERROR), ...(status !== undefined ? { status } : {}) });
  };
  let response: Response;
  try {
    await assertPublicUrl(auth.tokenUrl, { allowPrivate: opts.allowPrivate });
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: await clientAssertion(auth, opts.signingKey),
      scope,
    });
    response = await fetch(auth.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      redirect: 'error',
      signal,
      // Node's fetch honours an undici dispatcher: the SSRF-guarded, time-bounded outbound agent.
      dispatcher: outboundAgent(opts.allowPrivate, opts.timeoutMs),
    } as unknown as RequestInit);
  } catch (err) {
    const f = describeFailure(err, opts.timeoutMs);
    return fail(f.kind, f.error);
  }
  let data: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = await response.json();
    data = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    data = undefined;
  }
  if (!response.ok) {
    const status = response.status;
    // RFC 6749 § 5.2: {error, error_description}; only those two, cut to size.
    const oauth = clean(data?.error, 80);
    const text = `HTTP ${status}${oauth ? `: ${oauth}` : ''}${clean(data?.error_description) ? ` (${clean(data?.error_description)})` : ''}`;
    // A refused assertion (invalid_client), an unknown scope or a wrong URL does not heal by itself.
    return fail(status >= 500 || RETRYABLE.has(status) ? 'retry' : 'permanent', text, status);
  }
  const token = data?.access_token;
  if (typeof token !== 'string' || token.length === 0) return fail('permanent', `HTTP ${response.status} without an access_token`);
  const tokenType = data?.token_type;
  if (typeof tokenType === 'string' && tokenType.toLowerCase() !== 'bearer') return fail('permanent', `unsupported token_type ${clean(tokenType, 40)}`);
  const expiresIn = typeof data?.expires_in === 'number' && Number.isFinite(data.expires_in) && data.expires_in > 0 ? data.expires_in : DEFAULT_EXPIRES_IN_S;
  return { token, expiresIn };
}
