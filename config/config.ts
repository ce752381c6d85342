import { readFileSync, existsSync } from 'node:fs';
import { z } from 'zod';

/**
 * The environment, parsed once at start-up. A bad variable stops the start with a message that
 * names it; nothing else in the code base reads `process.env`.
 */
const bool = z
  .enum(['true', 'false', '1', '0', ''])
  .transform((v) => v === 'true' || v === '1');

const EnvSchema = z.object({
  NODE_ENV: z.string().default('development'),
  HUB_ROLE: z.enum(['gateway', 'worker', 'all']).default('all'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Where the gateway listens: loopback outside production, every interface in production (containers). */
  HOST: z.string().min(1).optional(),
  HUB_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Other base URLs the hub is reached under (another DNS name, an internal address), comma-separated. */
  HUB_ALSO_PUBLIC_URLS: z
    .string()
    .default('')
    .transform((s, ctx) => {
      const urls = s.split(',').map((part) => part.trim()).filter(Boolean);
      for (const url of urls) {
        if (!z.url({ protocol: /^https?$/ }).safeParse(url).success || /[?#]/.test(url)) {
          ctx.addIssue({ code: 'custom', message: `not an http(s) base URL: ${url}` });
          return z.NEVER;
        }
      }
      return urls.map(withoutTrailingSlash);
    }),
  HUB_ADMIN_CLIENT_ID: z.string().min(1).default('hub-admin'),
  HUB_ADMIN_JWKS: z.string().optional(),
  HUB_ALLOW_PRIVATE_TARGETS: bool.default(false),
  HUB_RATE_LIMIT_RPS: z.coerce.number().min(0).default(100),
  HUB_SIGNING_JWKS: z.string().optional(),
  HUB_DATA_KEYS: z.string().optional(),
  HUB_DATA_DIR: z.string().default('.hub'),
  HUB_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  /** Seconds between delivery attempts; the Standard Webhooks schedule by default. */
  HUB_DELIVERY_SCHEDULE: z
    .string()
    .default('0,5,300,1800,7200,18000,36000,36000')
    .transform((s, ctx) => {
      const values = s.split(',').map((part) => Number(part.trim()));
      if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v < 0)) {
        ctx.addIssue({ code: 'custom', message: 'a comma-separated list of non-negative seconds' });
        return z.NEVER;
      }
      return values;
    }),
  HUB_DELIVERY_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  /** How often the worker walks the whole audit chain and records what it found (the console shows the latest walk). */
  HUB_AUDIT_VERIFY_SECONDS: z.coerce.number().int().min(10).default(900),
  /** How long a relayed outbox row may go unacknowledged before the relay enqueues it again. */
  HUB_RELAY_LEASE_SECONDS: z.coerce.number().positive().default(60),
  /** Deliveries in flight per partner across all workers, and started per second per partner (0: no limit). */
  HUB_PARTNER_CONCURRENCY: z.coerce.number().int().min(0).default(4),
  HUB_PARTNER_RPS: z.coerce.number().min(0).default(100),
  HUB_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(16),
  /** PostgreSQL connections per process; several processes share the server's max_connections. */
  HUB_DB_POOL_SIZE: z.coerce.number().int().min(2).max(500).default(20),
  HUB_QUEUE_PREFIX: z.string().regex(/^[a-zA-Z0-9_-]+$/).default('hub'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config extends Omit<Env, 'HUB_PUBLIC_URL' | 'HOST'> {
  production: boolean;
  HOST: string;
  /** The canonical base URL: the issuer of access tokens and what the SMART configuration names. */
  publicUrl: string;
  /**
   * Every base URL the hub answers on, `publicUrl` first: a client assertion may name the token
   * endpoint under any of them (see `answeringUrls`).
   */
  publicUrls: string[];
  /** Explicit URLs only: undefined means "use the local defaults, starting them if need be". */
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
}

export class ConfigError extends Error {}

export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  if (production) {
    for (const name of ['HUB_SIGNING_JWKS', 'HUB_DATA_KEYS', 'HUB_ADMIN_JWKS', 'DATABASE_URL', 'REDIS_URL'] as const) {
      if (!e[name]) throw new ConfigError(`${name} is required when NODE_ENV=production`);
    }
  }
  const publicUrl = withoutTrailingSlash(e.HUB_PUBLIC_URL ?? `http://localhost:${e.PORT}`);
  return {
    ...e,
    // A development hub (often started with HUB_ALLOW_PRIVATE_TARGETS=true) is not for other machines.
    HOST: e.HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
    production,
    publicUrl,
    publicUrls: answeringUrls(publicUrl, e.HUB_ALSO_PUBLIC_URLS, { production, port: e.PORT }),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
  };
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];
const isLoopbackHost = (hostname: string) => hostname === 'localhost' || hostname.endsWith('.localhost') || /^127\./.test(hostname) || hostname === '[::1]';

/**
 * The base URLs the hub answers on. `localhost`, `127.0.0.1` and `[::1]` are one machine but three
 * audiences to a JWT library, and the start log prints `127.0.0.1` while the default public URL
 * says `localhost`: so a loopback public URL also answers to its loopback twins on the same port,
 * and outside production so does the port the gateway listens on. In production a public URL on a
 * real name gets no loopback twins: an assertion made for a developer's hub is no good there.
 * `HUB_ALSO_PUBLIC_URLS` adds any other names, in every mode.
 */
export function answeringUrls(publicUrl: string, also: string[], opts: { production: boolean; port: number }): string[] {
  const urls = [publicUrl];
  const canonical = new URL(publicUrl);
  if (!opts.production || isLoopbackHost(canonical.hostname)) {
    for (const host of LOOPBACK_HOSTS) {
      const twin = new URL(publicUrl);
      twin.hostname = host;
      urls.push(withoutTrailingSlash(twin.toString()));
    }
  }
  if (!opts.production && opts.port !== 0) {
    for (const host of LOOPBACK_HOSTS) urls.push(`http://${host}:${opts.port}`);
  }
  urls.push(...also);
  return [...new Set(urls)];
}

/** Variables that take "JSON text, or a path to a file holding it". */
export function readJsonOrFile(name: string, value: string): unknown {
  const text = value.trim().startsWith('{') ? value : existsSync(value) ? readFileSync(value, 'utf8') : undefined;
  if (text === undefined) throw new ConfigError(`${name}: neither JSON text nor a readable file: ${value}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(`${name}: not valid JSON`);
  }
}
