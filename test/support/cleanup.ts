import { Redis } from 'ioredis';

/**
 * What a test file leaves on shared servers, removed when the file finishes (after-file.ts):
 * each queue prefix it used holds a few dozen Redis keys, and Redis outlives every test run.
 * Test modules are loaded afresh for each file, so this set is the file's own.
 */
const prefixes = new Set<string>();

export function removeAfterFile(queuePrefix: string): void {
  prefixes.add(queuePrefix);
}

/** Deletes every key under `prefix:` on `redisUrl`; answers how many there were. */
export async function deleteQueueKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: true });
  try {
    await redis.connect();
    let removed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) removed += await redis.unlink(...keys);
    } while (cursor !== '0');
    return removed;
  } finally {
    redis.disconnect();
  }
}

/** Runs once the file's own afterAll hooks have stopped its hubs. */
export async function cleanUpFile(redisUrl: string): Promise<void> {
  const used = [...prefixes];
  prefixes.clear();
  for (const prefix of used) await deleteQueueKeys(redisUrl, prefix);
}
