import { getConsent, listConsents } from './consents.js';
import { getParticipant, getParticipantRef } from './participants.js';
import { getReferral } from './referrals.js';

/**
 * Look-ups by id that see every organisation's rows. For the hub's own work (delivery, sweeps,
 * status polls) and for re-reading, inside a transaction, a row the caller already reached
 * through `scopedTo` (store/scoped.ts). The explicit name is the point: a request handler that
 * uses it is visibly stepping over the tenancy boundary.
 */
export const unscoped = {
  referral: getReferral,
  participant: getParticipant,
  participantRef: getParticipantRef,
  consent: getConsent,
  consentsOf: listConsents,
} as const;
