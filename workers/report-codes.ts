import type { Hub } from '../services/hub.js';
import { fillMissingReportCodes } from '../services/report-codes.js';

/**
 * Once, in the background after start-up: the report codes of participants enrolled before the
 * indicators report existed (services/report-codes.ts). Until it is done, those participants count
 * as `undisclosed` in reports grouped by race or gender; it logs when it filled any.
 */
export function startReportCodesBackfill(hub: Hub): { stop(): Promise<void> } {
  const done = fillMissingReportCodes(hub)
    .then((filled) => filled > 0 && hub.logger.info({ filled }, 'filled the report codes of participants enrolled before them'))
    .catch((error: Error) => hub.logger.warn({ err: error.message }, 'filling participants’ report codes failed; it runs again at the next start'));
  return { stop: async () => void (await done) };
}
