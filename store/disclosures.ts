import type { Sql } from '../db/connect.js';
import type { DataCategory, Purpose } from '../schemas/vocabulary.js';

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

export async function listDisclosures(sql: Sql, participantId: string, from?: string, to?: string) {
  const rows = await sql<{ at: Date; recipient_org_id: string; referral_id: string | null; categories: DataCategory[]; purpose: Purpose; basis_ids: string[]; channel: DisclosureChannel }[]>`
    SELECT at, recipient_org_id, referral_id, categories, purpose, basis_ids, channel FROM disclosures
    WHERE participant_id = ${participantId}
      AND ${from ? sql`at >= ${from}` : sql`true`} AND ${to ? sql`at < ${to}` : sql`true`}
    ORDER BY at DESC, id DESC`;
  return rows.map((r) => ({
    at: r.at.toISOString(),
    recipientOrganizationId: r.recipient_org_id,
    referralId: r.referral_id,
    categories: r.categories,
    purpose: r.purpose,
    basisIds: r.basis_ids,
    channel: r.channel,
  }));
}
