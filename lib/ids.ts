import { pooledRandomBytes } from './random.js';

/**
 * Opaque ids: a short type prefix (so a log reader knows what an id is) and 128 random bits.
 * Time-ordered prefixes would leak when a participant was enrolled, so the id is random.
 */
export function newId(prefix: string): string {
  return `${prefix}_${pooledRandomBytes(16).toString('base64url')}`;
}

export const ID_PATTERN = /^[a-z]{2,4}_[A-Za-z0-9_-]{22}$/;
