import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The per-partner bearer token of FHIR rest-hook notifications (`POST /fhir/notify/{id}`): a
 * partner puts it in `Subscription.channel.header`. Hub access tokens last 5 minutes, too short
 * for a subscription's static header, so each FHIR partner gets a long-lived token of its own,
 * generated whenever its adapter is set and stored encrypted.
 */
export const generateNotifyToken = () => `fhirnt_${randomBytes(24).toString('base64url')}`;

/** Constant-time comparison, so the answer time says nothing about how much of a guess was right. */
export function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
