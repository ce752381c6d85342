import type { Sql } from '../db/connect.js';
import type { DataCategory, Purpose } from '../schemas/vocabulary.js';
import type { AuditEntry } from './audit.js';

export type DisclosureChannel = 'delivery' | 'read' | 'status';

export interface DisclosureRecord {
  id: string;
  participantId: string;
  recipientOrganizationId: string;
  referralId: string | null;
  categories: string[];
  purpose: Purpose;
  basisIds: string[];
  channel: DisclosureChannel;
}

/** Accounting of disclosures (HIPAA 164.528, 42 CFR 2.24): one row per disclosure, never updated. */
export async function recordDisclosure(sql: Sql, d: DisclosureRecord): Promise<void> {
  await sql`INSERT INTO disclosures (id, participant_id, recipient_org_id, referral_id, categories, purpose, basis_ids, channel)
    VALUES (${d.id}, ${d.participantId}, ${d.recipientOrganizationId}, ${d.referralId}, ${d.categories}, ${d.purpose}, ${d.basisIds}, ${d.channel})
    ON CONFLICT (id) DO NOTHING`;
}

/**
 * A disclosure and the audit entry of the act that made it, in ONE statement: both are written or
 * neither is (a statement is atomic), in one round trip instead of two. The audit row goes in
 * unsealed, as appendAudit's does.
 */
export async function recordDisclosureAudited(sql: Sql, d: DisclosureRecord, audit: AuditEntry): Promise<void> {
  await sql`WITH disclosure AS (
      INSERT INTO disclosures (id, participant_id, recipient_org_id, referral_id, categories, purpose, basis_ids, channel)
      VALUES (${d.id}, ${d.participantId}, ${d.recipientOrganizationId}, ${d.referralId}, ${d.categories}, ${d.purpose}, ${d.basisIds}, ${d.channel})
      ON CONFLICT (id) DO NOTHING
    )
    INSERT INTO audit_log (actor, action, subject, detail)
    VALUES (${audit.actor}, ${audit.action}, ${audit.subject ?? null}, ${sql.json((audit.detail ?? {}) as never)})`;
}

export interface DisclosureFilter {
  from?: string | undefined;
  to?: string | undefined;
  recipient?: string | undefined;
  channel?: DisclosureChannel | undefined;
}

export async function listDisclosures(sql: Sql, participantId: string, filter: DisclosureFilter = {}) {
  const rows = await sql<{
    at: Date; recipient_org_id: string; referral_id: string | null; categories: DataCategory[]; purpose: Purpose; basis_ids: string[];
    channel: DisclosureChannel; bases: { id: string; basis: string }[] | null;
  }[]>`
    SELECT d.at, d.recipient_org_id, d.referral_id, d.categories, d.purpose, d.basis_ids, d.channel,
      (SELECT json_agg(json_build_object('id', c.id, 'basis', c.basis) ORDER BY c.id) FROM consents c WHERE c.id = ANY(d.basis_ids)) AS bases
    FROM disclosures d
    WHERE d.participant_id = ${participantId}
      AND ${filter.from ? sql`d.at >= ${filter.from}` : sql`true`} AND ${filter.to ? sql`d.at < ${filter.to}` : sql`true`}
      AND ${filter.recipient ? sql`d.recipient_org_id = ${filter.recipient}` : sql`true`}
      AND ${filter.channel ? sql`d.channel = ${filter.channel}` : sql`true`}
    ORDER BY d.at DESC, d.id DESC`;
  return rows.map((r) => ({
    at: r.at.toISOString(),
    recipientOrganizationId: r.recipient_org_id,
    referralId: r.referral_id,
    categories: r.categories,
    purpose: r.purpose,
    basisIds: r.basis_ids,
    // Court orders and statutes are shown as such, not only as consent ids.
    bases: r.bases ?? [],
    channel: r.channel,
  }));
}

/** The organisations a participant's data has gone to, in the accounting. */
export async function recipientsOf(sql: Sql, participantId: string): Promise<string[]> {
  const rows = await sql<{ recipient_org_id: string }[]>`SELECT DISTINCT recipient_org_id FROM disclosures WHERE participant_id = ${participantId} ORDER BY recipient_org_id`;
  return rows.map((r) => r.recipient_org_id);
}
