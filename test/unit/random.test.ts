import { describe, expect, it } from 'vitest';
import { pooledRandomBytes } from '../../lib/random.js';

describe('pooled random bytes (ids and AES-GCM nonces)', () => {
  it('hands every call bytes of its own, across refills of the pool, and never changes them afterwards', () => {
    // 3,000 nonces of 12 bytes are 36 KB: the 16 KB pool is replaced twice on the way.
    const handedOut = Array.from({ length: 3_000 }, () => pooledRandomBytes(12));
    const asFirstSeen = handedOut.map((b) => b.toString('hex'));
    for (let i = 0; i < 3_000; i++) pooledRandomBytes(16);
    expect(handedOut.map((b) => b.toString('hex'))).toEqual(asFirstSeen);
    expect(new Set(asFirstSeen).size).toBe(3_000);
    expect(handedOut.every((b) => b.length === 12)).toBe(true);
  });

  it('gives each caller a copy, so writing to one buffer cannot touch another', () => {
    const a = pooledRandomBytes(16);
    const b = pooledRandomBytes(16);
    const before = b.toString('hex');
    a.fill(0);
    expect(b.toString('hex')).toBe(before);
  });

  it('draws large requests straight from the system, at the size asked', () => {
    expect(pooledRandomBytes(4096)).toHaveLength(4096);
  });
});
