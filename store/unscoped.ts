import { getConsent, listConsents } from './consents.js';
import { getParticipant, getParticipantRef } from './participants.js';
import { getReferral, getReferralWithParticipant } from './referrals.js';

/**
 * Look-ups by id that see every organisation's rows. For the hub's own work (delivery, sweeps,
 * status polls) and for re-reading, inside a transaction, a row the caller already reached
 * through `scopedTo` (store/scoped.ts). The explicit name is the point: a request handler that
 * uses it is visibly stepping over the tenancy boundary.
 */
export const unscoped = {
  referral: getReferral,
  /** A referral with the participant fields a consent decision needs, in one query (a delivery's read). */
  referralWithParticipant: (sql: Parameters<typeof getReferral>[0], id: string) => getReferralWithParticipant(sql, id, undefined, { withCaseFile: false }),
  participant: getParticipant,
  participantRef: getParticipantRef,
  consent: getConsent,
  consentsOf: listConsents,
} as const;
