import { signClientAssertion, tokenRequestBody } from '../../dev/client-assertion.js';
import { CliError, networkReason } from './errors.js';
import { readPrivateKey } from './keys.js';

/** How long hubctl waits for the hub: long enough for a busy hub, short enough for a script. */
const TIMEOUT_MS = 15_000;

/**
 * A SMART Backend Services client assertion (`private_key_jwt`): iss = sub = the client id, the
 * hub's token endpoint as `aud`, a fresh `jti`, and 4 minutes of life (the hub allows at most 5).
 */
export async function signAssertion(clientId: string, keyFile: string, hubUrl: string): Promise<string> {
  const { jwk, key } = await readPrivateKey(keyFile);
  return signClientAssertion(clientId, jwk, tokenEndpoint(hubUrl), { key });
}

export function tokenEndpoint(hubUrl: string): string {
  return `${hubUrl.replace(/\/$/, '')}/oauth/token`;
}

/** Trades a client assertion for an access token (client_credentials, RFC 7523). */
export async function requestToken(assertion: string, hubUrl: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(tokenEndpoint(hubUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: tokenRequestBody(assertion),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new CliError(`cannot reach the hub at ${hubUrl}: ${networkReason(error)}`);
  }
  const text = await response.text();
  let body: { access_token?: unknown; error?: unknown; error_description?: unknown; detail?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not JSON: said below
  }
  if (response.ok && typeof body.access_token === 'string') return body.access_token;
  // OAuth errors carry `error` and `error_description` (RFC 6749 §5.2); other answers may be problem+json.
  const reason = [body.error, body.error_description ?? body.detail].filter((p) => typeof p === 'string' && p).join(': ');
  const shown = reason || (text.length > 200 ? `${text.slice(0, 200)}…` : text) || 'an empty answer';
  throw new CliError(`the hub refused the token request (HTTP ${response.status}): ${shown}`);
}
