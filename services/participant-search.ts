import type { Caller } from '../domain/caller.js';
import type { ParticipantSearch } from '../schemas/participant.js';
import { appendAudit } from '../store/audit.js';
import { scopedTo } from '../store/scoped.js';
import type { Hub } from './hub.js';
import { shownParticipant } from './participants.js';

/** At most this many are shown; a search that finds more asks to be narrowed. */
export const SEARCH_LIMIT = 25;

/** Case and accents do not matter: "José" is found as "jose". */
const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** Every word typed starts one of the participant's names (given or family), in any order. */
export function nameMatches(name: { given: string[]; family: string }, query: string): boolean {
  const parts = [...name.given, ...name.family.split(/[\s-]+/), name.family].map(fold);
  return fold(query).split(/\s+/).filter(Boolean).every((word) => parts.some((part) => part.startsWith(word)));
}

/**
 * The caller's own participants that match, newest first: the clear columns (date of birth,
 * reference) narrow in SQL, the name is compared after decryption within what they let through.
 * Another organisation's participants are never candidates (store/scoped.ts). The search is
 * audited with the criteria it used and the ids it showed, never the values typed.
 */
export async function findParticipants(hub: Pick<Hub, 'sql' | 'keyring' | 'clock'>, caller: Caller, search: ParticipantSearch) {
  const scope = scopedTo(hub.sql, hub.keyring, caller);
  // With a name to filter on, more rows are read than shown, so a common birth date still finds the person.
  const read = search.name ? 20 * SEARCH_LIMIT : SEARCH_LIMIT + 1;
  const candidates = await scope.findParticipants({ birthDate: search.birthDate, reference: search.reference }, read);
  const matching = search.name ? candidates.filter((p) => nameMatches(p.name, search.name!)) : candidates;
  const items = matching.slice(0, SEARCH_LIMIT).map((p) => shownParticipant(p, hub.clock.now()));
  const criteria = (['name', 'birthDate', 'reference'] as const).filter((k) => search[k]);
  await appendAudit(hub.sql, { actor: caller.clientId, action: 'participants.searched', detail: { criteria, ids: items.map((p) => p.id) } });
  // `more`: some matches are not shown (or, with a name, not even compared): the search should be narrowed.
  return { items, more: matching.length > SEARCH_LIMIT || (Boolean(search.name) && candidates.length === read) };
}

/**
 * GET /v1/participants?externalId=: the caller's participants enrolled under the id its own
 * system gave them, newest first, so a script or an integration finds a participant again
 * instead of enrolling them twice. The same scoped search, on the reference alone.
 */
export async function participantsByExternalId(hub: Pick<Hub, 'sql' | 'keyring' | 'clock'>, caller: Caller, query: { externalId: string; limit: number }) {
  const candidates = await scopedTo(hub.sql, hub.keyring, caller).findParticipants({ reference: query.externalId }, query.limit + 1);
  // The reference also matches a hub id; this look-up is by the organisation's own id only.
  const items = candidates.filter((p) => p.externalId === query.externalId).slice(0, query.limit).map((p) => shownParticipant(p, hub.clock.now()));
  await appendAudit(hub.sql, { actor: caller.clientId, action: 'participants.searched', detail: { criteria: ['externalId'], ids: items.map((p) => p.id) } });
  return { items, nextCursor: null };
}
