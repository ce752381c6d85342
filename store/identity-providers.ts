import type { Sql } from '../db/connect.js';

/** An organisation's identity provider as stored; the client secret stays encrypted here. */
export interface IdentityProviderRow {
  organizationId: string;
  issuer: string;
  clientId: string;
  clientSecretJwe: string;
  matchBy: 'sub' | 'email';
  emailDomain: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const columns = (sql: Sql) => sql`organization_id AS "organizationId", issuer, client_id AS "clientId", client_secret_jwe AS "clientSecretJwe",
  match_by AS "matchBy", email_domain AS "emailDomain", created_at AS "createdAt", updated_at AS "updatedAt"`;

export async function getIdentityProvider(sql: Sql, organizationId: string): Promise<IdentityProviderRow | undefined> {
  const [row] = await sql<IdentityProviderRow[]>`SELECT ${columns(sql)} FROM identity_providers WHERE organization_id = ${organizationId}`;
  return row;
}

/** The provider whose organisation uses this mail domain, if any (the domain is unique, whatever its case). */
export async function getIdentityProviderByDomain(sql: Sql, domain: string): Promise<IdentityProviderRow | undefined> {
  const [row] = await sql<IdentityProviderRow[]>`SELECT ${columns(sql)} FROM identity_providers WHERE lower(email_domain) = lower(${domain})`;
  return row;
}

/**
 * Creates or replaces the organisation's provider; `created` tells which. `undefined` when another
 * organisation already uses the mail domain.
 */
export async function putIdentityProvider(
  sql: Sql,
  row: Omit<IdentityProviderRow, 'createdAt' | 'updatedAt'>,
): Promise<{ row: IdentityProviderRow; created: boolean } | undefined> {
  try {
    const [saved] = await sql<(IdentityProviderRow & { created: boolean })[]>`
      INSERT INTO identity_providers (organization_id, issuer, client_id, client_secret_jwe, match_by, email_domain)
      VALUES (${row.organizationId}, ${row.issuer}, ${row.clientId}, ${row.clientSecretJwe}, ${row.matchBy}, ${row.emailDomain})
      ON CONFLICT (organization_id) DO UPDATE SET
        issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id, client_secret_jwe = EXCLUDED.client_secret_jwe,
        match_by = EXCLUDED.match_by, email_domain = EXCLUDED.email_domain, updated_at = now()
      RETURNING ${columns(sql)}, (xmax = 0) AS created`;
    const { created, ...saved_ } = saved!;
    return { row: saved_, created };
  } catch (error) {
    if ((error as { code?: string; constraint_name?: string }).constraint_name === 'identity_providers_email_domain') return undefined;
    throw error;
  }
}

export async function deleteIdentityProvider(sql: Sql, organizationId: string): Promise<boolean> {
  const rows = await sql`DELETE FROM identity_providers WHERE organization_id = ${organizationId} RETURNING 1`;
  return rows.length > 0;
}
