import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

/**
 * Starts a floor app on 127.0.0.1 and tells the parent which port it got (one JSON line on
 * stdout), as the hub's own processes are found by their readiness.
 */
export function serveFloor(app: Hono, port = Number(process.env.PORT ?? 0)): void {
  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
    process.stdout.write(`${JSON.stringify({ ready: true, port: info.port })}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
