import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Api, eventually, testEnv } from '../support/hub.js';
import { adultParticipant, fullCaseFile, permitConsent } from '../support/fixtures.js';
import { freePort, spawnHub, type HubProcess } from '../support/process-hub.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { generateClientKey } from '../../dev/keys.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('a hub killed with SIGKILL while referrals are being posted', () => {
  let db: TestDatabase;
  let receiver: WebhookReceiver;
  let hub: HubProcess | undefined;
  const acknowledged = new Set<string>();

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    // The partner fails its first 40 messages, so that many deliveries are mid-retry at the kill.
    let seen = 0;
    receiver = await startWebhookReceiver({
      secret: SECRET,
      respond: (message) => {
        if (seen++ < 40) return 503;
        acknowledged.add((message.json as any).data.referral.id);
        return 204;
      },
    });
  });
  afterAll(async () => {
    await hub?.kill('SIGKILL');
    await receiver?.close();
    await db?.drop();
  });

  it('delivers every referral it answered 201, each under exactly one webhook-id', async () => {
    const port = await freePort();
    const { env, adminKey } = await testEnv(db, { HUB_PUBLIC_URL: `http://localhost:${port}`, HUB_RELAY_LEASE_SECONDS: '2', HUB_DELIVERY_SCHEDULE: '0,0.5,1,1,1,1', LOG_LEVEL: 'warn' });
    hub = await spawnHub(env, port);
    const api = new Api(hub.url, `http://localhost:${port}`);
    const admin = await api.token('hub-admin', adminKey);
    const newClient = async (organizationId: string, role: string) => {
      const key = await generateClientKey();
      const created = await api.request('POST', '/v1/clients', { token: admin, body: { organizationId, role, jwks: key.publicJwks } });
      return api.token(created.body.clientId, key.privateJwk);
    };
    const probation = (await api.request('POST', '/v1/organizations', { token: admin, body: { name: 'Probation', kind: 'probation', adapter: { type: 'portal' } } })).body;
    const housing = (await api.request('POST', '/v1/organizations', { token: admin, body: { name: 'Housing', kind: 'housing', adapter: { type: 'webhook', url: receiver.url, secret: SECRET } } })).body;
    const planner = await newClient(probation.id, 'planner');
    const compliance = await newClient(probation.id, 'compliance');
    const participant = (await api.request('POST', '/v1/participants', { token: planner, body: adultParticipant })).body;
    expect((await api.request('POST', '/v1/consents', { token: compliance, body: permitConsent(participant.id, housing.id, ['identity', 'housing']) })).status).toBe(201);

    // Post continuously from four clients; kill the hub once 40 have been answered.
    const accepted: string[] = [];
    let killed = false;
    const poster = async () => {
      while (!killed) {
        try {
          const r = await api.request('POST', '/v1/referrals', {
            token: planner,
            body: { participantId: participant.id, partnerId: housing.id, service: 'housing', purpose: 'care_coordination', reason: 'crash test', caseFile: fullCaseFile() },
          });
          if (r.status === 201) accepted.push(r.body.id);
        } catch {
          return; // the connection died with the hub: that request was never answered 201
        }
        if (accepted.length >= 40 && !killed) {
          killed = true;
          await hub!.kill('SIGKILL');
        }
      }
    };
    await Promise.all([poster(), poster(), poster(), poster()]);
    expect(accepted.length).toBeGreaterThanOrEqual(40);

    hub = await spawnHub(env, port);
    const deliveredIds = await eventually(async () => {
      return accepted.every((id) => acknowledged.has(id)) ? acknowledged : undefined;
    }, 30_000, 'every accepted referral to be delivered');

    const webhookIdsPerReferral = new Map<string, Set<string>>();
    for (const message of receiver.received) {
      const id = (message.json as any).data.referral.id as string;
      if (!webhookIdsPerReferral.has(id)) webhookIdsPerReferral.set(id, new Set());
      webhookIdsPerReferral.get(id)!.add(String(message.headers['webhook-id']));
    }
    const lost = accepted.filter((id) => !deliveredIds.has(id));
    const underTwoIds = [...webhookIdsPerReferral.values()].filter((ids) => ids.size > 1);
    expect({ sent: accepted.length, lost: lost.length, referralsUnderSeveralWebhookIds: underTwoIds.length }).toEqual({
      sent: accepted.length, lost: 0, referralsUnderSeveralWebhookIds: 0,
    });
    expect(receiver.received.every((m) => m.signatureValid)).toBe(true);
  });
});
