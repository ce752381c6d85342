import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import type { AppEnv, Hub } from '../context.js';

const STALL_FACTOR = 3;

async function oldestDueDeliverySeconds(hub: Hub): Promise<number> {
  const [row] = await hub.sql<{ seconds: number | null }[]>`
    SELECT extract(epoch FROM now() - min(available_at))::float8 AS seconds FROM outbox WHERE done_at IS NULL AND available_at <= now()`;
  return row?.seconds ?? 0;
}

/**
 * Liveness, readiness, metrics and the API docs. The docs page serves Swagger UI's assets from
 * the installed package, not a CDN, so it works on an agency's closed network.
 */
export function registerSystemRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    const [backlog, redis] = await Promise.all([
      oldestDueDeliverySeconds(hub).catch(() => undefined),
      // A Redis that is away queues commands rather than failing them: bound the wait.
      Promise.race([hub.redis.ping().then((r) => r === 'PONG', () => false), new Promise<boolean>((resolve) => setTimeout(resolve, 1000, false))]),
    ]);
    const postgres = backlog !== undefined;
    // A worker that silently stopped consuming shows as a due delivery nobody picked up: in a
    // process that runs the workers, that makes it unready (NOTES.md, BullMQ pitfalls).
    const consuming = hub.config.HUB_ROLE === 'gateway' || !postgres || backlog! < STALL_FACTOR * hub.config.HUB_RELAY_LEASE_SECONDS;
    const ready = postgres && redis && consuming;
    return c.json(
      { status: ready ? 'ready' : 'unavailable', postgres, redis, deliveries: { oldestDueSeconds: backlog ?? null, consuming } },
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
