import type { Sql } from '../db/connect.js';
import { CHANNELS } from '../db/coordination.js';
import type { DataKeyring } from '../crypto/data-keys.js';
import type { Basis, Provision, Signature } from '../consent/types.js';
import type { Irrevocability } from '../schemas/consent.js';
import type { BasisKind } from '../schemas/vocabulary.js';
import type { ParticipantRef } from './participants.js';

type Row = {
  id: string;
  participant_id: string;
  basis: BasisKind;
  status: 'active' | 'revoked' | 'expired';
  period_start: Date;
  period_end: Date | null;
  signatures: Signature[];
  signer_names_jwe: string | null;
  document_ref: string | null;
  provision: Provision;
  created_at: Date;
  revoked_at: Date | null;
  revoke_reason_jwe: string | null;
  irrevocable: Irrevocability | null;
};

export interface ConsentRecord extends Basis {
  irrevocable?: Irrevocability | undefined;
  createdAt: string;
  revokeReason?: string | undefined;
}

/**
 * Signers' names and revocation reasons are encrypted at rest; decisions need neither, so the
 * bases loaded for decisions leave them out and only the compliance views decrypt them.
 */
async function withPrivateFields(keyring: DataKeyring, row: Row): Promise<ConsentRecord> {
  const consent = toConsent(row);
  const names = row.signer_names_jwe ? await keyring.decrypt<string[]>(row.signer_names_jwe) : [];
  consent.signatures = consent.signatures.map((s, i) => ({ ...s, name: names[i] ?? '' }));
  if (row.revoke_reason_jwe) consent.revokeReason = await keyring.decrypt<string>(row.revoke_reason_jwe);
  return consent;
}

const toConsent = (r: Row): ConsentRecord => ({
  id: r.id,
  participantId: r.participant_id,
  basis: r.basis,
  status: r.status,
  period: { start: r.period_start.toISOString(), ...(r.period_end ? { end: r.period_end.toISOString() } : {}) },
  signatures: r.signatures,
  ...(r.document_ref ? { documentRef: r.document_ref } : {}),
  provision: r.provision,
  ...(r.irrevocable ? { irrevocable: r.irrevocable } : {}),
  createdAt: r.created_at.toISOString(),
  ...(r.revoked_at ? { revokedAt: r.revoked_at.toISOString() } : {}),
});

export async function insertConsent(sql: Sql, keyring: DataKeyring, consent: Omit<Basis, 'revokedAt'> & { irrevocable?: Irrevocability | undefined }, createdBy: string): Promise<ConsentRecord> {
  const signatures = consent.signatures.map(({ name: _name, ...rest }) => ({ ...rest, name: '' }));
  const names = consent.signatures.length > 0 ? await keyring.encrypt(consent.signatures.map((s) => s.name)) : null;
  const [row] = await sql<Row[]>`INSERT INTO consents (id, participant_id, basis, status, period_start, period_end, signatures, signer_names_jwe, document_ref, provision, irrevocable, created_by)
    VALUES (${consent.id}, ${consent.participantId}, ${consent.basis}, ${consent.status}, ${consent.period.start}, ${consent.period.end ?? null},
      ${sql.json(signatures as never)}, ${names}, ${consent.documentRef ?? null}, ${sql.json(consent.provision as never)},
      ${consent.irrevocable ? sql.json(consent.irrevocable as never) : null}, ${createdBy})
    RETURNING *`;
  await notifyConsentChange(sql, consent.participantId);
  return withPrivateFields(keyring, row!);
}

/** Delivered at commit to every process's basis cache (services/basis-cache.ts). */
export async function notifyConsentChange(sql: Sql, participantId: string): Promise<void> {
  await sql`SELECT pg_notify(${CHANNELS.consents}, ${participantId})`;
}

/** `ownerOrgId` limits the look-up to consents of one organisation's participants (store/scoped.ts). */
export async function getConsent(sql: Sql, keyring: DataKeyring, id: string, ownerOrgId?: string): Promise<ConsentRecord | undefined> {
  const [row] = await sql<Row[]>`SELECT * FROM consents WHERE id = ${id}
    AND ${ownerOrgId === undefined ? sql`true` : sql`participant_id IN (SELECT id FROM participants WHERE organization_id = ${ownerOrgId})`}`;
  return row && withPrivateFields(keyring, row);
}

