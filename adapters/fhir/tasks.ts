import type { Client } from 'fhir-kit-client';
import type { Bundle, Task } from '@medplum/fhirtypes';
import type { PartnerStatusReport, StatusFetch } from '../types.js';
import { isUnderBase } from './client.js';
import { REFERRAL_SYSTEM } from './codes.js';
import { reportFromTask } from './status.js';

/** Tasks per page, and pages per poll: a poll is bounded; what it leaves, the next one reads. */
export const PAGE_SIZE = 100;
export const MAX_PAGES = 10;

type Link = { relation: string; url: string };

/**
 * The hub's Tasks on the partner's server changed at or after `cursor` (`_lastUpdated=ge`, oldest
 * first). `ge`, not `gt`: two changes in the same millisecond as the cursor would otherwise be
 * lost; the version each referral last applied makes the re-read harmless.
 *
 * Paging follows only `next` links on the partner's own base URL (fhir-kit-client would
 * send the bearer token wherever a link points).
 */
export async function changedTasks(client: Client, baseUrl: string, cursor: string | undefined, signal: AbortSignal): Promise<StatusFetch & { ignoredLinks: number }> {
  const searchParams: Record<string, string | number> = {
    // A token search with the system and no value: any Task carrying a hub referral id.
    identifier: `${REFERRAL_SYSTEM}|`,
    _sort: '_lastUpdated',
    _count: PAGE_SIZE,
    ...(cursor ? { _lastUpdated: `ge${cursor}` } : {}),
  };
  const reports: PartnerStatusReport[] = [];
  let ignoredLinks = 0;
  let bundle = (await client.search({ resourceType: 'Task', searchParams, options: { signal } })) as unknown as Bundle<Task>;
  for (let page = 1; ; page++) {
    for (const entry of bundle.entry ?? []) {
      const report = entry.resource?.resourceType === 'Task' ? reportFromTask(entry.resource) : undefined;
      if (report) reports.push(report);
    }
    const next = bundle.link?.find((l) => l.relation === 'next')?.url;
    if (!next || page >= MAX_PAGES) break;
    if (!isUnderBase(next, baseUrl)) {
      ignoredLinks += 1;
      break;
    }
    bundle = (await client.nextPage({ bundle: bundle as unknown as { resourceType: string; link: Link[] }, options: { signal } })) as unknown as Bundle<Task>;
  }
  // Oldest first, whatever order the server used; the cursor is the newest change read.
  reports.sort((a, b) => Date.parse(a.changedAt) - Date.parse(b.changedAt));
  const newest = reports.at(-1)?.changedAt;
  return { reports, cursor: newest ?? cursor, ignoredLinks };
}
