import { createCipheriv, createDecipheriv } from 'node:crypto';
import { pooledRandomBytes } from '../lib/random.js';

/**
 * Encryption at rest for case-file sections, notes and participant records: JWE compact,
 * `dir` + `A256GCM`, with the key id in the protected header so that keys can rotate without
 * downtime (the first key encrypts, every listed key decrypts).
 *
 * The format is RFC 7516's, byte for byte what `jose` writes and reads (test/unit/data-keys.test.ts
 * checks both ways), but the work is done with node:crypto's AES-256-GCM directly: jose on a raw
 * key imports a WebCrypto key and queues an asynchronous job for every value, which cost a sixth
 * of the hub's CPU on intake (10–15 values per referral). The methods stay async so callers need
 * not care.
 */
export interface DataKeyring {
  currentKid: string;
  encrypt(value: unknown): Promise<string>;
  decrypt<T = unknown>(jwe: string): Promise<T>;
  /** The same, synchronously, for hot paths that encrypt many values before a transaction opens. */
  encryptSync(value: unknown): string;
  decryptSync<T = unknown>(jwe: string): T;
}

const b64url = (data: Buffer) => data.toString('base64url');

export function parseDataKeys(spec: string): DataKeyring {
  const keys = new Map<string, Buffer>();
  let currentKid: string | undefined;
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const colon = part.indexOf(':');
    if (colon <= 0) throw new Error('HUB_DATA_KEYS: each entry is kid:base64-of-32-bytes');
    const kid = part.slice(0, colon);
    const key = Buffer.from(part.slice(colon + 1), 'base64');
    if (key.length !== 32) throw new Error(`HUB_DATA_KEYS: key ${kid} is ${key.length} bytes, not 32`);
    keys.set(kid, key);
    currentKid ??= kid;
  }
  if (!currentKid) throw new Error('HUB_DATA_KEYS: no key given');
  const encryptionKid = currentKid;
  const encryptionKey = keys.get(encryptionKid)!;
  // The protected header is the same for every value: encoded once. It is also the AAD.
  const protectedHeader = b64url(Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM', kid: encryptionKid })));
  const aad = Buffer.from(protectedHeader, 'ascii');

  function encryptSync(value: unknown): string {
    const iv = pooledRandomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv);
    cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    // dir: no encrypted key, so the second part is empty.
    return `${protectedHeader}..${b64url(iv)}.${b64url(ciphertext)}.${b64url(cipher.getAuthTag())}`;
  }

  function decryptSync<T>(jwe: string): T {
    const parts = jwe.split('.');
    if (parts.length !== 5 || parts[1] !== '') throw new Error('not a compact JWE with direct encryption');
    const [header, , iv, ciphertext, tag] = parts as [string, string, string, string, string];
    let parsed: { alg?: unknown; enc?: unknown; kid?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as typeof parsed;
    } catch {
      throw new Error('unreadable JWE header');
    }
    if (parsed.alg !== 'dir' || parsed.enc !== 'A256GCM') throw new Error('unsupported JWE algorithm');
    const key = typeof parsed.kid === 'string' ? keys.get(parsed.kid) : undefined;
    if (!key) throw new Error(`no data key with id ${typeof parsed.kid === 'string' ? parsed.kid : '(none)'}`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(header, 'ascii'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
    return JSON.parse(plaintext.toString('utf8')) as T;
  }

  return {
    currentKid: encryptionKid,
    encryptSync,
    decryptSync,
    encrypt: async (value) => encryptSync(value),
    decrypt: async <T>(jwe: string) => decryptSync<T>(jwe),
  };
}
