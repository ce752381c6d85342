import { ageAt, DEFAULT_MINOR_POLICY } from '../consent/index.js';
import type { Caller } from '../domain/caller.js';
import type { Hub } from './hub.js';
import { notFound } from '../lib/errors.js';
import type { Purpose } from '../schemas/vocabulary.js';
import { appendAudit } from '../store/audit.js';
import { listDisclosures, type DisclosureFilter } from '../store/disclosures.js';
import { latestVerification, recordVerification, sealAudit, sealingLag, verifyAuditChain } from '../store/audit.js';
import { scopedTo } from '../store/scoped.js';
import { decideFor } from './decisions.js';

/**
 * GET /v1/participants/{id}/access: the very decision the hub enforces, forward (no `source`) or
 * reverse (`source` = the partner reporting back), with a reason for every denied category.
 */
export async function explainAccess(
  hub: Pick<Hub, 'sql' | 'keyring' | 'bases' | 'clock' | 'organizations'>,
  caller: Caller,
  participantId: string,
  query: { recipient: string; purpose: Purpose; source?: string | undefined; at?: string | undefined },
) {
  const scope = scopedTo(hub.sql, hub.keyring, caller);
  // A participant whose bases are not cached costs one statement, not two: the scope's look-up
  // brings the bases along and primes the cache the decision then reads.
  const [ref, recipient, source] = await Promise.all([
    hub.bases.peek(participantId)
      ? scope.participantRef(participantId)
      : hub.bases.loadWith(participantId, () => scope.participantRefWithBases(participantId), (found) => found.bases).then((found) => found.ref),
    hub.organizations.get(query.recipient),
    query.source ? hub.organizations.get(query.source) : undefined,
  ]);
  if (!recipient) throw notFound('recipient organization', 'recipient');
  if (query.source && !source) throw notFound('source organization', 'source');
  const at = query.at ? new Date(query.at) : hub.clock.now();
  // A minor's reasons name the guardian whose signature is missing: only then is the (encrypted)
  // record opened, so an adult's decision costs no decryption.
  const minor = !(ageAt(ref.birthDate, at) >= DEFAULT_MINOR_POLICY.adultAge);
  const guardians = minor ? (await scope.participant(participantId)).guardians?.map((g) => `${g.name}, ${g.relationship}`) : undefined;
  const decision = await decideFor(hub.bases, { ...ref, guardians }, recipient, query.purpose, at, source);
  return { permitted: decision.permitted, denied: decision.denied, bases: decision.bases as Record<string, string[]>, obligations: decision.obligations };
}

/** GET /v1/participants/{id}/disclosures: the accounting of disclosures; reading it is audited too. */
export async function accountingOf(hub: Pick<Hub, 'sql' | 'keyring'>, caller: Caller, participantId: string, filter: DisclosureFilter) {
  const participant = await scopedTo(hub.sql, hub.keyring, caller).participantRef(participantId);
  const items = await listDisclosures(hub.sql, participant.id, filter);
  await appendAudit(hub.sql, { actor: caller.clientId, action: 'disclosures.read', subject: participant.id });
  return items;
}

/**
 * GET /v1/audit/verify: first chains what has committed (so the answer covers every entry written
 * before the call), then walks the hash chain; tampering with any entry shows as `firstBrokenAt`.
 * The walk is recorded with who asked (`by`), for the console to show when it last ran.
 */
export async function verifyAudit(hub: Pick<Hub, 'sql'>, by: string) {
  while ((await sealAudit(hub.sql)) > 0);
  const result = await verifyAuditChain(hub.sql);
  await recordVerification(hub.sql, by, result);
  return result;
}

/** The latest recorded walk of the chain, and the sequencer's lag now: what the console's audit page shows without walking. */
export async function auditStatus(hub: Pick<Hub, 'sql'>) {
  const [last, lag] = await Promise.all([latestVerification(hub.sql), sealingLag(hub.sql)]);
  return { last, ...lag };
}

const CSV_COLUMNS = ['at', 'recipientOrganizationId', 'referralId', 'channel', 'purpose', 'categories', 'basisIds', 'basisKinds'] as const;

/** RFC 4180 CSV of an accounting of disclosures, for a participant who asks for it on paper. */
export function disclosuresCsv(items: Awaited<ReturnType<typeof listDisclosures>>): string {
  const cell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const lines = [CSV_COLUMNS.join(',')];
  for (const d of items) {
    lines.push(
      [d.at, d.recipientOrganizationId, d.referralId ?? '', d.channel, d.purpose, d.categories.join(' '), d.basisIds.join(' '), d.bases.map((b) => b.basis).join(' ')]
        .map(cell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
