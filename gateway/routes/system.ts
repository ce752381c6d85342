import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { outboxBacklog } from '../../store/outbox.js';
import type { AppEnv } from '../context.js';
import type { Hub } from '../../services/hub.js';
import { PUBLIC } from '../openapi.js';

const STALL_FACTOR = 3;

/**
 * Liveness, readiness, metrics and the API docs. The docs page serves Swagger UI's assets from
 * the installed package, not a CDN, so it works on an agency's closed network.
 */
export function registerSystemRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
  documentOperations(app);
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  // /metrics reports the same backlog /readyz judges, from the same query.
  hub.metrics.watchBacklog({
    outbox: () => outboxBacklog(hub.sql),
    jobs: () => hub.deliveries.getJobCounts('waiting', 'active', 'delayed'),
  });

  app.get('/readyz', async (c) => {
    const [outbox, redis] = await Promise.all([
      outboxBacklog(hub.sql).catch(() => undefined),
      // A Redis that is away queues commands rather than failing them: bound the wait.
      Promise.race([hub.redis.ping().then((r) => r === 'PONG', () => false), new Promise<boolean>((resolve) => setTimeout(resolve, 1000, false))]),
    ]);
    const backlog = outbox?.oldestDueSeconds;
    const postgres = outbox !== undefined;
    // A worker that silently stopped consuming shows as a due delivery nobody picked up: in a
    // process that runs the workers, that makes it unready (docs/operations.md, "Pitfalls").
    const consuming = hub.config.HUB_ROLE === 'gateway' || !postgres || backlog! < STALL_FACTOR * hub.config.HUB_RELAY_LEASE_SECONDS;
    const ready = postgres && redis && consuming;
    return c.json(
      { status: ready ? 'ready' : 'unavailable', postgres, redis, deliveries: { oldestDueSeconds: backlog ?? null, due: outbox?.due ?? null, scheduled: outbox?.scheduled ?? null, consuming } },
      ready ? 200 : 503,
    );
  });

  app.get('/metrics', async (c) => {
    c.header('content-type', hub.metrics.registry.contentType);
    return c.body(await hub.metrics.registry.metrics());
  });

  const assetsDir = getAbsoluteFSPath();
  const assets: Record<string, string> = {
    'swagger-ui.css': 'text/css; charset=utf-8',
    'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  };
  app.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    const type = assets[file];
    if (!type) return c.notFound();
    c.header('content-type', type);
    c.header('cache-control', 'public, max-age=86400');
    return c.body(await readFile(path.join(assetsDir, file)));
  });
  app.get('/docs', (c) => {
    // Swagger UI needs inline script; the default secure-headers CSP does not apply to this page.
    return c.html(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Referral hub API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui' });</script>
</body></html>`);
  });
}

const Health = z.object({ status: z.literal('ok').openapi({ description: 'Always `ok`: the process answers.' }) }).openapi('Health');
const Readiness = z
  .object({
    status: z.enum(['ready', 'unavailable']).openapi({ description: '`ready` (200) when PostgreSQL and Redis answer and, in a process that runs the workers, due deliveries are being picked up; else `unavailable` (503).' }),
    postgres: z.boolean().openapi({ description: 'PostgreSQL answered.' }),
    redis: z.boolean().openapi({ description: 'Redis answered within a second.' }),
    deliveries: z
      .object({
        oldestDueSeconds: z.number().nullable().openapi({ description: 'Age in seconds of the oldest delivery that is due and not done (0 when none is); `null` when PostgreSQL did not answer.' }),
        due: z.number().int().nullable().openapi({ description: 'Outbox rows due for delivery now and not done; `null` when PostgreSQL did not answer.' }),
        scheduled: z.number().int().nullable().openapi({ description: 'Outbox rows waiting for a later retry; `null` when PostgreSQL did not answer.' }),
        consuming: z.boolean().openapi({ description: '`false` when a due delivery has waited longer than three relay leases in a process that runs the workers: a stalled worker.' }),
      })
      .openapi({ description: 'Whether deliveries are moving.' }),
  })
  .openapi('Readiness');

/** The operational routes are plain handlers (their answers are not JSON API bodies); these are their entries in the reference. */
function documentOperations(app: OpenAPIHono<AppEnv>) {
  const tags = ['Operations'];
  const ready = { status: 'ready', postgres: true, redis: true, deliveries: { oldestDueSeconds: 0, due: 0, scheduled: 0, consuming: true } };
  app.openAPIRegistry.registerPath({
    method: 'get', path: '/healthz', tags, operationId: 'getHealth', security: [],
    summary: 'Liveness: the process answers',
    description: `For a liveness probe: 200 as long as the process serves HTTP, whatever the state of PostgreSQL or Redis (see \`/readyz\`).\n\n${PUBLIC}`,
    responses: { 200: { description: 'Alive', content: { 'application/json': { schema: Health, example: { status: 'ok' } } } } },
  });
  app.openAPIRegistry.registerPath({
    method: 'get', path: '/readyz', tags, operationId: 'getReadiness', security: [],
    summary: 'Readiness: PostgreSQL and Redis reachable, deliveries moving',
    description: `For a readiness probe or a load balancer: 503 while this process cannot do its work.\n\n${PUBLIC}`,
    responses: {
      200: { description: 'Ready', content: { 'application/json': { schema: Readiness, example: ready } } },
      503: { description: 'Not ready: the body says which part is missing', content: { 'application/json': { schema: Readiness, example: { status: 'unavailable', postgres: false, redis: true, deliveries: { oldestDueSeconds: null, due: null, scheduled: null, consuming: true } } } } },
    },
  });
  app.openAPIRegistry.registerPath({
    method: 'get', path: '/metrics', tags, operationId: 'getMetrics', security: [],
    summary: 'Prometheus metrics',
    description: `The hub’s counters and gauges (\`hub_*\`: HTTP requests and their duration by route, delivery attempts by outcome, deliveries per partner by outcome, outbox relays and job-id collisions, outbox backlog (\`hub_outbox_pending\`, \`hub_delivery_oldest_due_seconds\`, \`hub_delivery_jobs\`), consent decisions by direction and outcome, disclosures by channel) and the Node.js process metrics, in the Prometheus text format. Labels carry no case data and no participant.\n\n${PUBLIC}`,
    responses: {
      200: {
        description: 'The metrics',
        content: {
          'text/plain': {
            schema: z.string().openapi({ description: 'Prometheus text exposition format 0.0.4.' }),
            example: '# HELP hub_disclosures_total Recorded disclosures by channel\n# TYPE hub_disclosures_total counter\nhub_disclosures_total{channel="delivery"} 1\n',
          },
        },
      },
    },
  });
  app.openAPIRegistry.registerPath({
    method: 'get', path: '/docs', tags: ['Discovery'], operationId: 'getDocs', security: [],
    summary: 'This reference, rendered (Swagger UI)',
    description: `An HTML page that renders \`/openapi.json\`. Its scripts and styles are served by the hub itself, so it works on a closed network. \`/docs/\` redirects here.\n\n${PUBLIC}`,
    responses: { 200: { description: 'The page', content: { 'text/html': { schema: z.string().openapi({ description: 'An HTML page.' }) } } } },
  });
  // Served by the app itself (gateway/app.ts), which holds every route declaration.
  app.openAPIRegistry.registerPath({
    method: 'get', path: '/openapi.json', tags: ['Discovery'], operationId: 'getOpenApiDocument', security: [],
    summary: 'This reference, as an OpenAPI 3.1 document',
    description: `Generated from the same schemas that validate requests, so it describes what the hub actually accepts and answers.\n\n${PUBLIC}`,
    responses: { 200: { description: 'The OpenAPI document', content: { 'application/json': { schema: z.record(z.string(), z.unknown()).openapi({ description: 'An OpenAPI 3.1 document.' }) } } } },
  });
}
