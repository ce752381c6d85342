import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { permitConsent } from '../support/fixtures.js';
import { agency, portalPartner, referralInput, type Agency } from '../support/scenario.js';

let hub: TestHub;
let probation: Agency;

beforeAll(async () => {
  hub = await startTestHub();
  probation = await agency(hub, 'County Probation');
});
afterAll(async () => hub?.stop());

/** Counts every decryption the hub's data keyring makes from now on. */
function countDecryptions(keyring: TestHub['running']['hub']['keyring']) {
  let count = 0;
  const { decrypt, decryptSync } = keyring;
  keyring.decrypt = (jwe) => ((count += 1), decrypt(jwe));
  keyring.decryptSync = (jwe) => ((count += 1), decryptSync(jwe));
  return { count: () => count, restore: () => Object.assign(keyring, { decrypt, decryptSync }) };
}

/**
 * A partner that pulls (a portal inbox) is sent nothing when its referral is delivered: each of its
 * reads is decided, projected and recorded when it is made. So the delivery decides whether the
 * referral may reach the inbox and opens none of the case file.
 */
describe('a delivery to a partner that pulls', () => {
  it('decrypts nothing of the case file; the partner’s own read then does, as it is recorded', async () => {
    const inbox = await portalPartner(hub, 'Harbor Housing');
    expect((await hub.api.request('POST', '/v1/consents', { token: probation.compliance, body: permitConsent(probation.participantId, inbox.id, ['identity', 'housing']) })).status).toBe(201);
    const decryptions = countDecryptions(hub.running.hub.keyring);
    try {
      const created = await hub.api.request('POST', '/v1/referrals', { token: probation.planner, body: referralInput(probation.participantId, inbox.id) });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      // Delivered: the fact in the database, not a read that would itself decrypt.
      await eventually(async () => {
        const [row] = await hub.running.hub.sql<{ delivered_at: Date | null }[]>`SELECT delivered_at FROM referrals WHERE id = ${id}`;
        return row?.delivered_at ?? undefined;
      }, 10_000, 'delivery');
      expect(decryptions.count(), 'decryptions during intake and delivery').toBe(0);

      const read = await hub.api.request('GET', `/v1/referrals/${id}`, { token: inbox.token });
      expect(read.status).toBe(200);
      expect(read.body.caseFile.housing).toBeDefined();
      expect(decryptions.count(), 'the partner’s read opens what it shows').toBeGreaterThan(0);
      const [disclosure] = await hub.running.hub.sql<{ channel: string }[]>`SELECT channel FROM disclosures WHERE referral_id = ${id}`;
      expect(disclosure?.channel, 'the read, not the delivery, is the disclosure').toBe('read');
    } finally {
      decryptions.restore();
    }
  });
});
