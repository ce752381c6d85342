import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type PrivateServer, tcpAnswers } from './proc.js';
import { startPrivatePostgres, stopPrivatePostgres } from './postgres.js';
import { startPrivateRedis, stopPrivateRedis } from './redis.js';

export { startPrivatePostgres, stopPrivatePostgres } from './postgres.js';
export { startPrivateRedis, stopPrivateRedis } from './redis.js';
export type { PrivateServer } from './proc.js';

export const DEFAULT_DATABASE_URL = 'postgres://localhost:5432/hub';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface LocalServicesOptions {
  /** DATABASE_URL as given; when set it is used as is, never probed or replaced. */
  databaseUrl?: string;
  /** REDIS_URL as given; same rule. */
  redisUrl?: string;
  /** Where private servers keep their data (the hub passes HUB_DATA_DIR, default `.hub`). */
  dataDir: string;
  log: (msg: string) => void;
}

export interface LocalServices {
  databaseUrl: string;
  redisUrl: string;
  /**
   * Stops the private servers this call started. Servers it merely reused are left running:
   * another hub process (say a HUB_ROLE=worker next to a gateway) may have started them and
   * still need them. `stopPrivateServices(dataDir)` stops them regardless.
   */
  stop(): Promise<void>;
}

/**
 * Development only (`npm start` outside production): find or start PostgreSQL and Redis so the
 * hub runs on a fresh machine with no configuration. Order of preference for each service:
 * the explicit URL; the standard local port, if something answers there; a private server in
 * dataDir, started from the machine's own binaries.
 */
export async function ensureLocalServices(opts: LocalServicesOptions): Promise<LocalServices> {
  const started: PrivateServer[] = [];
  const stop = async () => {
    // Sequentially and in reverse, so a failure to stop one still reports, after the other stops.
    const errors: unknown[] = [];
    for (const s of started.splice(0).reverse()) await s.stop().catch((e: unknown) => errors.push(e));
    if (errors.length) throw new AggregateError(errors, 'stopping private services failed');
  };
  const pick = async (explicit: string | undefined, fallback: string, port: number, start: () => Promise<PrivateServer>) => {
    if (explicit) return explicit;
    if (await tcpAnswers(port)) return fallback;
    await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
    const server = await start();
    if (!server.reused) started.push(server);
    return server.url;
  };
  try {
    const databaseUrl = await pick(opts.databaseUrl, DEFAULT_DATABASE_URL, 5432, () => startPrivatePostgres(opts.dataDir, opts.log));
    const redisUrl = await pick(opts.redisUrl, DEFAULT_REDIS_URL, 6379, () => startPrivateRedis(opts.dataDir, opts.log));
    return { databaseUrl, redisUrl, stop };
  } catch (err) {
    // Don't leave a half-started pair behind: the next start would find one server and not the other.
    await stop().catch(() => {});
    throw err;
  }
}

/** Stops any private servers in dataDir, whoever started them (a `dev:stop` script, tests). */
export async function stopPrivateServices(dataDir: string): Promise<void> {
  await stopPrivateRedis(path.resolve(dataDir, 'redis'));
  await stopPrivatePostgres(path.resolve(dataDir, 'pg'));
}
