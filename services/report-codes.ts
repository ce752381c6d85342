import { reportCodes } from '../domain/indicator-groups.js';
import { participantsWithoutReportCodes, setReportCodes } from '../store/participants.js';
import type { Hub } from './hub.js';

/**
 * Fills the report codes (race, gender) of participants enrolled before they were columns. Their
 * codes are only inside the encrypted record, which needs the hub's data key: a SQL migration
 * cannot read it, so the worker does this once after start-up, a batch at a time. Writing the same
 * codes twice is harmless, so two workers racing is too. Returns how many it filled.
 */
export async function fillMissingReportCodes(hub: Pick<Hub, 'sql' | 'keyring'>, batch = 500): Promise<number> {
  let filled = 0;
  for (;;) {
    const participants = await participantsWithoutReportCodes(hub.sql, hub.keyring, batch);
    for (const { id, record } of participants) await setReportCodes(hub.sql, id, reportCodes(record));
    filled += participants.length;
    if (participants.length < batch) return filled;
  }
}
