import { describe, expect, it } from 'vitest';
import { countDecision, createMetrics } from '../../lib/metrics.js';
import { parseMetrics } from '../support/metrics.js';

const value = (text: string, name: string, labels: Record<string, string> = {}) =>
  parseMetrics(text).find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('the backlog gauges', () => {
  it('read the outbox once per scrape for both of its gauges', async () => {
    const metrics = createMetrics();
    let reads = 0;
    metrics.watchBacklog({
      outbox: async () => {
        reads += 1;
        return { due: 4, scheduled: 2, oldestDueSeconds: 7.5 };
      },
      jobs: async () => ({ waiting: 3, active: 1, delayed: 0 }),
    });
    const text = await metrics.registry.metrics();
    expect(reads).toBe(1);
    expect(value(text, 'hub_outbox_pending', { state: 'due' })).toBe(4);
    expect(value(text, 'hub_outbox_pending', { state: 'scheduled' })).toBe(2);
    expect(value(text, 'hub_delivery_oldest_due_seconds')).toBe(7.5);
    expect(value(text, 'hub_delivery_jobs', { state: 'waiting' })).toBe(3);
    expect(value(text, 'hub_delivery_jobs', { state: 'active' })).toBe(1);
    await metrics.registry.metrics();
    expect(reads, 'a later scrape reads again').toBe(2);
  });

  it('read NaN, and the scrape still answers, when PostgreSQL fails and Redis does not answer', async () => {
    const metrics = createMetrics();
    metrics.watchBacklog({
      outbox: () => Promise.reject(new Error('connection refused')),
      jobs: () => new Promise<never>(() => {}),
    });
    const text = await metrics.registry.metrics();
    expect(value(text, 'hub_outbox_pending', { state: 'due' })).toBeNaN();
    expect(value(text, 'hub_delivery_oldest_due_seconds')).toBeNaN();
    expect(value(text, 'hub_delivery_jobs', { state: 'waiting' })).toBeNaN();
    expect(value(text, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
  });
});

describe('the consent decision counter', () => {
  const decision = (permitted: string[], denied: string[], source?: { id: string }) => ({ request: { source }, permitted, denied });

  it('counts by direction and by how much the decision permits', async () => {
    const metrics = createMetrics();
    const read = async (labels: Record<string, string>) => value(await metrics.registry.metrics(), 'hub_consent_decisions_total', labels) ?? 0;
    const before = { partial: await read({ direction: 'to_partner', outcome: 'partial' }), deny: await read({ direction: 'from_partner', outcome: 'deny' }), permit: await read({ direction: 'to_partner', outcome: 'permit' }) };

    const d = decision(['identity'], ['justice']);
    expect(countDecision(d), 'hands the decision back').toBe(d);
    countDecision(decision([], ['substance_use'], { id: 'org_program' }));
    countDecision(decision(['identity', 'housing'], []));

    expect(await read({ direction: 'to_partner', outcome: 'partial' })).toBe(before.partial + 1);
    expect(await read({ direction: 'from_partner', outcome: 'deny' })).toBe(before.deny + 1);
    expect(await read({ direction: 'to_partner', outcome: 'permit' })).toBe(before.permit + 1);
  });
});
