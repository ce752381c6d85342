import type { MiddlewareHandler } from 'hono';
import type { Redis } from 'ioredis';
import { HubError } from '../lib/errors.js';
import type { AppEnv } from './context.js';

/**
 * Per-client rate limit, one-second windows counted in Redis so that every gateway replica
 * shares the count. When Redis cannot answer, requests pass: the limit protects the hub, it is
 * not a reason to refuse a referral.
 */
const REDIS_WAIT_MS = 200;

export function rateLimit(redis: Redis, prefix: string, perSecond: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (perSecond <= 0) return next();
    const second = Math.floor(Date.now() / 1000);
    const key = `${prefix}:ratelimit:${c.get('caller').clientId}:${second}`;
    let count = 0;
    try {
      // A Redis that is away queues commands instead of failing them: wait briefly, then pass.
      const counted = redis.multi().incr(key).expire(key, 2).exec() as Promise<[[Error | null, number], unknown]>;
      const result = await Promise.race([counted, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), REDIS_WAIT_MS).unref())]);
      if (!result) {
        counted.catch(() => {});
        return next();
      }
      count = result[0][1];
    } catch {
      return next();
    }
    if (count > perSecond) {
      throw new HubError(429, 'Too Many Requests', `over the limit of ${perSecond} requests per second for this client`, undefined, undefined, {
        'retry-after': '1',
      });
    }
    return next();
  };
}
