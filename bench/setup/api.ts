import { randomUUID } from 'node:crypto';
import { SignJWT, importJWK, type JWK } from 'jose';
import { request } from 'undici';
import { generateClientKey } from '../../dev/keys.js';

/**
 * The bench's client of the public API, for setup: SMART Backend Services tokens (a signed client
 * assertion traded at /oauth/token), renewed a minute before they expire, and JSON calls that
 * fail loudly on any unexpected status.
 */
export class BenchApi {
  private readonly tokens = new Map<string, { token: string; renewAt: number }>();

  constructor(
    readonly origin: string,
    readonly publicUrl: string,
  ) {}

  async token(clientId: string, key: JWK): Promise<string> {
    const cached = this.tokens.get(clientId);
    if (cached && cached.renewAt > Date.now()) return cached.token;
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: key.alg!, kid: key.kid!, typ: 'JWT' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(`${this.publicUrl}/oauth/token`)
      .setIssuedAt()
      .setExpirationTime('4m')
      .setJti(randomUUID())
      .sign(await importJWK(key, key.alg));
    const response = await request(`${this.origin}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }).toString(),
    });
    const body = (await response.body.json()) as { access_token?: string; expires_in?: number };
    if (response.statusCode !== 200 || !body.access_token) throw new Error(`token for ${clientId}: HTTP ${response.statusCode} ${JSON.stringify(body)}`);
    this.tokens.set(clientId, { token: body.access_token, renewAt: Date.now() + ((body.expires_in ?? 300) - 60) * 1000 });
    return body.access_token;
  }

  async call<T>(method: 'GET' | 'POST', path: string, token: string, body: unknown, expect: number): Promise<T> {
    const response = await request(`${this.origin}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.body.text();
    if (response.statusCode !== expect) throw new Error(`${method} ${path}: HTTP ${response.statusCode} (expected ${expect}) ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Registers a client of `role` for an organisation; returns its id and private key. */
  async client(adminToken: string, organizationId: string, role: 'planner' | 'partner' | 'compliance' | 'manager'): Promise<BenchClient> {
    const key = await generateClientKey('ES256');
    const created = await this.call<{ clientId: string }>('POST', '/v1/clients', adminToken, { organizationId, role, jwks: key.publicJwks }, 201);
    return { clientId: created.clientId, key: key.privateJwk };
  }
}

export interface BenchClient {
  clientId: string;
  key: JWK;
}
