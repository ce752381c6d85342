import type { Context } from 'hono';
import { forbidden } from '../lib/errors.js';
import type { Role } from '../schemas/vocabulary.js';
import type { AppEnv } from './context.js';
import type { Caller } from '../domain/caller.js';

/** Role check: every /v1 handler starts with it, so a missing check is visible in review. */
export function requireRole(c: Context<AppEnv>, ...roles: Role[]): Caller & { organizationId: string | null } {
  const caller = c.get('caller');
  if (!roles.includes(caller.role)) throw forbidden(`the ${caller.role} role may not call this; it needs ${roles.join(' or ')}`);
  return caller;
}

/** Like requireRole, for roles that always act for an organisation. */
export function requireOrgRole(c: Context<AppEnv>, ...roles: Role[]): Caller & { organizationId: string } {
  const caller = requireRole(c, ...roles);
  if (!caller.organizationId) throw forbidden('this call is made on behalf of an organisation');
  return caller as Caller & { organizationId: string };
}
