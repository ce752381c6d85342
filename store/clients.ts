import type { JWK } from 'jose';
import type { Sql } from '../db/connect.js';
import type { Role } from '../schemas/vocabulary.js';

export interface ClientRecord {
  clientId: string;
  organizationId: string | null;
  role: Role;
  jwks: { keys: JWK[] } | null;
  jwksUri: string | null;
}

export async function findClient(sql: Sql, clientId: string): Promise<ClientRecord | undefined> {
  const [row] = await sql<{ client_id: string; organization_id: string; role: Role; jwks: { keys: JWK[] } | null; jwks_uri: string | null }[]>`
    SELECT client_id, organization_id, role, jwks, jwks_uri FROM clients WHERE client_id = ${clientId}`;
  return row && { clientId: row.client_id, organizationId: row.organization_id, role: row.role, jwks: row.jwks, jwksUri: row.jwks_uri };
}

export async function insertClient(sql: Sql, client: ClientRecord & { organizationId: string }): Promise<void> {
  await sql`INSERT INTO clients (client_id, organization_id, role, jwks, jwks_uri)
    VALUES (${client.clientId}, ${client.organizationId}, ${client.role}, ${client.jwks ? sql.json(client.jwks as never) : null}, ${client.jwksUri})`;
}

/**
 * Remembers a client assertion's `jti` until the assertion expires. Returns false for a replay.
 * Kept in Postgres, not Redis, so that a Redis flush cannot reopen replay.
 */
export async function rememberAssertion(sql: Sql, clientId: string, jti: string, expiresAt: Date): Promise<boolean> {
  const rows = await sql`INSERT INTO used_assertions (client_id, jti, expires_at) VALUES (${clientId}, ${jti}, ${expiresAt})
    ON CONFLICT DO NOTHING RETURNING jti`;
  return rows.length === 1;
}

export async function forgetExpiredAssertions(sql: Sql): Promise<number> {
  const rows = await sql`DELETE FROM used_assertions WHERE expires_at < now() - interval '1 minute' RETURNING jti`;
  return rows.length;
}
