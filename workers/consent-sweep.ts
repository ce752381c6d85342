import { sweepConsents } from '../services/consent-expiry.js';
import type { Hub } from '../services/hub.js';

/** Consents change with time: every few seconds, the consent-expiry use case runs (one sweeper at a time). */
export function startConsentSweep(hub: Hub, everyMs = 5000): { stop(): void } {
  const timer = setInterval(() => {
    sweepConsents(hub).catch((error: Error) => hub.logger.warn({ err: error.message }, 'consent sweep failed; will retry'));
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
