import type { Config } from '../config/config.js';

/**
 * The one line `npm start` logs once everything runs: which database, Redis and queue prefix
 * this hub joined (two hubs sharing all three share their deliveries), and where to look next.
 */
export interface StartupSummary {
  role: Config['HUB_ROLE'];
  database: string;
  redis: string;
  redisDb: number;
  queuePrefix: string;
  /** Only when this process runs the gateway. */
  urls?: { api: string; docs: string; openapi: string; console?: string };
  /** Outside production: the command that creates the first console admin. */
  firstAdmin?: string;
}

/** A connection URL safe to log: the password is dropped, the user kept (it helps to see it). */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** Redis' logical database: the path of `redis://host:port/<db>`, 0 when absent. */
export function redisDb(url: string): number {
  const path = new URL(url).pathname.replace(/^\//, '');
  return path === '' ? 0 : Number(path);
}

export function startupSummary(input: {
  config: Config;
  databaseUrl: string;
  redisUrl: string;
  gateway: boolean;
  /**
   * Where the gateway serves a web console, once it has one; the route that serves it passes
   * its path here so that the start-up line names it.
   */
  consolePath?: string;
}): { fields: StartupSummary; message: string } {
  const { config } = input;
  const fields: StartupSummary = {
    role: config.HUB_ROLE,
    database: withoutPassword(input.databaseUrl),
    redis: withoutPassword(input.redisUrl),
    redisDb: redisDb(input.redisUrl),
    queuePrefix: config.HUB_QUEUE_PREFIX,
  };
  // The public URL, not the listening address: tokens name it as their audience, and the docs
  // page calls the API on the origin it was opened from.
  const base = config.publicUrl;
  if (input.gateway) {
    fields.urls = { api: base, docs: `${base}/docs`, openapi: `${base}/openapi.json` };
    if (input.consolePath) fields.urls.console = `${base}${input.consolePath}`;
    // Nobody can sign in to the console until an admin account exists; say how, where a developer reads it.
    if (config.NODE_ENV !== 'production') {
      fields.firstAdmin = `npm run hubctl -- staff create --role admin --name "Your Name" --email you@example.org --password "a long pass phrase" --url ${base}`;
    }
  }
  const message = fields.urls ? `hub ready: API reference at ${fields.urls.docs}` : 'hub ready (workers only)';
  return { fields, message };
}
