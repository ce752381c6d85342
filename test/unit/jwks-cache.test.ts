import { describe, expect, it } from 'vitest';
import { createJwksCache, type Jwks } from '../../gateway/auth/jwks-cache.js';

const URI = 'https://keys.partner.example/jwks.json';
const set = (...kids: string[]): Jwks => ({ keys: kids.map((kid) => ({ kty: 'EC', kid })) });

/** A cache over a fake JWKS server whose answers and clock the test controls. */
function harness(opts: { maxAgeMs?: number; minRefetchMs?: number; max?: number } = {}) {
  let clock = 1_000_000;
  let served: Jwks | Error = set('k1');
  const fetched: string[] = [];
  const cache = createJwksCache({
    ...opts,
    now: () => clock,
    fetch: async (uri) => {
      fetched.push(uri);
      if (served instanceof Error) throw served;
      return served;
    },
  });
  return {
    cache,
    fetched,
    advance: (ms: number) => (clock += ms),
    serve: (next: Jwks | Error) => (served = next),
  };
}

describe('the JWKS cache for clients registered with a jwksUri', () => {
  it('fetches once for many uses, concurrent first uses included', async () => {
    const h = harness();
    const results = await Promise.all(Array.from({ length: 20 }, () => h.cache.get(URI, 'k1')));
    for (let i = 0; i < 20; i++) results.push(await h.cache.get(URI, 'k1'));
    expect(results.every((r) => r.keys[0]!.kid === 'k1')).toBe(true);
    expect(h.fetched).toEqual([URI]);
  });

  it('lets an unknown kid refetch at most once per minimum interval, and then finds a rotated key', async () => {
    const h = harness({ minRefetchMs: 30_000, maxAgeMs: 600_000 });
    await h.cache.get(URI, 'k1');
    h.serve(set('k1', 'k2'));
    for (let i = 0; i < 50; i++) expect((await h.cache.get(URI, `unknown-${i}`)).keys.map((k) => k.kid)).toEqual(['k1']);
    expect(h.fetched).toHaveLength(1);
    h.advance(30_000);
    expect((await h.cache.get(URI, 'k2')).keys.map((k) => k.kid)).toEqual(['k1', 'k2']);
    expect(h.fetched).toHaveLength(2);
    // A known kid after the interval does not refetch.
    h.advance(30_000);
    await h.cache.get(URI, 'k2');
    expect(h.fetched).toHaveLength(2);
  });

  it('refetches a set older than its maximum age, even for a known kid', async () => {
    const h = harness({ minRefetchMs: 30_000, maxAgeMs: 600_000 });
    await h.cache.get(URI, 'k1');
    h.advance(599_000);
    await h.cache.get(URI, 'k1');
    expect(h.fetched).toHaveLength(1);
    h.serve(set('k3'));
    h.advance(1_000);
    expect((await h.cache.get(URI, 'k1')).keys.map((k) => k.kid)).toEqual(['k3']);
    expect(h.fetched).toHaveLength(2);
  });

  it('remembers a failed fetch for the minimum interval, then tries again', async () => {
    const h = harness({ minRefetchMs: 30_000 });
    h.serve(new Error('502'));
    for (let i = 0; i < 10; i++) await expect(h.cache.get(URI, 'k1')).rejects.toThrow('502');
    expect(h.fetched).toHaveLength(1);
    h.serve(set('k1'));
    h.advance(30_000);
    expect((await h.cache.get(URI, 'k1')).keys.map((k) => k.kid)).toEqual(['k1']);
    expect(h.fetched).toHaveLength(2);
  });

  it('is bounded: the least recently used URL is forgotten, and fetched again when next used', async () => {
    const h = harness({ max: 2 });
    await h.cache.get('https://a.example/jwks');
    await h.cache.get('https://b.example/jwks');
    await h.cache.get('https://c.example/jwks');
    await h.cache.get('https://c.example/jwks');
    await h.cache.get('https://a.example/jwks');
    expect(h.fetched).toEqual(['https://a.example/jwks', 'https://b.example/jwks', 'https://c.example/jwks', 'https://a.example/jwks']);
  });
});
