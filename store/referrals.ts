import type { Sql } from '../db/connect.js';
import type { DataKeyring } from '../crypto/data-keys.js';
import { decodeCursor, type CursorPosition } from '../lib/cursor.js';
import type { CaseFile } from '../schemas/case-file.js';
import type { Purpose, ReferralStatus, Service } from '../schemas/vocabulary.js';
import type { DataCategory } from '../schemas/vocabulary.js';
import type { Basis } from '../consent/types.js';
import { basesColumn, basesFromJson, type BasisJson } from './consents.js';

export interface ReferralRow {
  id: string;
  participantId: string;
  referrerOrgId: string;
  partnerId: string;
  service: Service;
  purpose: Purpose;
  priority: 'routine' | 'urgent';
  reasonJwe: string;
  status: ReferralStatus;
  statusBeforeHold: ReferralStatus | null;
  deliveredAt: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

type Row = {
  id: string; participant_id: string; referrer_org_id: string; partner_id: string; service: Service; purpose: Purpose;
  priority: 'routine' | 'urgent'; reason_jwe: string; status: ReferralStatus; status_before_hold: ReferralStatus | null;
  delivered_at: Date | null; last_error: string | null; created_at: Date; updated_at: Date;
};
/** A `referrals` row as the rest of the hub sees it. */
export const referralFromRow = (r: Row): ReferralRow => ({
  id: r.id, participantId: r.participant_id, referrerOrgId: r.referrer_org_id, partnerId: r.partner_id, service: r.service,
  purpose: r.purpose, priority: r.priority, reasonJwe: r.reason_jwe, status: r.status, statusBeforeHold: r.status_before_hold,
  deliveredAt: r.delivered_at?.toISOString() ?? null, lastError: r.last_error, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
});

/** A case-file entry as stored: each section and note encrypted on its own. */
export type CaseFileEntryRow = { kind: 'section' | 'note'; category: DataCategory; content_jwe: string };

/**
 * Loads a referral's case file. With `only`, entries of other categories are not even decrypted:
 * the projection still decides, this just keeps plaintext that cannot leave out of memory.
 */
export async function loadCaseFile(sql: Sql, keyring: DataKeyring, referralId: string, only?: readonly DataCategory[]): Promise<CaseFile> {
  const rows = await sql<CaseFileEntryRow[]>`
    SELECT kind, category, content_jwe FROM case_file_entries WHERE referral_id = ${referralId} ORDER BY ordinal`;
  return openCaseFile(keyring, rows, only);
}

/** The case file from its entries (in ordinal order), decrypting only those of `only` when given. */
export async function openCaseFile(keyring: DataKeyring, rows: readonly CaseFileEntryRow[], only?: readonly DataCategory[]): Promise<CaseFile> {
  const caseFile: Record<string, unknown> & { notes?: { category: DataCategory; text: string }[] } = {};
  for (const row of rows) {
    // Excluded entries are still counted by the projection, so keep a placeholder for them.
    const value = !only || only.includes(row.category) ? await keyring.decrypt(row.content_jwe) : {};
    if (row.kind === 'section') caseFile[row.category] = value;
    else (caseFile.notes ??= []).push({ category: row.category, text: typeof value === 'string' ? value : '' });
  }
  return caseFile as CaseFile;
}

/** Who a referral look-up is for: the referring organisation, or the partner once it is delivered. */
export type ReferralAudience = { referrerOrgId: string } | { partnerOrgId: string };

/** `audience` limits the look-up to what that organisation may see (store/scoped.ts). */
export async function getReferral(sql: Sql, id: string, opts: { forUpdate?: boolean; audience?: ReferralAudience } = {}): Promise<ReferralRow | undefined> {
  const a = opts.audience;
  const visible = !a ? sql`true` : 'referrerOrgId' in a ? sql`referrer_org_id = ${a.referrerOrgId}` : sql`partner_id = ${a.partnerOrgId} AND delivered_at IS NOT NULL`;
  const [row] = opts.forUpdate
    ? await sql<Row[]>`SELECT * FROM referrals WHERE id = ${id} AND ${visible} FOR UPDATE`
    : await sql<Row[]>`SELECT * FROM referrals WHERE id = ${id} AND ${visible}`;
  return row && referralFromRow(row);
}

/**
 * A referral for a read, in one query: with the participant fields the consent decision needs
 * (the participant is the referral's own, so no tenancy check is skipped) and, for a caller who
 * may see case data, the still-encrypted case-file entries; `withBases`, the participant's bases
 * too, for a decision whose bases may not be cached. `audience` as above.
 */
export async function getReferralWithParticipant(
  sql: Sql,
  id: string,
  audience: ReferralAudience | undefined,
  opts: { withCaseFile: boolean; withBases?: boolean },
): Promise<{ referral: ReferralRow; participant: { id: string; organizationId: string; birthDate: string }; caseFileEntries: CaseFileEntryRow[] | undefined; bases: Basis[] | undefined } | undefined> {
  const visible = !audience ? sql`true` : 'referrerOrgId' in audience ? sql`r.referrer_org_id = ${audience.referrerOrgId}` : sql`r.partner_id = ${audience.partnerOrgId} AND r.delivered_at IS NOT NULL`;
  const entries = opts.withCaseFile
    ? sql`(SELECT coalesce(json_agg(json_build_object('kind', e.kind, 'category', e.category, 'content_jwe', e.content_jwe) ORDER BY e.ordinal), '[]')
        FROM case_file_entries e WHERE e.referral_id = r.id)`
    : sql`NULL`;
  const [row] = await sql<(WithParticipantRow & { case_file_entries: CaseFileEntryRow[] | null; bases: BasisJson[] | null })[]>`
    SELECT ${withParticipantColumns(sql)}, ${entries} AS case_file_entries,
      ${opts.withBases ? basesColumn(sql, 'p.id') : sql`NULL`} AS bases
    FROM referrals r JOIN participants p ON p.id = r.participant_id
    WHERE r.id = ${id} AND ${visible}`;
  return row && {
    ...withParticipantFromRow(row),
    caseFileEntries: row.case_file_entries ?? undefined,
    bases: row.bases ? basesFromJson(row.bases) : undefined,
  };
}

/** The columns of a referral (`r`) and of its participant (`p`) that a consent decision needs. */
export const withParticipantColumns = (sql: Sql) => sql`r.*, p.organization_id AS p_organization_id, to_char(p.birth_date, 'YYYY-MM-DD') AS p_birth_date`;
export type WithParticipantRow = Row & { p_organization_id: string; p_birth_date: string };
export const withParticipantFromRow = (row: WithParticipantRow) => ({
  referral: referralFromRow(row),
  participant: { id: row.participant_id, organizationId: row.p_organization_id, birthDate: row.p_birth_date },
});

/** Only services/referral-status.ts calls this, after a step of the state machine. */
export async function setReferralStatus(
  tx: Sql,
  id: string,
  status: ReferralStatus,
  extra: { statusBeforeHold?: ReferralStatus | null; deliveredAt?: Date; lastError?: string | null } = {},
): Promise<void> {
  // `deliveredAt` is the hub's clock at delivery (SLA deadlines run from it and are judged on that
  // clock, store/sla.ts); `updated_at` only stamps the row, so the database's `now()` does.
  await tx`UPDATE referrals SET status = ${status},
      status_before_hold = ${extra.statusBeforeHold === undefined ? tx`status_before_hold` : extra.statusBeforeHold},
      delivered_at = ${extra.deliveredAt ? tx`coalesce(delivered_at, ${extra.deliveredAt})` : tx`delivered_at`},
      last_error = ${extra.lastError === undefined ? tx`last_error` : extra.lastError},
      updated_at = now()
    WHERE id = ${id}`;
}

/** The partner has the referral (a send that completed after a cancellation): not a status change. */
export async function markDelivered(tx: Sql, id: string, at: Date): Promise<void> {
  await tx`UPDATE referrals SET delivered_at = coalesce(delivered_at, ${at}), updated_at = now() WHERE id = ${id}`;
}

/** Why the last delivery attempt failed, while the referral stays queued for the next one. */
export async function setLastError(tx: Sql, id: string, lastError: string): Promise<void> {
  await tx`UPDATE referrals SET last_error = ${lastError}, updated_at = now() WHERE id = ${id}`;
}

export interface ReferralFilter {
  /** Exactly one audience: the referring organisation, or the partner (delivered referrals only). */
  referrerOrgId?: string;
  partnerOrgId?: string;
  status?: ReferralStatus | undefined;
  partnerId?: string | undefined;
  participantId?: string | undefined;
}

/**
 * The cursor row's created_at as stored: Postgres keeps microseconds, the cursor only milliseconds,
 * and comparing with the rounded value would skip rows created later in the same millisecond.
 */
const exactCreatedAt = (sql: Sql, after: CursorPosition) =>
  sql`coalesce((SELECT created_at FROM referrals WHERE id = ${after.id}), ${after.createdAt}::timestamptz)`;

export async function listReferrals(sql: Sql, filter: ReferralFilter, limit: number, cursor?: string): Promise<ReferralRow[]> {
  const after = decodeCursor(cursor);
  const rows = await sql<Row[]>`SELECT * FROM referrals WHERE
      ${filter.referrerOrgId ? sql`referrer_org_id = ${filter.referrerOrgId}` : sql`partner_id = ${filter.partnerOrgId!} AND delivered_at IS NOT NULL`}
      AND ${
        filter.status
          ? filter.referrerOrgId
            ? // The referrer may see another status than the stored one for a Part 2 partner (what the
              // program reported can be withheld): those rows are filtered after the projection.
              sql`(status = ${filter.status} OR partner_id IN (SELECT id FROM organizations WHERE part2_program))`
            : sql`status = ${filter.status}`
          : sql`true`
      }
      AND ${filter.partnerId ? sql`partner_id = ${filter.partnerId}` : sql`true`}
      AND ${filter.participantId ? sql`participant_id = ${filter.participantId}` : sql`true`}
      AND ${after ? sql`(created_at, id) < (${exactCreatedAt(sql, after)}, ${after.id})` : sql`true`}
    ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`;
  return rows.map(referralFromRow);
}

/** Participants with a referral waiting for consent. */
export async function participantsAwaitingConsent(tx: Sql): Promise<string[]> {
  const rows = await tx<{ participant_id: string }[]>`SELECT DISTINCT participant_id FROM referrals WHERE status = 'awaiting_consent'`;
  return rows.map((r) => r.participant_id);
}

/** Locks the participants' undelivered referrals, in the order every consent change locks them. */
export async function lockUndeliveredReferralsOf(tx: Sql, participantIds: string[]): Promise<string[]> {
  const rows = await tx<{ id: string }[]>`SELECT id FROM referrals WHERE participant_id = ANY(${participantIds}) AND status IN ('awaiting_consent', 'queued')
    ORDER BY created_at, id FOR UPDATE`;
  return rows.map((r) => r.id);
}
