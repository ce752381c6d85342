import type { Hub } from '../services/hub.js';
import { sweepSla } from '../services/sla-breaches.js';

export function startSlaSweep(hub: Hub, everyMs = 5000): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = sweepSla(hub)
      .catch((error: Error) => hub.logger.warn({ err: error.message }, 'SLA sweep failed; will retry'))
      .finally(() => (running = undefined));
  }, everyMs);
  timer.unref();
  return {
    // Lets a sweep in progress commit or roll back before the connections close.
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
