import type { Redis } from 'ioredis';

/**
 * Per-partner delivery limits, so that one slow or flooded partner cannot take every worker slot
 * from the others: at most `concurrency` deliveries in flight per partner across all workers, and
 * at most `perSecond` started per second. Held in Redis so every worker process shares them; an
 * in-flight slot expires on its own if its worker dies.
 */
const ACQUIRE = `
local inflight, rate = KEYS[1], KEYS[2]
local now, ttl, holder = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local limit, perSecond = tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', inflight, '-inf', now)
if limit > 0 and redis.call('ZCARD', inflight) >= limit then return 0 end
if perSecond > 0 then
  local started = redis.call('INCR', rate)
  if started == 1 then redis.call('PEXPIRE', rate, 1000) end
  if started > perSecond then return -1 end
end
redis.call('ZADD', inflight, now + ttl, holder)
redis.call('PEXPIRE', inflight, ttl * 2)
return 1`;

export type Slot = { ok: true; release(): Promise<void> } | { ok: false; retryInMs: number };

export class PartnerLimits {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly concurrency: number,
    private readonly perSecond: number,
  ) {}

  async tryAcquire(partnerId: string, holder: string, ttlMs: number): Promise<Slot> {
    // Each `0` turns off its own limit only: no concurrency cap still keeps the per-second one.
    if (this.concurrency <= 0 && this.perSecond <= 0) return { ok: true, release: async () => {} };
    const inflight = `${this.prefix}:partner:${partnerId}:inflight`;
    const second = Math.floor(Date.now() / 1000);
    const rate = `${this.prefix}:partner:${partnerId}:started:${second}`;
    const result = Number(await this.redis.eval(ACQUIRE, 2, inflight, rate, Date.now(), ttlMs, holder, this.concurrency, this.perSecond));
    if (result === 1) return { ok: true, release: async () => void (await this.redis.zrem(inflight, holder)) };
    // Full: try again shortly, with jitter so waiting jobs do not all wake at once.
    const base = result === -1 ? 1000 - (Date.now() % 1000) : 250;
    return { ok: false, retryInMs: base + Math.floor(Math.random() * 250) };
  }
}
