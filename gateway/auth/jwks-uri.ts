import type { JWK } from 'jose';
import { request } from 'undici';
import { outboundAgent } from '../../lib/net/outbound.js';
import { assertPublicUrl } from '../../lib/net/ssrf.js';
import { OAuthError } from './client-assertion.js';

/** Fetches a client's JWKS from its registered URL, behind the same SSRF guard as webhooks. */
export async function fetchClientJwks(uri: string, allowPrivate: boolean): Promise<{ keys: JWK[] }> {
  try {
    await assertPublicUrl(uri, { allowPrivate });
    const response = await request(uri, { method: 'GET', dispatcher: outboundAgent(allowPrivate, 5000) });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new Error(`status ${response.statusCode}`);
    }
    const jwks = (await response.body.json()) as { keys?: JWK[] };
    if (!Array.isArray(jwks.keys)) throw new Error('no keys');
    return { keys: jwks.keys };
  } catch {
    throw new OAuthError(401, 'invalid_client', 'the client’s JWKS URL could not be read');
  }
}
