import type { Basis } from '../consent/index.js';
import type { Sql } from '../db/connect.js';
import { CHANNELS } from '../db/coordination.js';
import { loadBases } from '../store/consents.js';
import { NotifiedCache } from './notified-cache.js';

/** Where consent changes are announced (db/coordination.ts). */
export const CONSENT_CHANNEL = CHANNELS.consents;

/**
 * Each participant's bases, so a decision costs microseconds rather than a query. Every consent
 * change sends NOTIFY on CONSENT_CHANNEL with the participant's id (services/consents.ts).
 */
export class BasisCache extends NotifiedCache<Basis[]> {
  constructor(sql: Sql, ttlMs = 30_000) {
    super(sql, CONSENT_CHANNEL, loadBases, { max: 20_000, ttlMs });
  }

  /** The participant's bases; none is an empty list, and is cached like any other. */
  async load(participantId: string): Promise<Basis[]> {
    return (await this.get(participantId))!;
  }
}
