import type { Sql } from '../db/connect.js';
import type { Role } from '../schemas/vocabulary.js';

/** A staff account as stored; `passwordHash` never leaves services/staff.ts. */
export interface StaffRow {
  id: string;
  organizationId: string | null;
  role: Role;
  name: string;
  email: string;
  passwordHash: string;
  /** The organisation's identity provider's `sub` for this person, when it matches by subject. */
  oidcSubject: string | null;
  /** Set: the account signs in by no method. */
  disabledAt: Date | null;
  failedSignIns: number;
  lockedUntil: Date | null;
  createdAt: Date;
}

const columns = (sql: Sql) => sql`id, organization_id AS "organizationId", role, name, email, password_hash AS "passwordHash",
  oidc_subject AS "oidcSubject", disabled_at AS "disabledAt", failed_sign_ins AS "failedSignIns", locked_until AS "lockedUntil", created_at AS "createdAt"`;

/** Inserts an account; `undefined` when the e-mail address is already taken (any case). */
/** A unique index a write ran into: which one says which field is taken. */
const violated = (error: unknown) => ((error as { code?: string }).code === '23505' ? (error as { constraint_name?: string }).constraint_name : undefined);

/**
 * Inserts an account; `{ taken }` when the e-mail address (any case) or, within the organisation,
 * the identity provider's subject already belongs to someone.
 */
export async function insertStaff(
  sql: Sql,
  row: Omit<StaffRow, 'failedSignIns' | 'lockedUntil' | 'createdAt' | 'disabledAt'>,
): Promise<StaffRow | { taken: 'email' | 'oidcSubject' }> {
  try {
    const [created] = await sql<StaffRow[]>`
      INSERT INTO staff (id, organization_id, role, name, email, password_hash, oidc_subject)
      VALUES (${row.id}, ${row.organizationId}, ${row.role}, ${row.name}, ${row.email}, ${row.passwordHash}, ${row.oidcSubject})
      ON CONFLICT (lower(email)) DO NOTHING
      RETURNING ${columns(sql)}`;
    return created ?? { taken: 'email' };
  } catch (error) {
    if (violated(error) === 'staff_oidc_subject') return { taken: 'oidcSubject' };
    throw error;
  }
}

/** Changes what an admin may change after creation; `undefined` for no such account, `{ taken }` for a subject in use. */
export async function updateStaff(
  sql: Sql,
  id: string,
  patch: { oidcSubject?: string | null | undefined; disabled?: boolean | undefined },
): Promise<StaffRow | { taken: 'oidcSubject' } | undefined> {
  try {
    const [row] = await sql<StaffRow[]>`
      UPDATE staff SET
        oidc_subject = ${patch.oidcSubject === undefined ? sql`oidc_subject` : patch.oidcSubject},
        disabled_at = ${patch.disabled === undefined ? sql`disabled_at` : patch.disabled ? sql`coalesce(disabled_at, now())` : null}
      WHERE id = ${id}
      RETURNING ${columns(sql)}`;
    return row;
  } catch (error) {
    if (violated(error) === 'staff_oidc_subject') return { taken: 'oidcSubject' };
    throw error;
  }
}

/**
 * The account of `organizationId` that an identity provider's answer names: by subject or by
 * e-mail address. Only that organisation's accounts are looked at, so a provider never signs
 * anyone in to another organisation's (or the hub admin's) account.
 */
export async function getStaffOfOrganization(sql: Sql, organizationId: string, by: { sub: string } | { email: string }): Promise<StaffRow | undefined> {
  const [row] = await sql<StaffRow[]>`SELECT ${columns(sql)} FROM staff WHERE organization_id = ${organizationId} AND ${
    'sub' in by ? sql`oidc_subject = ${by.sub}` : sql`lower(email) = lower(${by.email})`
  }`;
  return row;
}

export async function getStaffByEmail(sql: Sql, email: string): Promise<StaffRow | undefined> {
  const [row] = await sql<StaffRow[]>`SELECT ${columns(sql)} FROM staff WHERE lower(email) = lower(${email})`;
  return row;
}

export async function getStaff(sql: Sql, id: string): Promise<StaffRow | undefined> {
  const [row] = await sql<StaffRow[]>`SELECT ${columns(sql)} FROM staff WHERE id = ${id}`;
  return row;
}

/**
 * Counts one more failed sign-in and, past `freeAttempts`, locks the account for a period that
 * doubles with each further failure (capped): in one statement, so parallel guesses all count.
 */
export async function recordFailedSignIn(sql: Sql, id: string, policy: { freeAttempts: number; baseSeconds: number; maxSeconds: number }) {
  const [row] = await sql<{ failedSignIns: number; lockedUntil: Date | null }[]>`
    UPDATE staff SET
      failed_sign_ins = failed_sign_ins + 1,
      locked_until = CASE WHEN failed_sign_ins + 1 >= ${policy.freeAttempts}
        THEN now() + make_interval(secs => least(${policy.maxSeconds}::float8,
          ${policy.baseSeconds}::float8 * power(2, failed_sign_ins + 1 - ${policy.freeAttempts})))
        ELSE locked_until END
    WHERE id = ${id}
    RETURNING failed_sign_ins AS "failedSignIns", locked_until AS "lockedUntil"`;
  return row;
}

export async function clearFailedSignIns(sql: Sql, id: string): Promise<void> {
  await sql`UPDATE staff SET failed_sign_ins = 0, locked_until = NULL WHERE id = ${id}`;
}

export interface SessionRow {
  staffId: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function insertSession(sql: Sql, row: { idHash: Buffer; staffId: string; csrfToken: string; expiresAt: Date }): Promise<void> {
  await sql`INSERT INTO staff_sessions (id_hash, staff_id, csrf_token, expires_at)
    VALUES (${row.idHash}, ${row.staffId}, ${row.csrfToken}, ${row.expiresAt})`;
}

/** A live session: not expired, not revoked. */
export async function getLiveSession(sql: Sql, idHash: Buffer): Promise<SessionRow | undefined> {
  const [row] = await sql<SessionRow[]>`
    SELECT staff_id AS "staffId", csrf_token AS "csrfToken", expires_at AS "expiresAt"
    FROM staff_sessions WHERE id_hash = ${idHash} AND revoked_at IS NULL AND expires_at > now()`;
  return row;
}

export async function revokeSession(sql: Sql, idHash: Buffer): Promise<void> {
  await sql`UPDATE staff_sessions SET revoked_at = now() WHERE id_hash = ${idHash} AND revoked_at IS NULL`;
}

/** Revokes every live session of one staff member; how many there were. */
export async function revokeSessionsOf(sql: Sql, staffId: string): Promise<number> {
  const rows = await sql`UPDATE staff_sessions SET revoked_at = now()
    WHERE staff_id = ${staffId} AND revoked_at IS NULL AND expires_at > now() RETURNING 1`;
  return rows.length;
}

/** Whether `csrfToken` was issued to one of `staffId`'s sessions created within `hours`, live or ended since. */
export async function issuedCsrfToken(sql: Sql, staffId: string, csrfToken: string, hours: number): Promise<boolean> {
  const rows = await sql`SELECT 1 FROM staff_sessions
    WHERE staff_id = ${staffId} AND csrf_token = ${csrfToken} AND created_at > now() - make_interval(hours => ${hours}) LIMIT 1`;
  return rows.length === 1;
}
