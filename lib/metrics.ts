import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics, one registry per process (tests create several hubs in one process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
    relayed: new Counter({ name: 'hub_outbox_relayed_total', help: 'Outbox rows moved to the queue', registers: [registry] }),
    disclosures: new Counter({
      name: 'hub_disclosures_total',
      help: 'Recorded disclosures by channel',
      labelNames: ['channel'] as const,
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