export async function listConsents(sql: Sql, keyring: DataKeyring, participantId: string): Promise<ConsentRecord[]> {
  const rows = await sql<Row[]>`SELECT * FROM consents WHERE participant_id = ${participantId} ORDER BY created_at DESC, id DESC`;
  return Promise.all(rows.map((row) => withPrivateFields(keyring, row)));
}

/**
 * The bases a decision for this participant may rest on: one indexed query. Revoked bases are
 * loaded too, so that a denial can say "consent … was revoked" rather than "no consent".
 */
export async function loadBases(sql: Sql, participantId: string): Promise<Basis[]> {
  const rows = await sql<Row[]>`SELECT * FROM consents WHERE participant_id = ${participantId} ORDER BY id`;
  return rows.map(toConsent);
}

export async function revokeConsent(sql: Sql, keyring: DataKeyring, id: string, reason: string): Promise<ConsentRecord | undefined> {
  const [row] = await sql<Row[]>`UPDATE consents SET status = 'revoked', revoked_at = now(), revoke_reason_jwe = ${await keyring.encrypt(reason)}
    WHERE id = ${id} AND status <> 'revoked' RETURNING *`;
  if (row) await notifyConsentChange(sql, row.participant_id);
  return row && withPrivateFields(keyring, row);
}

/** A consent row as `basesColumn` gives it: JSON, so timestamps are ISO strings. */
export type BasisJson = Omit<Row, 'period_start' | 'period_end' | 'created_at' | 'revoked_at' | 'signer_names_jwe' | 'revoke_reason_jwe'> & {
  period_start: string; period_end: string | null; created_at: string; revoked_at: string | null;
};

/**
 * The bases of the participant `participantId` names (a column of the statement's own rows) as one
 * JSON column, for a statement that brings them along with what it reads: what `loadBases` gives,
 * in the same order, read back by `basesFromJson`.
 */
export const basesColumn = (sql: Sql, participantId: string) => sql`coalesce((SELECT json_agg(json_build_object(
      'id', c.id, 'participant_id', c.participant_id, 'basis', c.basis, 'status', c.status,
      'period_start', c.period_start, 'period_end', c.period_end, 'signatures', c.signatures,
      'document_ref', c.document_ref, 'provision', c.provision, 'irrevocable', c.irrevocable,
      'created_at', c.created_at, 'revoked_at', c.revoked_at) ORDER BY c.id)
    FROM consents c WHERE c.participant_id = ${sql(participantId)}), '[]')`;

export function basesFromJson(rows: BasisJson[]): Basis[] {
  const date = (iso: string | null) => (iso === null ? null : new Date(iso));
  return rows.map((c) => toConsent({
    ...c, period_start: date(c.period_start)!, period_end: date(c.period_end), created_at: date(c.created_at)!, revoked_at: date(c.revoked_at),
    signer_names_jwe: null, revoke_reason_jwe: null,
  }));
}

/**
 * A participant's reference and its bases in one round trip, for a decision whose bases are not
 * cached: what `getParticipantRef` and `loadBases` answer, in one statement.
 * Limited to `ownerOrgId`'s participants, as `getParticipantRef` is.
 */
export async function getParticipantRefWithBases(sql: Sql, id: string, ownerOrgId: string): Promise<{ ref: ParticipantRef; bases: Basis[] } | undefined> {
  const [row] = await sql<{ id: string; organization_id: string; birth_date: string; bases: BasisJson[] }[]>`
    SELECT p.id, p.organization_id, to_char(p.birth_date, 'YYYY-MM-DD') AS birth_date, ${basesColumn(sql, 'p.id')} AS bases
    FROM participants p WHERE p.id = ${id} AND p.organization_id = ${ownerOrgId}`;
  if (!row) return undefined;
  return { ref: { id: row.id, organizationId: row.organization_id, birthDate: row.birth_date }, bases: basesFromJson(row.bases) };
}

/**
 * Marks consents whose period has ended by `at` `expired` (they were already denying: a decision
 * judges the period itself). `at` is the hub's clock, not the database's `now()`, so the sweep
 * and the decisions it reconciles judge the period at the same instant.
 */
export async function expireEndedConsents(tx: Sql, at: Date): Promise<{ id: string; participantId: string }[]> {
  const rows = await tx<{ id: string; participant_id: string }[]>`UPDATE consents SET status = 'expired'
    WHERE status = 'active' AND period_end IS NOT NULL AND period_end <= ${at} RETURNING id, participant_id`;
  return rows.map((r) => ({ id: r.id, participantId: r.participant_id }));
}
