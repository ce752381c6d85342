import { fetch as undiciFetch } from 'undici';
import { outboundAgent } from './outbound.js';
import { assertPublicUrl } from './ssrf.js';

/**
 * A `fetch` for libraries that take one (openid-client's `customFetch`), behind the hub's SSRF
 * guard: each URL is checked before the request (IP literals, which skip DNS), and the socket's
 * lookup refuses private addresses on the address actually connected to. Redirects are not
 * followed: a library that wants one sees the 3xx and decides.
 */
export function guardedFetch(allowPrivate: boolean, timeoutMs: number) {
  const dispatcher = outboundAgent(allowPrivate, timeoutMs);
  return async (url: string, init: RequestInit = {}): Promise<Response> => {
    await assertPublicUrl(url, { allowPrivate });
    const response = await undiciFetch(url, { ...(init as object), redirect: 'manual', dispatcher } as never);
    return response as unknown as Response;
  };
}
