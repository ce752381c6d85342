import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Caller } from '../domain/caller.js';
import { HubError, notFound } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import type { StaffInput, StaffPatch } from '../schemas/staff.js';
import { appendAudit } from '../store/audit.js';
import { getOrganization } from '../store/organizations.js';
import {
  clearFailedSignIns, getLiveSession, issuedCsrfToken, getStaff, getStaffByEmail, insertSession, insertStaff, recordFailedSignIn,
  revokeSession, revokeSessionsOf, updateStaff, type StaffRow,
} from '../store/staff.js';
import type { Hub } from './hub.js';

/** A session lasts a working day, then the person signs in again (OWASP session management: absolute timeout). */
export const SESSION_HOURS = 8;
/**
 * Lock-out with back-off (NIST SP 800-63B 5.2.2, rate limiting): the first five failures cost
 * nothing; each one after locks the account for 30 s, doubling, at most an hour.
 */
export const LOCKOUT = { freeAttempts: 5, baseSeconds: 30, maxSeconds: 3600 };

/** argon2id with the library's defaults (19 MiB, 2 passes: OWASP's password storage minimum). */
const hashPassword = (password: string) => hash(password);
/** Verified against when the address is unknown, so that a wrong address costs as long as a wrong password. */
let decoyHash: Promise<string> | undefined;

export interface StaffMember {
  id: string;
  organizationId: string | null;
  role: StaffRow['role'];
  name: string;
  email: string;
  oidcSubject: string | null;
  disabled: boolean;
  createdAt: string;
}

const shown = (row: StaffRow): StaffMember => ({
  id: row.id, organizationId: row.organizationId, role: row.role, name: row.name, email: row.email,
  oidcSubject: row.oidcSubject, disabled: row.disabledAt !== null, createdAt: row.createdAt.toISOString(),
});

const taken = (field: 'email' | 'oidcSubject') =>
  new HubError(409, 'Conflict', field === 'email' ? 'a staff account with this e-mail address already exists' : 'another account of this organisation has this identity-provider subject', [{ path: field, message: 'already in use' }]);

/** The Caller a staff member acts as: the same one a client of their organisation and role would be. */
export function callerFor(staff: Pick<StaffMember, 'id' | 'organizationId' | 'role'>): Caller {
  return { clientId: `staff:${staff.id}`, organizationId: staff.organizationId, role: staff.role, scopes: [] };
}

/** POST /v1/staff (and hubctl staff create): an admin creates an account. */
export async function createStaff(hub: Pick<Hub, 'sql'>, caller: Caller, input: StaffInput): Promise<StaffMember> {
  if (input.organizationId && !(await getOrganization(hub.sql, input.organizationId))) throw notFound('organization', 'organizationId');
  const row = await insertStaff(hub.sql, {
    id: newId('stf'), organizationId: input.organizationId ?? null, role: input.role, name: input.name, email: input.email,
    passwordHash: await hashPassword(input.password), oidcSubject: input.oidcSubject ?? null,
  });
  if ('taken' in row) throw taken(row.taken);
  await appendAudit(hub.sql, { actor: caller.clientId, action: 'staff.created', subject: row.id, detail: { organizationId: row.organizationId, role: row.role } });
  return shown(row);
}

/** PATCH /v1/staff/{id}: an admin records an identity-provider subject, or disables (and signs out) an account. */
export async function changeStaff(hub: Pick<Hub, 'sql'>, caller: Caller, id: string, patch: StaffPatch): Promise<StaffMember> {
  const row = await updateStaff(hub.sql, id, patch);
  if (!row) throw notFound('staff member');
  if ('taken' in row) throw taken(row.taken);
  const revoked = patch.disabled ? await revokeSessionsOf(hub.sql, id) : undefined;
  await appendAudit(hub.sql, {
    actor: caller.clientId, action: 'staff.updated', subject: id,
    detail: { fields: Object.keys(patch), ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}), ...(revoked !== undefined ? { sessionsRevoked: revoked } : {}) },
  });
  return shown(row);
}

export interface OpenedSession { staff: StaffMember; sessionId: string; csrfToken: string; expiresAt: Date }

/**
 * A new console session for an account whose owner has just proved who they are (a password
 * here, an identity provider in services/oidc-sign-in.ts): the same session and audit entry
 * whichever way they signed in.
 */
export async function openSession(hub: Pick<Hub, 'sql'>, staff: StaffRow, detail?: Record<string, unknown>): Promise<OpenedSession> {
  const sessionId = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_HOURS * 3600_000);
  await insertSession(hub.sql, { idHash: hashSessionId(sessionId), staffId: staff.id, csrfToken, expiresAt });
  await appendAudit(hub.sql, { actor: `staff:${staff.id}`, action: 'staff.signed_in', subject: staff.id, ...(detail ? { detail } : {}) });
  return { staff: shown(staff), sessionId, csrfToken, expiresAt };
}

export type SignInResult =
  | ({ ok: true } & OpenedSession)
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'disabled' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

const hashSessionId = (sessionId: string) => createHash('sha256').update(sessionId).digest();

