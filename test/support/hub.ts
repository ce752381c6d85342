import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import { parseConfig } from '../../config/config.js';
import { generateClientKey } from '../../dev/keys.js';
import { signClientAssertion, tokenRequestBody } from '../../dev/client-assertion.js';
import { TestClock } from '../../lib/clock.js';
import { createLogger, type Logger } from '../../lib/logger.js';
import { startHub, type RunningHub } from '../../runtime/start.js';
import { createTestDatabase, TEST_REDIS_URL, uniquePrefix, type TestDatabase } from './db.js';

export const PUBLIC_URL = 'http://hub.test';

/** Keys and settings for a hub under test: its own database, its own queue prefix, fast retries. */
export async function testEnv(db: TestDatabase, overrides: Record<string, string> = {}) {
  const signing = await generateClientKey('ES256');
  const admin = await generateClientKey('ES256');
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    PORT: '0',
    HOST: '127.0.0.1',
    HUB_PUBLIC_URL: PUBLIC_URL,
    HUB_ADMIN_JWKS: JSON.stringify(admin.publicJwks),
    HUB_SIGNING_JWKS: JSON.stringify({ keys: [signing.privateJwk] }),
    HUB_DATA_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    HUB_ALLOW_PRIVATE_TARGETS: 'true',
    HUB_QUEUE_PREFIX: uniquePrefix('q'),
    HUB_DELIVERY_SCHEDULE: '0,0.2,0.2',
    HUB_DELIVERY_TIMEOUT_MS: '2000',
    HUB_RELAY_LEASE_SECONDS: '5',
    // Test files run in parallel against one PostgreSQL: keep each hub's share of its connections small.
    HUB_DB_POOL_SIZE: '6',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...overrides,
  };
  return { env, adminKey: admin.privateJwk };
}

export async function signAssertion(clientId: string, key: JWK, claims: { aud?: string; expSeconds?: number; jti?: string } = {}) {
  return signClientAssertion(clientId, key, claims.aud ?? `${PUBLIC_URL}/oauth/token`, claims);
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A thin HTTP client for tests: real requests to the running gateway. */
export class Api {
  /** `publicUrl` is the hub's HUB_PUBLIC_URL: client assertions name it as their audience. */
  constructor(
    readonly baseUrl: string,
    readonly publicUrl = PUBLIC_URL,
  ) {}

  async request<T = any>(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  async token(clientId: string, key: JWK): Promise<string> {
    const response = await fetch(`${this.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: tokenRequestBody(await signAssertion(clientId, key, { aud: `${this.publicUrl}/oauth/token` })),
    });
    const body = (await response.json()) as { access_token: string };
    if (response.status !== 200) throw new Error(`token: ${response.status} ${JSON.stringify(body)}`);
    return body.access_token;
  }
}

export interface TestHub {
  running: RunningHub;
  db: TestDatabase;
  api: Api;
  adminToken: string;
  /** Registers an organisation and a client of the given role for it; returns the client's token. */
  organization(input: Record<string, unknown>, role?: 'planner' | 'partner' | 'compliance' | 'manager'): Promise<{ id: string; token: string; webhookSecret?: string }>;
  /** Another client of the same organisation, of another role. */
  client(organizationId: string, role: 'planner' | 'partner' | 'compliance' | 'manager'): Promise<string>;
  /** The environment the hub runs with: its database, keys and queue prefix. */
  env: Record<string, string>;
  /**
   * The hub's decision clock: real time until the test moves it. Advance it past a consent's
   * period or an SLA deadline, then run the sweep, instead of sleeping. It survives `restart()`.
   */
  clock: TestClock;
  /**
   * Starts a new hub on the same database, keys and queue prefix, as after a restart (stopping the
   * current one first if the test has not). `running` and `api` then point at the new hub; tokens
   * issued before stay valid, since the signing keys are the same.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** `stop()` may be called by a test and again at teardown; the second call waits for the first. */
function stopOnce(running: RunningHub): RunningHub {
  let stopping: Promise<void> | undefined;
  return { ...running, stop: () => (stopping ??= running.stop()) };
}

/** `opts.logger`: where the hub logs, for a test that reads what it said (default: LOG_LEVEL, to stdout). */
export async function startTestHub(overrides: Record<string, string> = {}, opts: { logger?: Logger } = {}): Promise<TestHub> {
  const db = await createTestDatabase();
  const { env, adminKey } = await testEnv(db, overrides);
  const config = parseConfig(env);
  const logger = () => opts.logger ?? createLogger(config.LOG_LEVEL);
  const clock = new TestClock();
  let running = stopOnce(await startHub(config, logger(), { clock }));
  let api = new Api(running.url!, config.publicUrl);
  const adminToken = await api.token(config.HUB_ADMIN_CLIENT_ID, adminKey);

  async function client(organizationId: string, role: 'planner' | 'partner' | 'compliance' | 'manager') {
    const key = await generateClientKey('ES256');
    const created = await api.request('POST', '/v1/clients', { token: adminToken, body: { organizationId, role, jwks: key.publicJwks } });
    if (created.status !== 201) throw new Error(`client: ${created.status} ${JSON.stringify(created.body)}`);
    return api.token(created.body.clientId, key.privateJwk);
  }

  return {
    get running() {
      return running;
    },
    db,
    get api() {
      return api;
    },
    adminToken,
    client,
    env,
    clock,
    async restart() {
      await running.stop();
      running = stopOnce(await startHub(config, logger(), { clock }));
      api = new Api(running.url!, config.publicUrl);
    },
    async organization(input, role) {
      const created = await api.request('POST', '/v1/organizations', { token: adminToken, body: input });
      if (created.status !== 201) throw new Error(`organization: ${created.status} ${JSON.stringify(created.body)}`);
      const token = role ? await client(created.body.id, role) : '';
      return { id: created.body.id, token, webhookSecret: created.body.webhookSecret };
    },
    async stop() {
      await running.stop();
      await db.drop();
    },
  };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
