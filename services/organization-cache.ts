import { LRUCache } from 'lru-cache';
import type { Sql } from '../db/connect.js';
import { getOrganization, onOrganizationWritten, type OrganizationRow } from '../store/organizations.js';

export const ORGANIZATION_CHANNEL = 'hub_organizations';

/**
 * Organisations by id, cached: every partner read and every intake needs the partner's kind and
 * Part 2 status for the consent decision, and they change rarely. Kept fresh the way the basis
 * cache is (services/basis-cache.ts): a trigger sends NOTIFY on ORGANIZATION_CHANNEL at commit
 * of any change (db/migrations/006) and every process drops that entry on hearing it; the process
 * that wrote the row drops it at once, before the write returns; everything is dropped when the
 * LISTEN connection is (re)established, since notices may have been missed; and a short TTL
 * bounds the damage of anything else going wrong. Unknown ids are not cached, so an organisation
 * created elsewhere is found on its first use.
 */
export class OrganizationCache {
  private readonly entries: LRUCache<string, OrganizationRow>;
  /** Bumped on every invalidation, so a load that raced one is not cached. */
  private generation = 0;
  private listener: { unlisten(): Promise<void> } | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly sql: Sql,
    ttlMs = 30_000,
  ) {
    this.entries = new LRUCache<string, OrganizationRow>({ max: 10_000, ttl: ttlMs });
    this.unsubscribe = onOrganizationWritten((id) => this.invalidate(id));
  }

  /** The organisation, or undefined when there is none (not cached). Callers must not mutate it. */
  async get(id: string): Promise<OrganizationRow | undefined> {
    const hit = this.entries.get(id);
    if (hit) return hit;
    const generation = this.generation;
    const found = await getOrganization(this.sql, id);
    if (found && generation === this.generation) this.entries.set(id, found);
    return found;
  }

  invalidate(id?: string): void {
    this.generation += 1;
    if (id) this.entries.delete(id);
    else this.entries.clear();
  }

  async listen(): Promise<void> {
    this.listener = await this.sql.listen(
      ORGANIZATION_CHANNEL,
      (id) => this.invalidate(id || undefined),
      () => this.invalidate(),
    );
  }

  async stop(): Promise<void> {
    this.unsubscribe();
    await this.listener?.unlisten().catch(() => {});
  }
}
