import type { JWK } from 'jose';
import { request } from 'undici';
import { signClientAssertion, tokenRequestBody } from './client-assertion.js';
import { generateClientKey } from './keys.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface Answer<T> {
  status: number;
  body: T;
}

/** How often a call answered 429 or 503 is tried again (after `Retry-After`) before it fails. */
const RETRIES = 8;

/**
 * A script's client of the hub's public API (the bench's setup and `npm run demo`): SMART
 * Backend Services tokens (a signed client assertion traded at /oauth/token), renewed a minute
 * before they expire, and JSON calls that fail loudly on any unexpected status. A 429 (the
 * per-client rate limit) or 503 is waited out as `Retry-After` says, so a script may push as hard
 * as the hub lets it.
 */
export class HubClient {
  private readonly tokens = new Map<string, { token: string; renewAt: number }>();

  /** `origin` is where to connect; `publicUrl` is the hub's HUB_PUBLIC_URL, the audience of client assertions. */
  constructor(
    readonly origin: string,
    readonly publicUrl: string = origin,
  ) {}

  async token(clientId: string, key: JWK): Promise<string> {
    const cached = this.tokens.get(clientId);
    if (cached && cached.renewAt > Date.now()) return cached.token;
    for (let attempt = 0; ; attempt++) {
      const assertion = await signClientAssertion(clientId, key, `${this.publicUrl}/oauth/token`);
      const response = await request(`${this.origin}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: tokenRequestBody(assertion).toString(),
      });
      const body = (await response.body.json()) as { access_token?: string; expires_in?: number };
      if ((response.statusCode === 429 || response.statusCode === 503) && attempt < RETRIES) {
        await pause(retryAfterMs(response.headers['retry-after']));
        continue;
      }
      if (response.statusCode !== 200 || !body.access_token) throw new Error(`token for ${clientId}: HTTP ${response.statusCode} ${JSON.stringify(body)}`);
      this.tokens.set(clientId, { token: body.access_token, renewAt: Date.now() + ((body.expires_in ?? 300) - 60) * 1000 });
      return body.access_token;
    }
  }

  /** One call, whatever it answers (after waiting out 429 and 503): for callers that branch on the status. */
  async send<T>(method: Method, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    for (let attempt = 0; ; attempt++) {
      let response;
      try {
        response = await request(`${this.origin}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (error) {
        // A kept-alive connection the busy hub closed as the request went out ("other side
        // closed"): the request never reached a handler, so it is sent again on a new one.
        if (attempt < RETRIES && droppedConnection(error)) {
          await pause(250 * (attempt + 1));
          continue;
        }
        throw error;
      }
      const text = await response.body.text();
      if ((response.statusCode === 429 || response.statusCode === 503) && attempt < RETRIES) {
        await pause(retryAfterMs(response.headers['retry-after']));
        continue;
      }
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.statusCode, body: parsed as T };
    }
  }

  /** One call that must answer `expect` (or one of them); anything else throws with the answer's text. */
  async call<T>(method: Method, path: string, token: string, body: unknown, expect: number | readonly number[], headers?: Record<string, string>): Promise<T> {
    const answer = await this.send<T>(method, path, token, body, headers);
    const expected = typeof expect === 'number' ? [expect] : expect;
    if (!expected.includes(answer.status)) {
      throw new Error(`${method} ${path}: HTTP ${answer.status} (expected ${expected.join(' or ')}) ${JSON.stringify(answer.body).slice(0, 500)}`);
    }
    return answer.body;
  }

  /** Registers a client of `role` for an organisation; returns its id and private key. */
  async client(adminToken: string, organizationId: string, role: 'planner' | 'partner' | 'compliance' | 'manager'): Promise<ApiClientKey> {
    const key = await generateClientKey('ES256');
    const created = await this.call<{ clientId: string }>('POST', '/v1/clients', adminToken, { organizationId, role, jwks: key.publicJwks }, 201);
    return { clientId: created.clientId, key: key.privateJwk };
  }
}

/** A registered client: its id and the private key its assertions are signed with. */
export interface ApiClientKey {
  clientId: string;
  key: JWK;
}

function droppedConnection(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET';
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function retryAfterMs(header: string | string[] | undefined): number {
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  // A little jitter, so a crowd of waiting requests does not come back in one burst.
  return (Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 30) * 1000 : 1000) + Math.random() * 250;
}
