import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { outboxBacklog } from '../../store/outbox.js';
import type { AppEnv, Hub } from '../context.js';

const STALL_FACTOR = 3;

/**
 * Liveness, readiness, metrics and the API docs. The docs page serves Swagger UI's assets from
 * the installed package, not a CDN, so it works on an agency's closed network.
 */
export function registerSystemRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
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
    // process that runs the workers, that makes it unready (NOTES.md, BullMQ pitfalls).
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
