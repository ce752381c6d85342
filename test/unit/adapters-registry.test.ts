import { afterAll, describe, expect, it } from 'vitest';
import type { Disclosed } from '../../consent/disclosed.js';
import { buildAdapter } from '../../adapters/registry.js';
import type { CancelledReferralView, DeliveryMessage } from '../../adapters/types.js';
import { closeWebhookAgents } from '../../adapters/webhook/index.js';
import { generateSecret } from '../../adapters/webhook/sign.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

const opts = { allowPrivate: true, timeoutMs: 2_000 };
const cancelled: DeliveryMessage = {
  messageId: 'msg_cancel_1',
  type: 'referral.cancelled',
  referral: { id: 'ref_1', status: 'cancelled' } as Disclosed<CancelledReferralView>,
};

describe('adapter registry', () => {
  afterAll(() => closeWebhookAgents());

  it('portal pushes nothing and reports delivered', async () => {
    const a = buildAdapter({ type: 'portal' }, {}, opts);
    expect(a.type).toBe('portal');
    expect((await a.deliver(cancelled)).outcome).toBe('delivered');
  });

  it('fhir maps to the FHIR adapter, which refuses a loopback base URL permanently by default', async () => {
    const a = buildAdapter({ type: 'fhir', baseUrl: 'http://127.0.0.1:9/r4', pollIntervalSeconds: 30 } as never, {}, { ...opts, allowPrivate: false });
    expect(a.type).toBe('fhir');
    expect(typeof a.fetchStatusChanges).toBe('function');
    expect(await a.deliver(cancelled)).toEqual({ outcome: 'permanent_failure', error: expect.stringMatching(/^unsafe target: refusing to connect to 127\.0\.0\.1/) });
  });

  it('webhook delivers a cancellation through the registry', async () => {
    const secret = generateSecret();
    const r = await startWebhookReceiver({ secret });
    try {
      const a = buildAdapter({ type: 'webhook', url: r.url } as never, { webhookSecret: secret }, opts);
      expect(a.type).toBe('webhook');
      expect((await a.deliver(cancelled)).outcome).toBe('delivered');
      const got = await r.waitFor((m) => m.headers['webhook-id'] === 'msg_cancel_1');
      expect(got.signatureValid).toBe(true);
      expect(got.json).toMatchObject({ type: 'referral.cancelled', data: { referral: { id: 'ref_1', status: 'cancelled' } } });
    } finally {
      await r.close();
    }
  });
});
