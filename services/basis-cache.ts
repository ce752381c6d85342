import { LRUCache } from 'lru-cache';
import type { Basis } from '../consent/index.js';
import type { Sql } from '../db/connect.js';
import { CHANNELS } from '../db/coordination.js';
import { loadBases } from '../store/consents.js';

/** Where consent changes are announced (db/coordination.ts). */
export const CONSENT_CHANNEL = CHANNELS.consents;

/**
 * The participants' bases, cached so a decision costs microseconds rather than a query. Every
 * consent change sends NOTIFY on CONSENT_CHANNEL at commit, and every process drops that
 * participant's entry on hearing it; the process that made the change drops it at once. When the
 * LISTEN connection is (re)established everything is dropped, since notices may have been missed,
 * and a short TTL bounds the damage of anything else going wrong.
 */
export class BasisCache {
  private readonly entries: LRUCache<string, Basis[]>;
  /** Bumped on every invalidation, so a load that raced one is not cached. */
  private generation = 0;
  private listener: { unlisten(): Promise<void> } | undefined;

  constructor(
    private readonly sql: Sql,
    ttlMs = 30_000,
  ) {
    this.entries = new LRUCache<string, Basis[]>({ max: 20_000, ttl: ttlMs });
  }

  async load(participantId: string): Promise<Basis[]> {
    const hit = this.entries.get(participantId);
    if (hit) return hit;
    const generation = this.generation;
    const bases = await loadBases(this.sql, participantId);
    if (generation === this.generation) this.entries.set(participantId, bases);
    return bases;
  }

  invalidate(participantId?: string): void {
    this.generation += 1;
    if (participantId) this.entries.delete(participantId);
    else this.entries.clear();
  }

  async listen(): Promise<void> {
    this.listener = await this.sql.listen(
      CONSENT_CHANNEL,
      (participantId) => this.invalidate(participantId || undefined),
      () => this.invalidate(),
    );
  }

  async stop(): Promise<void> {
    await this.listener?.unlisten().catch(() => {});
  }
}
