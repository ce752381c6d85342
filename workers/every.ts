import type { Hub } from '../services/hub.js';

/**
 * Runs `task` every `everyMs`, never two at once in this process; a failure is logged and the next
 * tick tries again. `stop()` lets a run in progress commit or roll back before the connections close.
 */
export function runEvery(hub: Pick<Hub, 'logger'>, what: string, everyMs: number, task: () => Promise<unknown>): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = task()
      .catch((error: Error) => hub.logger.warn({ err: error.message }, `${what} failed; will retry`))
      .finally(() => (running = undefined));
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
