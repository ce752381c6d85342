import type { Hub } from '../services/hub.js';
import { sweepSla } from '../services/sla-breaches.js';
import { runEvery } from './every.js';

/** Service-level timers: every few seconds the SLA-breach use case runs (one sweeper at a time, by lock). */
export function startSlaSweep(hub: Hub, everyMs = 5000): { stop(): Promise<void> } {
  return runEvery(hub, 'SLA sweep', everyMs, () => sweepSla(hub));
}
