import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { eventually } from '../support/hub.js';
import { freePort, type HubProcess } from '../support/process-hub.js';
import { allDelivered, faultEnv, postReferral, setUpReferrals, startGateway, startPartner, startWorker, summary, tally, type Partner, showLogsOnFailure } from './support.js';

/**
 * Fault 1: `kill -9` of the gateway and the worker processes while referrals are being posted.
 * Expectation: every referral answered 201 is delivered after the restart, and none reaches the
 * partner under two different webhook-ids.
 */
describe('fault: kill -9 of the gateway and the worker while referrals are posted', () => {
  let db: TestDatabase;
  let partner: Partner;
  const processes: HubProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    // The partner fails its first 40 messages, so that many deliveries are mid-retry at the kill.
    let seen = 0;
    partner = await startPartner(() => (seen++ < 40 ? 503 : 204));
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await partner?.receiver.close();
    await db?.drop();
  });

  it('delivers every referral answered 201, each under exactly one webhook-id', async () => {
    showLogsOnFailure(processes);
    const started = Date.now();
    const port = await freePort();
    const { env, adminKey, publicUrl } = await faultEnv(db.url, port, { HUB_RELAY_LEASE_SECONDS: '2', HUB_DELIVERY_SCHEDULE: '0,0.5,1,1,1,1' });
    let [gateway, worker] = await Promise.all([startGateway(env, port), startWorker(env)]);
    processes.push(gateway, worker);
    const s = await setUpReferrals(gateway.url, publicUrl, adminKey, [partner.url]);

    // Post continuously from four clients; kill -9 both processes once 40 have been answered 201.
    const accepted: string[] = [];
    let killed = false;
    let connectionErrors = 0;
    const poster = async () => {
      while (!killed) {
        try {
          const r = await postReferral(s);
          if (r.status === 201) accepted.push(r.body.id);
          else throw new Error(`unexpected ${r.status} ${JSON.stringify(r.body)}`);
        } catch (error) {
          if (!killed) throw error;
          connectionErrors += 1; // the connection died with the hub: never answered 201
          return;
        }
        if (accepted.length >= 40 && !killed) {
          killed = true;
          await Promise.all([gateway.kill('SIGKILL'), worker.kill('SIGKILL')]);
        }
      }
    };
    await Promise.all([poster(), poster(), poster(), poster()]);
    const deliveredBeforeKill = [...partner.acked.keys()].length;
    expect(accepted.length).toBeGreaterThanOrEqual(40);

    [gateway, worker] = await Promise.all([startGateway(env, port), startWorker(env)]);
    processes.push(gateway, worker);
    await eventually(async () => (allDelivered(accepted, [partner]) ? true : undefined), 30_000, 'every accepted referral to be delivered');

    const counts = tally(accepted, [partner]);
    summary(
      'kill -9 gateway+worker while 4 clients post',
      'every 201 delivered after restart, one webhook-id each',
      { ...counts, deliveredBeforeKill, cutOffRequests: connectionErrors },
      started,
    );
    expect({ sent: counts.sent, delivered: counts.delivered, duplicates: counts.duplicates, lost: counts.lost }).toEqual({
      sent: accepted.length,
      delivered: accepted.length,
      duplicates: 0,
      lost: 0,
    });
    expect(partner.receiver.received.every((m) => m.signatureValid)).toBe(true);
  });
});
