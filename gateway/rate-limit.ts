import type { MiddlewareHandler } from 'hono';
import type { Redis } from 'ioredis';
import { HubError } from '../lib/errors.js';
import type { AppEnv } from './context.js';

/**
 * Rate limits in one-second windows counted in Redis, so that every gateway replica shares the
 * count. When Redis cannot answer, requests pass: the limit protects the hub, it is not a reason
 * to refuse a referral (or a token).
 */
const REDIS_WAIT_MS = 200;
/** A window is one second: whoever is over the limit may try again in the next one. */
export const RETRY_AFTER_SECONDS = 1;

/** Counts one request under `name` in the current second; undefined when Redis did not answer in time. */
export async function countThisSecond(redis: Redis, prefix: string, name: string): Promise<number | undefined> {
  const key = `${prefix}:ratelimit:${name}:${Math.floor(Date.now() / 1000)}`;
  try {
    // A Redis that is away queues commands instead of failing them: wait briefly, then pass.
    const counted = redis.multi().incr(key).expire(key, 2).exec() as Promise<[[Error | null, number], unknown]>;
    const result = await Promise.race([counted, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), REDIS_WAIT_MS).unref())]);
    if (!result) {
      counted.catch(() => {});
      return undefined;
    }
    return result[0][1];
  } catch {
    return undefined;
  }
}

/** Per-client limit on `/v1`: `perSecond` requests per second for each authenticated client. */
export function rateLimit(redis: Redis, prefix: string, perSecond: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (perSecond <= 0) return next();
    const count = await countThisSecond(redis, prefix, c.get('caller').clientId);
    if (count !== undefined && count > perSecond) {
      throw new HubError(429, 'Too Many Requests', `over the limit of ${perSecond} requests per second for this client`, undefined, undefined, {
        'retry-after': String(RETRY_AFTER_SECONDS),
      });
    }
    return next();
  };
}

/**
 * The key one source address is counted under. IPv6 hosts are counted by their /64, which one
 * subscriber usually holds whole (counting single addresses would let it rotate through them);
 * IPv4-mapped IPv6 is the IPv4 address it carries.
 */
export function addressBucket(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.split('%')[0]!.toLowerCase().split('::') as [string, string | undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'), ...tailGroups];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
