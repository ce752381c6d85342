import { randomBytes } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseDataKeys } from '../../crypto/data-keys.js';

const key = randomBytes(32);
const keyring = parseDataKeys(`k1:${key.toString('base64')}`);
const value = { diagnosis: 'F33.1', notes: ['Sees Dr. Ames weekly'], n: 7 };

describe('encryption at rest', () => {
  it('writes compact JWEs that jose reads, with the key id in the header', async () => {
    const jwe = await keyring.encrypt(value);
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, new Uint8Array(key));
    expect(protectedHeader).toEqual({ alg: 'dir', enc: 'A256GCM', kid: 'k1' });
    expect(JSON.parse(new TextDecoder().decode(plaintext))).toEqual(value);
  });

  it('reads what jose wrote, so data encrypted before stays readable', async () => {
    const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(value)))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: 'k1' })
      .encrypt(new Uint8Array(key));
    expect(await keyring.decrypt(jwe)).toEqual(value);
  });

  it('refuses a tampered ciphertext, header or tag, and an unknown key id', async () => {
    const jwe = keyring.encryptSync(value);
    const [h, e, iv, c, t] = jwe.split('.') as [string, string, string, string, string];
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    expect(() => keyring.decryptSync([h, e, iv, flip(c), t].join('.'))).toThrow();
    expect(() => keyring.decryptSync([h, e, iv, c, flip(t)].join('.'))).toThrow();
    const otherHeader = Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM', kid: 'k1', x: 1 })).toString('base64url');
    expect(() => keyring.decryptSync([otherHeader, e, iv, c, t].join('.'))).toThrow();
    const stranger = parseDataKeys(`k9:${randomBytes(32).toString('base64')}`);
    expect(() => stranger.decryptSync(jwe)).toThrow(/no data key with id k1/);
  });

  it('decrypts with every listed key and encrypts with the first, for rotation', async () => {
    const rotated = parseDataKeys(`k2:${randomBytes(32).toString('base64')},k1:${key.toString('base64')}`);
    expect(rotated.decryptSync(keyring.encryptSync(value))).toEqual(value);
    expect(rotated.currentKid).toBe('k2');
    expect(JSON.parse(Buffer.from(rotated.encryptSync(value).split('.')[0]!, 'base64url').toString()).kid).toBe('k2');
  });
});
