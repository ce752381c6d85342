import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM with node:crypto, synchronously: the least a process must spend to keep a case file
 * encrypted at rest. Layout: 12-byte IV, 16-byte tag, ciphertext.
 */
export function seal(key: Buffer, plaintext: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

export function open(key: Buffer, sealed: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
}

export function floorKey(): Buffer {
  const key = Buffer.from(process.env.BENCH_FLOOR_KEY ?? '', 'base64');
  if (key.length !== 32) throw new Error('BENCH_FLOOR_KEY: base64 of 32 bytes expected');
  return key;
}
