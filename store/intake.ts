import type { DataKeyring } from '../crypto/data-keys.js';
import type { Sql } from '../db/connect.js';
import { newId } from '../lib/ids.js';
import type { CaseFile } from '../schemas/case-file.js';
import { DATA_CATEGORIES, type ReferralStatus } from '../schemas/vocabulary.js';
import { newMessageId } from './outbox.js';
import { referralFromRow, type ReferralRow } from './referrals.js';

/** The referral's own fields as its row holds them, plus what intake alone knows. */
export interface IntakeInput extends Pick<ReferralRow, 'id' | 'participantId' | 'referrerOrgId' | 'partnerId' | 'service' | 'purpose' | 'priority'> {
  status: Extract<ReferralStatus, 'queued' | 'awaiting_consent'>;
  reason: string;
  createdBy: string;
  /** Why the referral waits, on its first timeline entry, when it does. */
  waitingReason: string | null;
  /** The hub's clock: the first timeline entry is stamped with it, as every event is (SLA timers read them). */
  at: Date;
}

/** A referral ready to be written: everything encrypted, nothing left to do inside the transaction. */
export interface PreparedIntake {
  input: IntakeInput;
  reasonJwe: string;
  waitingReasonJwe: string | null;
  entries: { ordinal: number[]; kind: ('section' | 'note')[]; category: string[]; contentJwe: string[] };
}

/**
 * Encrypts the referral's reason and every case-file section and note (each its own ciphertext,
 * so a projection decrypts only what it may show). Done before any transaction opens, so no
 * connection sits idle in a transaction while the CPU encrypts.
 */
export function prepareIntake(keyring: DataKeyring, input: IntakeInput, caseFile: CaseFile): PreparedIntake {
  const entries: PreparedIntake['entries'] = { ordinal: [], kind: [], category: [], contentJwe: [] };
  const add = (kind: 'section' | 'note', category: string, content: unknown) => {
    entries.ordinal.push(entries.ordinal.length);
    entries.kind.push(kind);
    entries.category.push(category);
    entries.contentJwe.push(keyring.encryptSync(content));
  };
  for (const category of DATA_CATEGORIES) if (caseFile[category] !== undefined) add('section', category, caseFile[category]);
  for (const note of caseFile.notes ?? []) add('note', note.category, note.text);
  return {
    input,
    reasonJwe: keyring.encryptSync(input.reason),
    waitingReasonJwe: input.waitingReason ? keyring.encryptSync(input.waitingReason) : null,
    entries,
  };
}

/**
 * Writes a referral in ONE statement: the referral, its encrypted case file, its first timeline
 * event, the outbox row (when it may go out now) and the audit entry; the caller wakes the relay
 * after the commit (services/relay-wake.ts). One round trip instead of six; atomic as a statement is, and inside the caller's
 * transaction when it has one (idempotency keys). Foreign keys between the parts are checked at
 * the end of the statement, so the children may name the referral the first part inserts.
 */
export async function writeIntake(sql: Sql, p: PreparedIntake): Promise<ReferralRow> {
  const i = p.input;
  const firstEvent = i.status === 'queued' ? 'created' : 'awaiting_consent';
  const [row] = await sql<Parameters<typeof referralFromRow>[0][]>`
    WITH r AS (
      INSERT INTO referrals (id, participant_id, referrer_org_id, partner_id, service, purpose, priority, reason_jwe, status, created_by)
      VALUES (${i.id}, ${i.participantId}, ${i.referrerOrgId}, ${i.partnerId}, ${i.service}, ${i.purpose}, ${i.priority}, ${p.reasonJwe}, ${i.status}, ${i.createdBy})
      RETURNING *
    ), entries AS (
      INSERT INTO case_file_entries (referral_id, ordinal, kind, category, content_jwe)
      SELECT ${i.id}, e.ordinal, e.kind, e.category, e.content_jwe
      FROM unnest(${p.entries.ordinal}::int[], ${p.entries.kind}::text[], ${p.entries.category}::text[], ${p.entries.contentJwe}::text[])
        AS e(ordinal, kind, category, content_jwe)
    ), event AS (
      INSERT INTO referral_events (id, referral_id, type, occurred_at, by_org_id, by_client_id, reason_jwe, status_after, created_at)
      VALUES (${newId('evt')}, ${i.id}, ${firstEvent}, ${i.at}, ${i.referrerOrgId}, ${i.createdBy}, ${p.waitingReasonJwe}, ${i.status}, ${i.at})
    ), outbox_row AS (
      INSERT INTO outbox (referral_id, kind, message_id, partner_id)
      SELECT ${i.id}, 'deliver', ${newMessageId()}, ${i.partnerId} WHERE ${i.status} = 'queued'
      RETURNING id
    ), audit AS (
      INSERT INTO audit_log (actor, action, subject, detail)
      VALUES (${i.createdBy}, 'referral.created', ${i.id}, ${sql.json({ partnerId: i.partnerId, status: i.status })})
    )
    SELECT r.* FROM r`;
  return referralFromRow(row!);
}
