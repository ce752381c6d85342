import { sweepConsents } from '../services/consent-expiry.js';
import type { Hub } from '../services/hub.js';
import { runEvery } from './every.js';

/** Consents change with time: every few seconds, the consent-expiry use case runs (one sweeper at a time, by lock). */
export function startConsentSweep(hub: Hub, everyMs = 5000): { stop(): Promise<void> } {
  return runEvery(hub, 'consent sweep', everyMs, () => sweepConsents(hub));
}
