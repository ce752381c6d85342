import type { JWK } from 'jose';
import { LRUCache } from 'lru-cache';

export type Jwks = { keys: JWK[] };

export interface JwksCacheOptions {
  /** Reads a JWKS from its URL; throws when it cannot. */
  fetch: (uri: string) => Promise<Jwks>;
  /** A fetched set is used for this long, then fetched again on its next use. */
  maxAgeMs?: number;
  /**
   * No URL is fetched twice within this interval, whatever the request asks for: an assertion
   * naming an unknown kid (a client that just rotated, or anyone at all) may refetch the set,
   * but only this often. A failed fetch is remembered for as long.
   */
  minRefetchMs?: number;
  /** How many URLs are remembered (least recently used go first). */
  max?: number;
  now?: () => number;
}

interface Entry {
  fetchedAt: number;
  result: Promise<Jwks>;
}

/**
 * JWKS of clients registered with a `jwksUri`. Without a cache every token request, signed or
 * not, made the hub fetch the client's URL: a way to make the hub hammer a partner's server (or
 * itself) at the rate of unauthenticated requests. Concurrent requests share one fetch.
 * The defaults follow jose's remote JWKS set (10 minutes, 30 seconds).
 */
export function createJwksCache(options: JwksCacheOptions) {
  const maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
  const minRefetchMs = options.minRefetchMs ?? 30_000;
  const now = options.now ?? Date.now;
  const entries = new LRUCache<string, Entry>({ max: options.max ?? 1000 });

  function fetchNow(uri: string): Promise<Jwks> {
    const entry: Entry = { fetchedAt: now(), result: options.fetch(uri) };
    // Mark the promise handled here: a failure is rethrown to every caller that awaits it.
    entry.result.catch(() => {});
    entries.set(uri, entry);
    return entry.result;
  }

  return {
    /** The client's keys; `kid` (from the assertion's header) may trigger an early refetch. */
    async get(uri: string, kid?: string): Promise<Jwks> {
      const entry = entries.get(uri);
      if (!entry) return fetchNow(uri);
      const age = now() - entry.fetchedAt;
      if (age < minRefetchMs) return entry.result;
      if (age >= maxAgeMs) return fetchNow(uri);
      const jwks = await entry.result.catch(() => undefined);
      // Another request may have refetched while this one waited: share that fetch.
      const current = entries.get(uri);
      if (current && current !== entry) return current.result;
      if (!jwks) return fetchNow(uri);
      if (kid !== undefined && !jwks.keys.some((key) => key.kid === kid)) return fetchNow(uri);
      return jwks;
    },
  };
}

export type JwksCache = ReturnType<typeof createJwksCache>;
