import { sealAudit } from '../store/audit.js';
import type { Hub } from './hub.js';

/**
 * Chains what was appended to the audit log since the last run. Returns the rows sealed; a full
 * batch means more are waiting, so the caller runs again at once.
 */
export async function sequenceAudit(hub: Pick<Hub, 'sql'>, batch = 5000): Promise<number> {
  return sealAudit(hub.sql, batch);
}
