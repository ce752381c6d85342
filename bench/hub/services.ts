import { Queue } from 'bullmq';
import { DELIVERY_QUEUE } from '../../lib/queues.js';
import { Redis } from 'ioredis';
import postgres from 'postgres';

export const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh database for one run (`bench_<timestamp>`), dropped at the end whatever happened. */
export async function createBenchDatabase(name: string): Promise<string> {
  if (!/^bench_[0-9a-z_]+$/.test(name)) throw new Error(`not a bench database name: ${name}`);
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropBenchDatabase(name: string): Promise<void> {
  if (!/^bench_[0-9a-z_]+$/.test(name)) return;
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Deletes the run's queue keys (its own HUB_QUEUE_PREFIX), leaving every other prefix alone. */
export async function deleteQueueKeys(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = nextCursor;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export async function serviceVersions(): Promise<{ postgres: string; redis: string }> {
  const sql = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const [row] = await sql<{ server_version: string }[]>`SHOW server_version`;
    const info = await redis.info('server');
    return { postgres: row!.server_version, redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown' };
  } finally {
    await sql.end();
    redis.disconnect();
  }
}

/** Delivery jobs still in Redis under `prefix` (waiting, active, delayed), for `settle`. */
export function deliveryJobCounter(prefix: string): { left(): Promise<number>; close(): Promise<void> } {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(DELIVERY_QUEUE, { connection, prefix });
  return {
    async left() {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).reduce((a, b) => a + b, 0);
    },
    async close() {
      await queue.close();
      connection.disconnect();
    },
  };
}
