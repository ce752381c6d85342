import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { allDelivered, consentingParticipant, planningAgency, referMany, PARTNER_SECRET, type Agency } from '../support/delivery.js';
import { scrapeMetrics } from '../support/metrics.js';

/** A partner that answers every delivery after `delayMs`, counting how many it holds at once. */
async function slowPartner(delayMs: number) {
  const state = { inFlight: 0, maxInFlight: 0, answered: new Set<string>() };
  const server = http.createServer((req, res) => {
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () =>
      setTimeout(() => {
        state.inFlight -= 1;
        state.answered.add(JSON.parse(body).data.referral.id);
        res.writeHead(204).end();
      }, delayMs),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return { url, state, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('per-partner delivery limits', () => {
  let hub: TestHub;
  let agency: Agency;
  const partners: Awaited<ReturnType<typeof slowPartner>>[] = [];

  beforeAll(async () => {
    hub = await startTestHub({ HUB_PARTNER_CONCURRENCY: '3', HUB_PARTNER_RPS: '0', HUB_WORKER_CONCURRENCY: '8', HUB_DELIVERY_TIMEOUT_MS: '5000' });
    agency = await planningAgency(hub);
  });
  afterAll(async () => {
    await hub?.stop();
    for (const p of partners) await p.close();
  });

  it('keeps a slow partner to its share of the workers, so a fast partner is not starved', async () => {
    const slow = await slowPartner(1000);
    const fast = await slowPartner(0);
    partners.push(slow, fast);
    const slowId = (await hub.organization({ name: 'Slow Shelter', kind: 'housing', adapter: { type: 'webhook', url: slow.url, secret: PARTNER_SECRET } })).id;
    const fastId = (await hub.organization({ name: 'Fast Jobs', kind: 'employment', adapter: { type: 'webhook', url: fast.url, secret: PARTNER_SECRET } })).id;
    const { participantId } = await consentingParticipant(hub, agency, [slowId, fastId]);

    // The slow partner's backlog is queued first, then the fast partner's referrals.
    const slowIds = await referMany(hub, agency, participantId, slowId, 12);
    const fastIds = await referMany(hub, agency, participantId, fastId, 6);
    await eventually(async () => (fastIds.every((id) => fast.state.answered.has(id)) ? true : undefined), 10_000, 'the fast partner’s referrals');
    // Twelve one-second deliveries, three at a time, take four seconds or more: the fast partner
    // was served while most of the slow backlog still waited.
    const slowAnsweredWhenFastDone = slow.state.answered.size;

    await eventually(async () => (slowIds.every((id) => slow.state.answered.has(id)) ? true : undefined), 20_000, 'the slow partner’s backlog');
    expect(slow.state.maxInFlight, 'deliveries the slow partner held at once').toBeLessThanOrEqual(3);
    expect(slowAnsweredWhenFastDone).toBeLessThan(slowIds.length);
    // The backlog waited in the queue for the partner's slots, and said so.
    expect((await scrapeMetrics(hub.running.url!)).value('hub_partner_limit_waits_total')).toBeGreaterThan(0);
  });

  it('does not make a portal partner’s backlog wait for slots: it has no server to protect', async () => {
    const waitsBefore = (await scrapeMetrics(hub.running.url!)).value('hub_partner_limit_waits_total')!;
    const inboxId = (await hub.organization({ name: 'Inbox Recovery Services', kind: 'housing', adapter: { type: 'portal' } })).id;
    const { participantId } = await consentingParticipant(hub, agency, [inboxId]);
    // Eight workers and three slots: a limited partner's backlog this size would bounce.
    const ids = await referMany(hub, agency, participantId, inboxId, 24);
    await allDelivered(hub, ids);
    expect((await scrapeMetrics(hub.running.url!)).value('hub_partner_limit_waits_total')).toBe(waitsBefore);
  });
});
