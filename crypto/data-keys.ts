import { CompactEncrypt, compactDecrypt, decodeProtectedHeader } from 'jose';

/**
 * Encryption at rest for case-file sections, notes and participant records: JWE compact,
 * `dir` + `A256GCM`, with the key id in the protected header so that keys can rotate without
 * downtime (the first key encrypts, every listed key decrypts).
 */
export interface DataKeyring {
  currentKid: string;
  encrypt(value: unknown): Promise<string>;
  decrypt<T = unknown>(jwe: string): Promise<T>;
}

export function parseDataKeys(spec: string): DataKeyring {
  const keys = new Map<string, Uint8Array>();
  let currentKid: string | undefined;
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const colon = part.indexOf(':');
    if (colon <= 0) throw new Error('HUB_DATA_KEYS: each entry is kid:base64-of-32-bytes');
    const kid = part.slice(0, colon);
    const key = Buffer.from(part.slice(colon + 1), 'base64');
    if (key.length !== 32) throw new Error(`HUB_DATA_KEYS: key ${kid} is ${key.length} bytes, not 32`);
    keys.set(kid, new Uint8Array(key));
    currentKid ??= kid;
  }
  if (!currentKid) throw new Error('HUB_DATA_KEYS: no key given');
  const encryptionKid = currentKid;
  const encryptionKey = keys.get(encryptionKid)!;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  return {
    currentKid: encryptionKid,
    async encrypt(value) {
      return new CompactEncrypt(encoder.encode(JSON.stringify(value)))
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: encryptionKid })
        .encrypt(encryptionKey);
    },
    async decrypt<T>(jwe: string) {
      const { kid } = decodeProtectedHeader(jwe);
      const key = kid ? keys.get(kid) : undefined;
      if (!key) throw new Error(`no data key with id ${kid ?? '(none)'}`);
      const { plaintext } = await compactDecrypt(jwe, key);
      return JSON.parse(decoder.decode(plaintext)) as T;
    },
  };
}
