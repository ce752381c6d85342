/** What a load generator sends. Plain data: it crosses into the load process over IPC. */
export interface RequestPlan {
  method: 'GET' | 'POST';
  /** One is picked at random for each request (ids out of a population, so no cache sees one id). */
  paths: string[];
  /** For POST: one is picked at random for each request. */
  bodies?: string[];
  headers: Record<string, string>;
  /** The status every answer must have; anything else counts as an error. */
  expectStatus: number;
}

export interface ClosedLoopJob {
  kind: 'closed';
  /** Gateways to spread the connections over (one pool each). */
  origins: string[];
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /** A hard bound on requests, whatever the duration. */
  maxRequests: number;
  plan: RequestPlan;
}

export interface ClosedLoopResult {
  /** Sent in the measured phase; `warmupRequests` more were sent before it. */
  requests: number;
  warmupRequests: number;
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The first correct answer, for --smoke's checks. */
  sample: unknown;
  firstError?: string;
}

export interface WebhookSinkSpec {
  port: number;
  secret: string;
}

export interface OpenLoopJob {
  kind: 'open';
  origins: string[];
  connections: number;
  rate: number;
  seconds: number;
  /** How long after the last intended send to wait for answers and webhooks. */
  drainSeconds: number;
  plan: RequestPlan;
  sinks: WebhookSinkSpec[];
}

export interface OpenLoopResult {
  kind: 'open';
  rate: number;
  offered: number;
  accepted: number;
  errors: number;
  statuses: Record<string, number>;
  delivered: number;
  deliveredPerSecond: number;
  /** POST intended send time → verified webhook receipt; Infinity where it never arrived in the window. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  postP99Ms: number;
  /** From the last intended send to the last receipt; null when not everything arrived. */
  drainSeconds: number | null;
  invalidSignatures: number;
  duplicates: number;
  firstError?: string;
}

export type LoadJob = ClosedLoopJob | OpenLoopJob;
