import type { Sql } from '../db/connect.js';
import { CHANNELS } from '../db/coordination.js';
import { getOrganization, onOrganizationWritten, type OrganizationRow } from '../store/organizations.js';
import { NotifiedCache } from './notified-cache.js';

export const ORGANIZATION_CHANNEL = CHANNELS.organizations;

/**
 * Organisations by id: every partner read and every intake needs the partner's kind and Part 2
 * status for the consent decision, and they change rarely. A trigger sends NOTIFY on
 * ORGANIZATION_CHANNEL at commit of any change (db/migrations/006); the process that wrote the row
 * drops it before the write returns (onOrganizationWritten).
 */
export class OrganizationCache extends NotifiedCache<OrganizationRow> {
  private readonly unsubscribe: () => void;

  constructor(sql: Sql, ttlMs = 30_000) {
    super(sql, ORGANIZATION_CHANNEL, getOrganization, { max: 10_000, ttlMs });
    this.unsubscribe = onOrganizationWritten((id) => this.invalidate(id));
  }

  override async stop(): Promise<void> {
    this.unsubscribe();
    await super.stop();
  }
}
