import type { Sql } from '../db/connect.js';
import type { DataKeyring } from '../crypto/data-keys.js';
import type { Participant, ParticipantInput } from '../schemas/participant.js';
import { reportCodes } from '../domain/indicator-groups.js';

type Row = { id: string; organization_id: string; external_id: string | null; birth_date: string; record_jwe: string; created_at: Date };

/** The stored participant. Whether they are a minor is the consent policy's call (services/participants.ts), not the store's. */
export interface ParticipantRecord extends Omit<Participant, 'minor'> {
  organizationId: string;
}

/**
 * The record is encrypted at rest; in the clear stay the birth date (minor checks, reports) and the
 * race and gender codes the indicators report groups by (codes only, never the name).
 */
export async function insertParticipant(sql: Sql, keyring: DataKeyring, id: string, organizationId: string, input: ParticipantInput): Promise<ParticipantRecord> {
  const { birthDate, externalId, ...rest } = input;
  const codes = reportCodes(input);
  const [row] = await sql<Row[]>`INSERT INTO participants (id, organization_id, external_id, birth_date, record_jwe, race_codes, gender_code, report_codes_filled)
    VALUES (${id}, ${organizationId}, ${externalId ?? null}, ${birthDate}, ${await keyring.encrypt(rest)}, ${codes.raceCodes}, ${codes.genderCode}, true) RETURNING *`;
  return toParticipant(keyring, row!);
}

/** `ownerOrgId` limits the look-up to one organisation's participants (store/scoped.ts). */
export async function getParticipant(sql: Sql, keyring: DataKeyring, id: string, ownerOrgId?: string): Promise<ParticipantRecord | undefined> {
  const [row] = await sql<Row[]>`SELECT id, organization_id, external_id, to_char(birth_date, 'YYYY-MM-DD') AS birth_date, record_jwe, created_at
    FROM participants WHERE id = ${id} AND ${ownerOrgId === undefined ? sql`true` : sql`organization_id = ${ownerOrgId}`}`;
  return row && toParticipant(keyring, row);
}

/** What a participant search may narrow on in SQL: the columns kept in the clear. */
export interface ParticipantCriteria {
  birthDate?: string | undefined;
  /** The enrolling organisation's own case number, or the hub's participant id. */
  reference?: string | undefined;
}

/**
 * One organisation's participants matching every criterion given, newest first, at most `limit`.
 * Only the clear columns are compared here; the name is inside the encrypted record, so a name
 * is matched by the caller after decryption, within what these criteria let through.
 */
export async function searchParticipants(sql: Sql, keyring: DataKeyring, ownerOrgId: string, criteria: ParticipantCriteria, limit: number): Promise<ParticipantRecord[]> {
  const rows = await sql<Row[]>`SELECT id, organization_id, external_id, to_char(birth_date, 'YYYY-MM-DD') AS birth_date, record_jwe, created_at
    FROM participants
    WHERE organization_id = ${ownerOrgId}
      AND ${criteria.birthDate ? sql`birth_date = ${criteria.birthDate}` : sql`true`}
      AND ${criteria.reference ? sql`(external_id = ${criteria.reference} OR id = ${criteria.reference})` : sql`true`}
    ORDER BY created_at DESC, id DESC LIMIT ${limit}`;
  return Promise.all(rows.map((row) => toParticipant(keyring, row)));
}

/** The few fields decisions need, without decrypting the record. */
export interface ParticipantRef {
  id: string;
  organizationId: string;
  birthDate: string;
}

export async function getParticipantRef(sql: Sql, id: string, ownerOrgId?: string): Promise<ParticipantRef | undefined> {
  const [row] = await sql<{ id: string; organization_id: string; birth_date: string }[]>`
    SELECT id, organization_id, to_char(birth_date, 'YYYY-MM-DD') AS birth_date FROM participants
    WHERE id = ${id} AND ${ownerOrgId === undefined ? sql`true` : sql`organization_id = ${ownerOrgId}`}`;
  return row && { id: row.id, organizationId: row.organization_id, birthDate: row.birth_date };
}

async function toParticipant(keyring: DataKeyring, row: Row): Promise<ParticipantRecord> {
  const record = await keyring.decrypt<Omit<ParticipantInput, 'birthDate' | 'externalId'>>(row.record_jwe);
  const birthDate = typeof row.birth_date === 'string' ? row.birth_date : (row.birth_date as Date).toISOString().slice(0, 10);
  return {
    id: row.id,
    organizationId: row.organization_id,
    ...(row.external_id ? { externalId: row.external_id } : {}),
    ...record,
    birthDate,
    createdAt: row.created_at.toISOString(),
  };
}

/** Participants enrolled before the report codes were columns: their codes are still only inside the record. */
export async function participantsWithoutReportCodes(sql: Sql, keyring: DataKeyring, limit: number) {
  const rows = await sql<{ id: string; record_jwe: string }[]>`SELECT id, record_jwe FROM participants WHERE NOT report_codes_filled ORDER BY id LIMIT ${limit}`;
  return Promise.all(rows.map(async (r) => ({ id: r.id, record: await keyring.decrypt<Pick<ParticipantInput, 'race' | 'gender'>>(r.record_jwe) })));
}

export async function setReportCodes(sql: Sql, id: string, codes: { raceCodes: string[]; genderCode: string | null }) {
  await sql`UPDATE participants SET race_codes = ${codes.raceCodes}, gender_code = ${codes.genderCode}, report_codes_filled = true WHERE id = ${id}`;
}
