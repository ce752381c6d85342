import { referralBody, type World } from '../setup/world.js';
import type { OpenLoopJob } from '../load/index.js';

/**
 * B3: POST → verified webhook receipt, open loop at `rate` referrals/s, spread evenly over the
 * webhook partners (each request picks one of 50 bodies, five per partner, for participants whose
 * consent lets housing providers see the case file).
 */
export function endToEndJob(world: World, origins: string[], plannerToken: string, rate: number, seconds: number, drainSeconds: number): OpenLoopJob {
  const bodies: string[] = [];
  for (const [i, partner] of world.webhookPartners.entries()) {
    for (let k = 0; k < 5; k++) bodies.push(JSON.stringify(referralBody(world.participantIds[(i * 5 + k) % world.participantIds.length]!, partner.id)));
  }
  return {
    kind: 'open',
    origins,
    // Enough connections that the client never caps the rate; undici queues past them.
    connections: Math.min(256, Math.max(16, Math.ceil(rate / 4))),
    rate,
    seconds,
    drainSeconds,
    plan: { method: 'POST', paths: ['/v1/referrals'], bodies, headers: { authorization: `Bearer ${plannerToken}` }, expectStatus: 201 },
    sinks: world.webhookPartners.map((p) => ({ port: p.port, secret: p.secret })),
  };
}
