import type { Sql } from '../db/connect.js';
import type { DataKeyring } from '../crypto/data-keys.js';
import { decodeCursor } from '../lib/cursor.js';
import type { SlaSettings } from '../domain/sla.js';
import type { OrganizationKind } from '../schemas/vocabulary.js';

/**
 * Adapter settings as stored (`adapter`, jsonb): the kind's own fields in the clear, its secrets
 * apart and encrypted (`secret_jwe`). Their shape belongs to the kind (adapters/<kind>/kind.ts);
 * the store keeps both as they were given.
 */
export interface StoredAdapter {
  readonly type: string;
}

export interface OrganizationRow {
  id: string;
  name: string;
  kind: OrganizationKind;
  part2Program: boolean;
  adapter: StoredAdapter;
  secretJwe: string | null;
  /** Service-level timers for referrals to this organisation; null: none. */
  sla: SlaSettings | null;
  createdAt: string;
}

/** What an adapter needs that is never shown (a webhook secret, a bearer token), as its kind wrote it. */
export type AdapterSecrets = Record<string, unknown>;

type Row = {
  id: string; name: string; kind: OrganizationKind; part2_program: boolean; adapter: StoredAdapter; secret_jwe: string | null; sla: SlaSettings | null; created_at: Date;
};
const toOrganization = (r: Row): OrganizationRow => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  part2Program: r.part2_program,
  adapter: r.adapter,
  secretJwe: r.secret_jwe,
  sla: r.sla,
  createdAt: r.created_at.toISOString(),
});

/** No timer set is stored as no SLA at all. */
const slaJson = (sql: Sql, sla: SlaSettings | null | undefined) => (sla && Object.keys(sla).length > 0 ? sql.json(sla as never) : null);

export async function insertOrganization(sql: Sql, org: Omit<OrganizationRow, 'createdAt'>): Promise<OrganizationRow> {
  const [row] = await sql<Row[]>`INSERT INTO organizations (id, name, kind, part2_program, adapter, secret_jwe, sla)
    VALUES (${org.id}, ${org.name}, ${org.kind}, ${org.part2Program}, ${sql.json(org.adapter as never)}, ${org.secretJwe}, ${slaJson(sql, org.sla)}) RETURNING *`;
  return toOrganization(row!);
}

export async function getOrganization(sql: Sql, id: string): Promise<OrganizationRow | undefined> {
  const [row] = await sql<Row[]>`SELECT * FROM organizations WHERE id = ${id}`;
  return row && toOrganization(row);
}


export async function listOrganizations(sql: Sql, limit: number, cursor?: string) {
  const after = decodeCursor(cursor);
  // Compare with the stored created_at (microseconds), not the cursor's milliseconds (see listReferrals).
  const rows = await sql<Row[]>`SELECT * FROM organizations
    WHERE ${after ? sql`(created_at, id) < (coalesce((SELECT created_at FROM organizations WHERE id = ${after.id}), ${after.createdAt}::timestamptz), ${after.id})` : sql`true`}
    ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`;
  return rows.map(toOrganization);
}

export async function updateOrganization(
  sql: Sql,
  id: string,
  patch: {
    name?: string | undefined; part2Program?: boolean | undefined; adapter?: StoredAdapter | undefined; secretJwe?: string | null | undefined;
    /** Replaces the timers as a whole; null removes them; undefined leaves them. */
    sla?: SlaSettings | null | undefined;
  },
): Promise<OrganizationRow | undefined> {
  const [row] = await sql<Row[]>`UPDATE organizations SET
      name = coalesce(${patch.name ?? null}, name),
      part2_program = coalesce(${patch.part2Program ?? null}, part2_program),
      adapter = coalesce(${patch.adapter ? sql.json(patch.adapter as never) : null}, adapter),
      secret_jwe = ${patch.adapter ? (patch.secretJwe ?? null) : sql`secret_jwe`},
      sla = ${patch.sla === undefined ? sql`sla` : slaJson(sql, patch.sla)},
      updated_at = now()
    WHERE id = ${id} RETURNING *`;
  for (const listener of writeListeners) listener(id);
  return row && toOrganization(row);
}

const writeListeners = new Set<(id: string) => void>();
/**
 * Called with an organisation's id after this process changed it, so a cache in this process
 * can drop it before the change is answered; other processes learn of it by NOTIFY
 * (db/migrations/006). Returns the unsubscribe.
 */
export function onOrganizationWritten(listener: (id: string) => void): () => void {
  writeListeners.add(listener);
  return () => writeListeners.delete(listener);
}

export async function adapterSecrets(keyring: DataKeyring, org: OrganizationRow): Promise<AdapterSecrets> {
  return org.secretJwe ? keyring.decrypt<AdapterSecrets>(org.secretJwe) : {};
}

/** Every organisation whose adapter is of one of `types` (few rows: one per partner system). */
export async function listOrganizationsByAdapter(sql: Sql, types: readonly string[]): Promise<OrganizationRow[]> {
  const rows = await sql<Row[]>`SELECT * FROM organizations WHERE adapter->>'type' = ANY(${types as string[]}) ORDER BY id`;
  return rows.map(toOrganization);
}

/** Organisations of `kinds` (all when undefined), except `excluding`, by name: the planner's partner directory. */
export async function listOrganizationsOfKinds(sql: Sql, kinds: readonly OrganizationKind[] | undefined, excludingKinds: readonly OrganizationKind[], excluding: string, limit: number) {
  const rows = await sql<Row[]>`SELECT * FROM organizations
    WHERE id <> ${excluding} AND NOT (kind = ANY(${[...excludingKinds]}))
      AND ${kinds ? sql`kind = ANY(${[...kinds]})` : sql`true`}
    ORDER BY name, id LIMIT ${limit}`;
  return rows.map(toOrganization);
}
