import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What is waiting to be delivered, read when /metrics is scraped (see `watchBacklog`). */
export interface BacklogSource {
  /** Outbox rows not yet done, from PostgreSQL (the record). */
  outbox(): Promise<{ due: number; scheduled: number; oldestDueSeconds: number }>;
  /** Delivery jobs in Redis, by BullMQ state. */
  jobs(): Promise<Record<string, number>>;
}

/** A scrape must answer even when PostgreSQL or Redis does not: their gauges then read NaN. */
const SOURCE_TIMEOUT_MS = 1000;
const JOB_STATES = ['waiting', 'active', 'delayed'] as const;

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Consent decisions are taken in services/decisions.ts, which is handed a store of consent bases
 * rather than the hub, so this one counter belongs to the process and every hub's registry shows
 * it. A deployed process runs one hub, whose /metrics then counts exactly its own decisions.
 */
const consentDecisions = new Counter({
  name: 'hub_consent_decisions_total',
  help: "Consent decisions taken, by direction (to_partner: the hub's case file to a recipient; from_partner: what a partner reported, to the referrer) and outcome (permit: every category, partial, deny: none)",
  labelNames: ['direction', 'outcome'] as const,
  registers: [],
});

/** Counts one decision of the consent engine, and hands it back unchanged. */
export function countDecision<D extends { request: { source?: unknown }; permitted: readonly unknown[]; denied: readonly unknown[] }>(decision: D): D {
  const outcome = decision.permitted.length === 0 ? 'deny' : decision.denied.length === 0 ? 'permit' : 'partial';
  consentDecisions.inc({ direction: decision.request.source ? 'from_partner' : 'to_partner', outcome });
  return decision;
}

/** Prometheus metrics, one registry per process (tests create several hubs in one process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registry.registerMetric(consentDecisions);

  let source: BacklogSource | undefined;
  // The two outbox gauges are collected together on every scrape: one query serves both.
  let outboxRead: Promise<Awaited<ReturnType<BacklogSource['outbox']>> | undefined> | undefined;
  const readOutbox = () =>
    (outboxRead ??= (source ? within(source.outbox(), SOURCE_TIMEOUT_MS).catch(() => undefined) : Promise.resolve(undefined)).finally(() => {
      outboxRead = undefined;
    }));

  return {
    registry,
    httpRequests: new Counter({
      name: 'hub_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'hub_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'hub_deliveries_total',
      help: 'Delivery attempts by adapter and outcome',
      labelNames: ['adapter', 'outcome'] as const,
      registers: [registry],
    }),
    partnerDeliveries: new Counter({
      name: 'hub_partner_deliveries_total',
      help: 'Delivery attempts by recipient organisation, message kind and what came of them: delivered, retry (another attempt scheduled), failed (given up), held (no consent permits it now), skipped (the referral no longer waits for it)',
      labelNames: ['partner', 'kind', 'outcome'] as const,
      registers: [registry],
    }),
    partnerLimitWaits: new Counter({
      name: 'hub_partner_limit_waits_total',
      help: 'Delivery jobs put back to wait because their partner was at its concurrency or per-second limit (only partners the hub sends to have limits)',
      registers: [registry],
    }),
    relayed: new Counter({ name: 'hub_outbox_relayed_total', help: 'Outbox rows moved to the queue', registers: [registry] }),
    jobIdCollisions: new Counter({
      name: 'hub_relay_job_id_collisions_total',
      help: 'Delivery jobs BullMQ did not add because Redis already held a job under the same id (the relay queued those rows again under new ids)',
      registers: [registry],
    }),
    disclosures: new Counter({
      name: 'hub_disclosures_total',
      help: 'Recorded disclosures by channel',
      labelNames: ['channel'] as const,
      registers: [registry],
    }),
    outboxPending: new Gauge({
      name: 'hub_outbox_pending',
      help: 'Deliveries not yet done, by state: due (waiting for the relay or a worker, or being sent) or scheduled (waiting for a retry). NaN when PostgreSQL does not answer',
      labelNames: ['state'] as const,
      registers: [registry],
      async collect() {
        const backlog = await readOutbox();
        this.set({ state: 'due' }, backlog?.due ?? Number.NaN);
        this.set({ state: 'scheduled' }, backlog?.scheduled ?? Number.NaN);
      },
    }),
    oldestDue: new Gauge({
      name: 'hub_delivery_oldest_due_seconds',
      help: 'How long the oldest due delivery has been waiting, in seconds (0 when none is due); a value that keeps growing means no worker is consuming. NaN when PostgreSQL does not answer',
      registers: [registry],
      async collect() {
        this.set((await readOutbox())?.oldestDueSeconds ?? Number.NaN);
      },
    }),
    queuedJobs: new Gauge({
      name: 'hub_delivery_jobs',
      help: 'Delivery jobs in Redis by BullMQ state. NaN when Redis does not answer',
      labelNames: ['state'] as const,
      registers: [registry],
      async collect() {
        const counts = source ? await within(source.jobs(), SOURCE_TIMEOUT_MS).catch(() => undefined) : undefined;
        for (const state of JOB_STATES) this.set({ state }, counts?.[state] ?? Number.NaN);
      },
    }),
    /** Where the backlog gauges read from; set once the hub's database and queue exist. */
    watchBacklog(backlog: BacklogSource) {
      source = backlog;
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
