import { ageAt, DEFAULT_MINOR_POLICY } from '../consent/index.js';
import { transaction } from '../db/connect.js';
import type { Caller } from '../domain/caller.js';
import type { Hub } from './hub.js';
import { newId } from '../lib/ids.js';
import type { ParticipantInput } from '../schemas/participant.js';
import { appendAudit } from '../store/audit.js';
import { insertParticipant, type ParticipantRecord } from '../store/participants.js';
import { scopedTo } from '../store/scoped.js';

/**
 * The participant as the API shows it: `minor` under the consent policy at `at` (the hub's
 * clock); the owning organisation is the caller's, so it is left out.
 */
export const shownParticipant = ({ organizationId: _org, ...participant }: ParticipantRecord, at: Date) => ({
  ...participant,
  minor: ageAt(participant.birthDate, at) < DEFAULT_MINOR_POLICY.adultAge,
});

/** POST /v1/participants: the record (encrypted at rest) and its audit entry commit together, or neither does. */
export async function enrolParticipant(hub: Pick<Hub, 'sql' | 'keyring' | 'clock'>, caller: Caller & { organizationId: string }, input: ParticipantInput) {
  const participant = await transaction(hub.sql, async (tx) => {
    const created = await insertParticipant(tx, hub.keyring, newId('par'), caller.organizationId, input);
    await appendAudit(tx, { actor: caller.clientId, action: 'participant.created', subject: created.id });
    return created;
  });
  return shownParticipant(participant, hub.clock.now());
}

/** GET /v1/participants/{id}: one of the caller's participants; any other is not found. Each read is audited. */
export async function readParticipant(hub: Pick<Hub, 'sql' | 'keyring' | 'clock'>, caller: Caller, id: string) {
  const participant = await scopedTo(hub.sql, hub.keyring, caller).participant(id);
  await appendAudit(hub.sql, { actor: caller.clientId, action: 'participant.read', subject: participant.id });
  return shownParticipant(participant, hub.clock.now());
}
