import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertPublicUrl,
  blockedAddressReason,
  guardedLookup,
  isBlockedAddress,
  type LookupAll,
  UnsafeTargetError,
} from '../../lib/net/ssrf.js';
import { generateSecret } from '../../adapters/webhook/sign.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const fixed =
  (...addresses: string[]): LookupAll =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('blockedAddressReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fc00::1', 'unique local'],
    ['fd12:3456::1', 'unique local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['2002:c0a8:0101::1', 'private'], // 6to4 of 192.168.1.1
  ])('%s is blocked (%s)', (address, why) => {
    expect(blockedAddressReason(address)).toContain(why);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    '%s is public',
    (address) => {
      expect(isBlockedAddress(address)).toBe(false);
    },
  );

  it('refuses things that are not IP addresses', () => {
    expect(isBlockedAddress('example.com')).toBe(true);
  });
});

describe('assertPublicUrl', () => {
  const refused = [
    'http://127.0.0.1/hook',
    'http://localhost:8080/hook',
    'http://10.0.0.5/hook',
    'http://172.20.1.1/hook',
    'http://192.168.0.10/hook',
    'http://100.64.1.1/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/hook',
    'http://[fe80::1]/hook',
    'http://[fd00::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://0.0.0.0/hook',
    'http://2130706433/hook', // 127.0.0.1 as a decimal integer; WHATWG URL normalises it
    'http://0x7f.1/hook',
  ];

  it.each(refused)('refuses %s when private targets are not allowed', async (url) => {
    await expect(assertPublicUrl(url, { allowPrivate: false })).rejects.toMatchObject({
      name: 'UnsafeTargetError',
      reason: 'blocked_address',
    });
  });

  it.each(refused)('allows %s when private targets are allowed', async (url) => {
    await expect(assertPublicUrl(url, { allowPrivate: true })).resolves.toBeUndefined();
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/x', 'gopher://127.0.0.1:70/', 'data:text/plain,hi', 'javascript:alert(1)'])(
    'refuses the scheme of %s even when private targets are allowed',
    async (url) => {
      for (const allowPrivate of [false, true]) {
        await expect(assertPublicUrl(url, { allowPrivate })).rejects.toMatchObject({ reason: 'scheme' });
      }
    },
  );

  it('refuses a string that is not a URL', async () => {
    await expect(assertPublicUrl('not a url', { allowPrivate: true })).rejects.toBeInstanceOf(UnsafeTargetError);
  });

  it('allows a public IP literal without DNS', async () => {
    await expect(assertPublicUrl('https://93.184.216.34/hook', { allowPrivate: false })).resolves.toBeUndefined();
  });

  it('allows a host resolving to public addresses only', async () => {
    await expect(
      assertPublicUrl('https://partner.example/hook', { allowPrivate: false, lookup: fixed('93.184.216.34', '2606:4700::1111') }),
    ).resolves.toBeUndefined();
  });

  it('refuses a host with one private answer among public ones', async () => {
    await expect(
      assertPublicUrl('https://partner.example/hook', { allowPrivate: false, lookup: fixed('93.184.216.34', '10.0.0.1') }),
    ).rejects.toThrow(/partner\.example \(10\.0\.0\.1\)/);
  });

  it('does not put the path or query (which may hold tokens) in the error', async () => {
    const err = await assertPublicUrl('http://127.0.0.1/hook?token=s3cret', { allowPrivate: false }).catch((e: unknown) => e);
    expect(String((err as Error).message)).not.toContain('s3cret');
  });

  it('passes DNS failures through as they are (transient, not a refusal)', async () => {
    const failing: LookupAll = async () => {
      throw Object.assign(new Error('getaddrinfo EAI_AGAIN partner.example'), { code: 'EAI_AGAIN' });
    };
    const err = await assertPublicUrl('https://partner.example/', { allowPrivate: false, lookup: failing }).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(UnsafeTargetError);
    expect(err).toMatchObject({ code: 'EAI_AGAIN' });
  });
});

describe('guardedLookup', () => {
  const call = (lookup: ReturnType<typeof guardedLookup>, all: boolean) =>
    new Promise<{ err: Error | null; address: unknown; family?: number | undefined }>((resolve) =>
      lookup('partner.example', { all }, (err, address, family) => resolve({ err, address, family })),
    );

  it('hands public answers to the socket, in both callback shapes', async () => {
    const lookup = guardedLookup(false, fixed('93.184.216.34'));
    expect(await call(lookup, false)).toEqual({ err: null, address: '93.184.216.34', family: 4 });
    expect((await call(lookup, true)).address).toEqual([{ address: '93.184.216.34', family: 4 }]);
  });

  it('refuses a blocked answer at connect time', async () => {
    const { err } = await call(guardedLookup(false, fixed('169.254.169.254')), true);
    expect(err).toBeInstanceOf(UnsafeTargetError);
  });

  it('allows a blocked answer when private targets are allowed', async () => {
    expect((await call(guardedLookup(true, fixed('127.0.0.1')), false)).address).toBe('127.0.0.1');
  });

  it('catches DNS rebinding: the pre-check saw a public address, the connection would get loopback', async () => {
    let calls = 0;
    const rebinding: LookupAll = async () => [{ address: calls++ === 0 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    await expect(assertPublicUrl('http://rebind.example/', { allowPrivate: false, lookup: rebinding })).resolves.toBeUndefined();
    const { err } = await call(guardedLookup(false, rebinding), true);
    expect(err).toBeInstanceOf(UnsafeTargetError);
  });

  describe('in an undici Pool against a real server', () => {
    let receiver: WebhookReceiver;
    let port: string;
    beforeAll(async () => {
      receiver = await startWebhookReceiver({ secret: generateSecret() });
      port = new URL(receiver.url).port;
    });
    afterAll(() => receiver.close());

    const post = async (allowPrivate: boolean) => {
      const pool = new Pool(`http://rebind.example:${port}`, {
        connect: { lookup: guardedLookup(allowPrivate, fixed('127.0.0.1')) },
      });
      try {
        const res = await pool.request({ method: 'POST', path: '/hooks/referrals', body: '{}' });
        await res.body.dump({ limit: 1024 });
        return res.statusCode;
      } finally {
        await pool.destroy();
      }
    };

    it('never connects to the private address', async () => {
      const before = receiver.received.length;
      const err = await post(false).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsafeTargetError);
      expect(receiver.received.length).toBe(before);
    });

    it('connects when private targets are allowed', async () => {
      expect(await post(true)).toBe(204);
    });
  });
});
