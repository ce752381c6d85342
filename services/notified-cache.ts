import { LRUCache } from 'lru-cache';
import type { Sql } from '../db/connect.js';

/**
 * Rows that change rarely and are read on every request, cached per process and kept fresh by
 * PostgreSQL's NOTIFY: every change sends the key on `channel` at commit and every process drops
 * that entry on hearing it; the process that made the change drops it at once (`invalidate`).
 * When the LISTEN connection is (re)established everything is dropped, since notices may have been
 * missed, and a short TTL bounds the damage of anything else going wrong. A load that raced an
 * invalidation is not cached (the generation moved on), and an absent row is never cached, so a
 * row created elsewhere is found on its first use.
 */
export class NotifiedCache<V extends {}> {
  private readonly entries: LRUCache<string, V>;
  private generation = 0;
  private listener: { unlisten(): Promise<void> } | undefined;

  constructor(
    private readonly sql: Sql,
    private readonly channel: string,
    private readonly loadRow: (sql: Sql, key: string) => Promise<V | undefined>,
    options: { max: number; ttlMs: number },
  ) {
    this.entries = new LRUCache<string, V>({ max: options.max, ttl: options.ttlMs });
  }

  /** The cached value, or what the database holds now. Callers must not mutate it. */
  async get(key: string): Promise<V | undefined> {
    const hit = this.entries.get(key);
    if (hit) return hit;
    const generation = this.generation;
    const found = await this.loadRow(this.sql, key);
    if (found !== undefined && generation === this.generation) this.entries.set(key, found);
    return found;
  }

  /** The cached value, if there is one; never a query. */
  peek(key: string): V | undefined {
    return this.entries.get(key);
  }

  /**
   * Runs `load`, which fetches the value together with more in the same round trip, and caches
   * the value (`pick`) unless an invalidation ran meanwhile (the same rule as `get`).
   */
  async loadWith<T>(key: string, load: () => Promise<T>, pick: (loaded: T) => V): Promise<T> {
    return this.loadKeyedBy(load, (loaded) => [key, pick(loaded)]);
  }

  /**
   * The same, for a value whose key only the load tells (a referral's participant): `entry` picks
   * the key and the value out of what was loaded, or nothing to cache.
   */
  async loadKeyedBy<T>(load: () => Promise<T>, entry: (loaded: T) => readonly [string, V] | undefined): Promise<T> {
    const generation = this.generation;
    const loaded = await load();
    const picked = entry(loaded);
    if (picked && generation === this.generation) this.entries.set(picked[0], picked[1]);
    return loaded;
  }

  invalidate(key?: string): void {
    this.generation += 1;
    if (key) this.entries.delete(key);
    else this.entries.clear();
  }

  async listen(): Promise<void> {
    this.listener = await this.sql.listen(
      this.channel,
      (key) => this.invalidate(key || undefined),
      () => this.invalidate(),
    );
  }

  async stop(): Promise<void> {
    await this.listener?.unlisten().catch(() => {});
  }
}
