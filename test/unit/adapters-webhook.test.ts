import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Disclosed } from '../../consent/disclosed.js';
import type { DeliveryMessage, PartnerReferralView } from '../../adapters/types.js';
import { closeWebhookAgents, createWebhookAdapter, USER_AGENT } from '../../adapters/webhook/index.js';
import { decodeSecret, generateSecret, InvalidSecretError, sign, verify } from '../../adapters/webhook/sign.js';
import { type ReceiverResponse, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

// Standard Webhooks' published test vector.
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const specHeaders = (signature = SPEC.signature, timestamp = String(SPEC.timestamp)) => ({
  'webhook-id': SPEC.id,
  'webhook-timestamp': timestamp,
  'webhook-signature': signature,
});
const specNow = new Date(SPEC.timestamp * 1000);

describe('Standard Webhooks signing', () => {
  it('matches the spec test vector', () => {
    expect(sign(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature);
  });

  it('verifies the spec test vector', () => {
    expect(verify(SPEC.secret, specHeaders(), SPEC.body, { now: specNow })).toBe(true);
  });

  it('accepts a list of signatures when one of them is valid (secret rotation)', () => {
    const other = sign(generateSecret(), SPEC.id, SPEC.timestamp, SPEC.body);
    expect(verify(SPEC.secret, specHeaders(`${other} v2,abc ${SPEC.signature}`), SPEC.body, { now: specNow })).toBe(true);
  });

  it('rejects a tampered body, a wrong secret, a wrong version and missing headers', () => {
    expect(verify(SPEC.secret, specHeaders(), '{"test": 2432232315}', { now: specNow })).toBe(false);
    expect(verify(generateSecret(), specHeaders(), SPEC.body, { now: specNow })).toBe(false);
    expect(verify(SPEC.secret, specHeaders(SPEC.signature.replace('v1,', 'v2,')), SPEC.body, { now: specNow })).toBe(false);
    expect(verify(SPEC.secret, { 'webhook-id': SPEC.id }, SPEC.body, { now: specNow })).toBe(false);
    expect(verify(SPEC.secret, specHeaders('v1,not-base64!!'), SPEC.body, { now: specNow })).toBe(false);
  });

  it('rejects timestamps outside the tolerance, in either direction', () => {
    const at = (s: number) => new Date((SPEC.timestamp + s) * 1000);
    expect(verify(SPEC.secret, specHeaders(), SPEC.body, { now: at(300) })).toBe(true);
    expect(verify(SPEC.secret, specHeaders(), SPEC.body, { now: at(301) })).toBe(false);
    expect(verify(SPEC.secret, specHeaders(), SPEC.body, { now: at(-301) })).toBe(false);
    expect(verify(SPEC.secret, specHeaders(), SPEC.body, { now: at(30), toleranceSeconds: 10 })).toBe(false);
    expect(verify(SPEC.secret, specHeaders(SPEC.signature, 'soon'), SPEC.body, { now: specNow })).toBe(false);
  });

  it('reads headers from a fetch Headers object too', () => {
    expect(verify(SPEC.secret, new Headers(specHeaders()), SPEC.body, { now: specNow })).toBe(true);
  });

  it('generates whsec_ secrets of 24 random bytes', () => {
    const a = generateSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(decodeSecret(a)).toHaveLength(24);
    expect(generateSecret()).not.toBe(a);
  });

  it('refuses secrets that are not base64 of 24..64 bytes, without echoing them', () => {
    for (const bad of ['whsec_hunter2', 'correct horse battery staple', 'whsec_' + Buffer.alloc(8).toString('base64')]) {
      expect(() => decodeSecret(bad)).toThrow(InvalidSecretError);
      try {
        decodeSecret(bad);
      } catch (err) {
        expect((err as Error).message).not.toContain(bad);
      }
    }
  });
});

// Tests may cast: only production code is barred from fabricating a Disclosed value.
const CASE_MARKER = 'sensitive-case-detail-7f3a';
const view: PartnerReferralView = {
  id: 'ref_1',
  status: 'queued',
  service: 'housing',
  purpose: 'care_coordination',
  priority: 'routine',
  reason: 'needs housing support',
  createdAt: '2026-03-01T10:00:00.000Z',
  caseFile: { notes: [{ category: 'housing', text: CASE_MARKER }] },
  withheld: { count: 1, notice: 'Some information was withheld.' },
  notices: [{ code: 'part2-redisclosure', text: '42 CFR part 2 notice' }],
};
const created = (messageId = 'msg_test_1'): DeliveryMessage => ({
  messageId,
  type: 'referral.created',
  referral: view as Disclosed<PartnerReferralView>,
});

describe('webhook adapter', () => {
  const secret = generateSecret();
  const receivers: WebhookReceiver[] = [];
  const receiver = async (respond?: (n: number) => ReceiverResponse) => {
    let n = 0;
    const r = await startWebhookReceiver({ secret, respond: respond && (() => respond(n++)) });
    receivers.push(r);
    return r;
  };
  const adapter = (url: string, timeoutMs = 2_000, extra: { allowPrivate?: boolean; now?: () => Date } = {}) =>
    createWebhookAdapter({ url, secret }, { allowPrivate: extra.allowPrivate ?? true, timeoutMs, now: extra.now });

  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(() => closeWebhookAgents());

  it('delivers a signed Standard Webhooks POST and reports delivered on 2xx', async () => {
    const r = await receiver(() => 200);
    const msg = created();
    const result = await adapter(`${r.url}?partner=p1`).deliver(msg);
    expect(result).toEqual({ outcome: 'delivered', detail: 'HTTP 200' });

    const got = await r.waitFor(() => true);
    expect(got.signatureValid).toBe(true);
    expect(got.method).toBe('POST');
    expect(got.path).toBe('/hooks/referrals?partner=p1');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['user-agent']).toBe(USER_AGENT);
    expect(got.headers['webhook-id']).toBe('msg_test_1');
    expect(got.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(got.json).toEqual({ type: 'referral.created', timestamp: expect.any(String), data: { referral: msg.referral } });
    const ts = Number(got.headers['webhook-timestamp']);
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(5);
    // The body's ISO timestamp and the signed header are the same instant.
    expect(Math.floor(Date.parse((got.json as { timestamp: string }).timestamp) / 1000)).toBe(ts);
  });

  it('treats any 2xx as delivered', async () => {
    const r = await receiver(() => 204);
    expect((await adapter(r.url).deliver(created())).outcome).toBe('delivered');
  });

  it('stamps the injected clock and reuses the webhook-id across retries', async () => {
    const r = await receiver((n) => (n === 0 ? 503 : 200));
    const fixedNow = new Date('2026-03-01T10:00:00.000Z');
    const a = adapter(r.url, 2_000, { now: () => fixedNow });
    const msg = created('msg_stable');
    expect((await a.deliver(msg)).outcome).toBe('retry');
    expect((await a.deliver(msg)).outcome).toBe('delivered');
    expect(r.received.map((m) => m.headers['webhook-id'])).toEqual(['msg_stable', 'msg_stable']);
    expect(r.received[0]?.headers['webhook-timestamp']).toBe(String(fixedNow.getTime() / 1000));
    expect((r.received[0]?.json as { timestamp: string }).timestamp).toBe(fixedNow.toISOString());
    // The injected clock is far from "now", so the receiver's ±5 min check must refuse it.
    expect(r.received[0]?.signatureValid).toBe(false);
  });

  it('retries on 500 without putting case data in the error', async () => {
    const r = await receiver(() => 500);
    const result = await adapter(r.url).deliver(created());
    expect(result).toEqual({ outcome: 'retry', error: 'HTTP 500' });
    expect(JSON.stringify(result)).not.toContain(CASE_MARKER);
  });

  it.each([
    [408, 'retry'],
    [429, 'retry'],
    [401, 'retry'],
    [404, 'retry'],
    [302, 'retry'],
    [410, 'permanent_failure'],
  ] as const)('maps HTTP %i to %s', async (status, outcome) => {
    const r = await receiver(() => status);
    expect((await adapter(r.url).deliver(created())).outcome).toBe(outcome);
    expect(r.received).toHaveLength(1); // a 3xx is never followed
  });

  it('retries, within the timeout, when the partner never answers', async () => {
    const r = await receiver(() => 'hang');
    const started = Date.now();
    const result = await adapter(r.url, 300).deliver(created());
    const elapsed = Date.now() - started;
    expect(result).toEqual({ outcome: 'retry', error: 'timeout after 300 ms' });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1_500);
    expect(r.received).toHaveLength(1);
  });

  it('retries when the partner drops the connection', async () => {
    const r = await receiver(() => 'destroy');
    const result = await adapter(r.url).deliver(created());
    expect(result.outcome).toBe('retry');
    expect(JSON.stringify(result)).not.toContain(CASE_MARKER);
  });

  it('retries when nothing listens', async () => {
    const r = await receiver();
    const url = r.url;
    await r.close();
    const result = await adapter(url).deliver(created());
    expect(result).toMatchObject({ outcome: 'retry', error: expect.stringContaining('ECONNREFUSED') });
  });

  it('keeps working over the pooled keep-alive connection after errors', async () => {
    const r = await receiver((n) => (n % 2 === 0 ? 500 : 200));
    const a = adapter(r.url);
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push((await a.deliver(created(`msg_${i}`))).outcome);
    expect(outcomes).toEqual(['retry', 'delivered', 'retry', 'delivered']);
    expect(r.received.every((m) => m.signatureValid)).toBe(true);
  });

  it('refuses a loopback target when private targets are not allowed, sending nothing', async () => {
    const r = await receiver();
    const result = await adapter(r.url, 2_000, { allowPrivate: false }).deliver(created());
    expect(result).toMatchObject({ outcome: 'permanent_failure', error: expect.stringContaining('unsafe target') });
    expect(r.received).toHaveLength(0);
  });

  it('refuses a non-http scheme', async () => {
    const result = await adapter('file:///etc/passwd').deliver(created());
    expect(result).toMatchObject({ outcome: 'permanent_failure' });
  });

  it('reports a bad secret as a permanent failure instead of throwing', async () => {
    const a = createWebhookAdapter({ url: 'http://127.0.0.1:1/', secret: 'hunter2' }, { allowPrivate: true, timeoutMs: 300 });
    const result = await a.deliver(created());
    expect(result.outcome).toBe('permanent_failure');
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });
});
