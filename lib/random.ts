import { randomBytes } from 'node:crypto';

/*
 * Random bytes for ids and nonces, drawn from a pool filled by the operating system's CSPRNG a
 * few KB at a time. `randomBytes` costs a call into OpenSSL per use, and an intake makes about
 * fifteen uses (ids, message ids, one AES-GCM nonce per case-file section): 6-8 % of the gateway's
 * CPU in a profile of intake. Node's own `randomUUID` pools the same way. Each call gets bytes no
 * other call gets: the pool is replaced when spent, never refilled in place, and what is handed
 * out is a copy. Not for keys or secrets, which take `randomBytes` directly.
 */
const POOL_BYTES = 16 * 1024;
let pool = Buffer.alloc(0);
let offset = 0;

export function pooledRandomBytes(size: number): Buffer {
  if (size > 256) return randomBytes(size);
  if (offset + size > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const bytes = Buffer.from(pool.subarray(offset, offset + size));
  offset += size;
  return bytes;
}
