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
  failedSignIns: number;
  lockedUntil: Date | null;
  createdAt: Date;
}

const columns = (sql: Sql) => sql`id, organization_id AS "organizationId", role, name, email, password_hash AS "passwordHash",
  failed_sign_ins AS "failedSignIns", locked_until AS "lockedUntil", created_at AS "createdAt"`;

/** Inserts an account; `undefined` when the e-mail address is already taken (any case). */
export async function insertStaff(sql: Sql, row: Omit<StaffRow, 'failedSignIns' | 'lockedUntil' | 'createdAt'>): Promise<StaffRow | undefined> {
  const [created] = await sql<StaffRow[]>`
    INSERT INTO staff (id, organization_id, role, name, email, password_hash)
    VALUES (${row.id}, ${row.organizationId}, ${row.role}, ${row.name}, ${row.email}, ${row.passwordHash})
    ON CONFLICT (lower(email)) DO NOTHING
    RETURNING ${columns(sql)}`;
  return created;
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
