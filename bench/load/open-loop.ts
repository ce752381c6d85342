import { setMaxListeners } from 'node:events';
import { Pool } from 'undici';
import { latencySummary } from '../lib/stats.js';
import { send } from './closed-loop.js';
import type { OpenLoopJob, OpenLoopResult } from './plan.js';
import { startWebhookSink } from './webhook-sink.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Open loop at a fixed arrival rate: request i is due at start + i/rate whatever happened to
 * the ones before, and its latency runs from that intended time, so a hub that falls behind is
 * charged for the queue it causes (no coordinated omission). Latency ends when the partner's
 * webhook endpoint has the referral with a valid signature.
 */
export async function openLoop(job: OpenLoopJob): Promise<OpenLoopResult> {
  const arrivals = new Map<string, number>();
  const sinks = await Promise.all(job.sinks.map((s) => startWebhookSink(s.port, s.secret, arrivals)));
  const perOrigin = Math.max(1, Math.ceil(job.connections / job.origins.length));
  const pools = job.origins.map((origin) => new Pool(origin, { connections: perOrigin, pipelining: 1, keepAliveTimeout: 60_000 }));
  const abort = new AbortController();
  // One signal aborts every request still open at the deadline: thousands of listeners by design.
  setMaxListeners(0, abort.signal);
  const accepted = new Map<string, number>();
  const postLatencies: number[] = [];
  const statuses: Record<string, number> = {};
  let firstError: string | undefined;
  let settled = 0;
  const total = Math.round(job.rate * job.seconds);
  const interval = 1000 / job.rate;

  const fire = async (i: number, intended: number) => {
    try {
      const { status, text } = await send(pools[i % pools.length]!, job.plan, abort.signal);
      postLatencies.push(performance.now() - intended);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === job.plan.expectStatus) accepted.set((JSON.parse(text) as { id: string }).id, intended);
      else firstError ??= `HTTP ${status}: ${text.slice(0, 300)}`;
    } catch (error) {
      const kind = abort.signal.aborted ? 'unanswered' : 'network';
      statuses[kind] = (statuses[kind] ?? 0) + 1;
      if (kind === 'network') firstError ??= (error as Error).message;
    } finally {
      settled += 1;
    }
  };

  const start = performance.now() + 50;
  let next = 0;
  while (next < total) {
    const now = performance.now();
    while (next < total && start + next * interval <= now) {
      void fire(next, start + next * interval);
      next += 1;
    }
    await sleep(1);
  }
  const loadEnd = start + total * interval;
  const deadline = loadEnd + job.drainSeconds * 1000;
  const allArrived = () => [...accepted.keys()].every((id) => arrivals.has(id));
  while (performance.now() < deadline && !(settled === total && allArrived())) await sleep(50);
  abort.abort();
  while (settled < total) await sleep(10);

  const latencies: number[] = [];
  let lastArrival = 0;
  let delivered = 0;
  for (const [id, intended] of accepted) {
    const at = arrivals.get(id);
    if (at === undefined) latencies.push(Number.POSITIVE_INFINITY);
    else {
      delivered += 1;
      latencies.push(at - intended);
      lastArrival = Math.max(lastArrival, at);
    }
  }
  // A request never accepted never arrived either: it counts against the latency too.
  for (let i = accepted.size; i < total; i++) latencies.push(Number.POSITIVE_INFINITY);
  const { p50, p99, max } = latencySummary(latencies);
  const everything = delivered === total;
  await Promise.all([...pools.map((p) => p.destroy()), ...sinks.map((s) => s.close())]);
  return {
    kind: 'open',
    rate: job.rate,
    offered: total,
    accepted: accepted.size,
    errors: total - accepted.size,
    statuses,
    delivered,
    deliveredPerSecond: delivered / (Math.max(lastArrival, loadEnd) - start) * 1000,
    p50Ms: p50,
    p99Ms: p99,
    maxMs: max,
    postP99Ms: latencySummary(postLatencies).p99,
    drainSeconds: everything ? Math.max(0, (lastArrival - loadEnd) / 1000) : null,
    invalidSignatures: sinks.reduce((n, s) => n + s.invalid, 0),
    duplicates: sinks.reduce((n, s) => n + s.duplicates, 0),
    ...(firstError ? { firstError } : {}),
  };
}