/**
 * Checks an e-mail address and password. A locked account is refused before its password is
 * checked, so guesses during the lock-out teach nothing; an unknown address and a wrong password
 * get the same answer. Every outcome is audited.
 */
export async function signIn(hub: Pick<Hub, 'sql'>, email: string, password: string): Promise<SignInResult> {
  const staff = await getStaffByEmail(hub.sql, email);
  if (!staff) {
    await verify(await (decoyHash ??= hashPassword(randomBytes(16).toString('hex'))), password);
    await appendAudit(hub.sql, { actor: 'console', action: 'staff.sign_in_failed', detail: { reason: 'unknown_email' } });
    return { ok: false, reason: 'invalid' };
  }
  const lockedFor = staff.lockedUntil ? Math.ceil((staff.lockedUntil.getTime() - Date.now()) / 1000) : 0;
  if (lockedFor > 0) {
    await appendAudit(hub.sql, { actor: `staff:${staff.id}`, action: 'staff.sign_in_refused', subject: staff.id, detail: { reason: 'locked', retryAfterSeconds: lockedFor } });
    return { ok: false, reason: 'locked', retryAfterSeconds: lockedFor };
  }
  if (!(await verify(staff.passwordHash, password))) {
    const after = await recordFailedSignIn(hub.sql, staff.id, LOCKOUT);
    const retry = after?.lockedUntil ? Math.ceil((after.lockedUntil.getTime() - Date.now()) / 1000) : 0;
    await appendAudit(hub.sql, { actor: `staff:${staff.id}`, action: 'staff.sign_in_failed', subject: staff.id, detail: { reason: 'password', failures: after?.failedSignIns, lockedSeconds: retry > 0 ? retry : undefined } });
    return retry > 0 ? { ok: false, reason: 'locked', retryAfterSeconds: retry } : { ok: false, reason: 'invalid' };
  }
  await clearFailedSignIns(hub.sql, staff.id);
  // Said only to someone who knows the password: others learn nothing about the account.
  if (staff.disabledAt) {
    await appendAudit(hub.sql, { actor: `staff:${staff.id}`, action: 'staff.sign_in_refused', subject: staff.id, detail: { reason: 'disabled' } });
    return { ok: false, reason: 'disabled' };
  }
  return { ok: true, ...(await openSession(hub, staff)) };
}

export interface StaffSession {
  staff: StaffMember;
  caller: Caller;
  csrfToken: string;
  expiresAt: Date;
}

/** The staff member behind a session cookie, when the session is live (not expired, not revoked). */
export async function resumeSession(hub: Pick<Hub, 'sql'>, sessionId: string): Promise<StaffSession | undefined> {
  const session = await getLiveSession(hub.sql, hashSessionId(sessionId));
  if (!session) return undefined;
  const staff = await getStaff(hub.sql, session.staffId);
  if (!staff || staff.disabledAt) return undefined;
  const member = shown(staff);
  return { staff: member, caller: callerFor(member), csrfToken: session.csrfToken, expiresAt: session.expiresAt };
}

/** Compares a submitted CSRF token with the session's, in constant time. */
export function csrfMatches(expected: string, submitted: string | undefined): boolean {
  if (!submitted) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function signOut(hub: Pick<Hub, 'sql'>, session: StaffSession, sessionId: string): Promise<void> {
  await revokeSession(hub.sql, hashSessionId(sessionId));
  await appendAudit(hub.sql, { actor: session.caller.clientId, action: 'staff.signed_out', subject: session.staff.id });
}

/** DELETE /v1/staff/{id}/sessions: an admin ends every session of a staff member at once. */
export async function revokeStaffSessions(hub: Pick<Hub, 'sql'>, caller: Caller, staffId: string): Promise<{ revoked: number }> {
  if (!(await getStaff(hub.sql, staffId))) throw notFound('staff member');
  const revoked = await revokeSessionsOf(hub.sql, staffId);
  await appendAudit(hub.sql, { actor: caller.clientId, action: 'staff.sessions_revoked', subject: staffId, detail: { revoked } });
  return { revoked };
}

/** Every console action, audited under the staff member's name (ids and codes only, never case-file content). */
export async function auditConsoleAction(hub: Pick<Hub, 'sql'>, session: StaffSession, action: string, subject?: string, detail?: Record<string, unknown>) {
  await appendAudit(hub.sql, { actor: session.caller.clientId, action: `console.${action}`, subject: subject ?? null, ...(detail ? { detail } : {}) });
}

/**
 * Whether a form that carried `csrfToken` was rendered for this staff member in one of their own
 * sessions of the last two working days (the session may have ended since). Only then is a form
 * carried through sign-in given back: another site cannot know the token, so it cannot have a
 * form of its own making shown pre-filled to someone signing in.
 */
export async function formWasRenderedFor(hub: Pick<Hub, 'sql'>, staffId: string, csrfToken: string | undefined): Promise<boolean> {
  if (!csrfToken) return false;
  return issuedCsrfToken(hub.sql, staffId, csrfToken, SESSION_HOURS * 2);
}
