import type { Caller } from '../../domain/caller.js';
import { forbidden } from '../../lib/errors.js';
import type { StaffSession } from '../../services/staff.js';

/**
 * The session's caller when it is a `role` of an organisation, for the pages of that role; anyone
 * else is refused (403) with `why`, in words. One check for every page family, so that no page
 * forgets the organisation half of it.
 */
export function callerAs(session: StaffSession, role: 'planner' | 'partner' | 'compliance', why: string): Caller & { organizationId: string } {
  if (session.caller.role !== role || !session.caller.organizationId) throw forbidden(why);
  return session.caller as Caller & { organizationId: string };
}
