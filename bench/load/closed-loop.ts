import { Pool } from 'undici';
import { latencySummary } from '../lib/stats.js';
import type { ClosedLoopJob, ClosedLoopResult, RequestPlan } from './plan.js';

const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)]!;

/**
 * Closed loop for throughput: each connection sends its next request as soon as the previous
 * one is answered. Keep-alive, no pipelining, one undici Pool per gateway.
 */
export async function closedLoop(job: ClosedLoopJob): Promise<ClosedLoopResult> {
  const perOrigin = Math.max(1, Math.ceil(job.connections / job.origins.length));
  const pools = job.origins.map((origin) => new Pool(origin, { connections: perOrigin, pipelining: 1, keepAliveTimeout: 60_000 }));
  try {
    const warmup = job.warmupSeconds > 0 ? await phase(pools, job, job.warmupSeconds, Math.ceil(job.maxRequests / 4)) : undefined;
    return { ...(await phase(pools, job, job.seconds, job.maxRequests)), warmupRequests: warmup?.requests ?? 0 };
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
}

async function phase(pools: Pool[], job: ClosedLoopJob, seconds: number, maxRequests: number): Promise<Omit<ClosedLoopResult, 'warmupRequests'>> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let requests = 0;
  let ok = 0;
  let sample: unknown;
  let firstError: string | undefined;
  const started = performance.now();
  const end = started + seconds * 1000;

  async function connection(index: number): Promise<void> {
    const pool = pools[index % pools.length]!;
    while (performance.now() < end && requests < maxRequests) {
      requests += 1;
      const t0 = performance.now();
      try {
        const { status, text } = await send(pool, job.plan);
        latencies.push(performance.now() - t0);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === job.plan.expectStatus) {
          ok += 1;
          sample ??= JSON.parse(text);
        } else firstError ??= `HTTP ${status}: ${text.slice(0, 300)}`;
      } catch (error) {
        statuses.network = (statuses.network ?? 0) + 1;
        firstError ??= (error as Error).message;
      }
    }
  }
  await Promise.all(Array.from({ length: job.connections }, (_, i) => connection(i)));
  const elapsed = (performance.now() - started) / 1000;
  const { p50, p99, max } = latencySummary(latencies);
  return { requests, ok, errors: requests - ok, statuses, seconds: elapsed, perSecond: ok / elapsed, p50Ms: p50, p99Ms: p99, maxMs: max, sample, ...(firstError ? { firstError } : {}) };
}

export async function send(pool: Pool, plan: RequestPlan, signal?: AbortSignal): Promise<{ status: number; text: string }> {
  const body = plan.bodies ? pick(plan.bodies) : undefined;
  const response = await pool.request({
    method: plan.method,
    path: pick(plan.paths),
    headers: body ? { ...plan.headers, 'content-type': 'application/json' } : plan.headers,
    body,
    ...(signal ? { signal } : {}),
  });
  return { status: response.statusCode, text: await response.body.text() };
}
