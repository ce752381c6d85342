import type { DataKeyring } from '../crypto/data-keys.js';
import type { Sql } from '../db/connect.js';
import type { Caller } from '../domain/caller.js';
import { notFound } from '../lib/errors.js';
import type { Basis } from '../consent/types.js';
import { getConsent, getParticipantRefWithBases, listConsents, type ConsentRecord } from './consents.js';
import { getParticipant, getParticipantRef, searchParticipants, type ParticipantCriteria, type ParticipantRecord, type ParticipantRef } from './participants.js';
import { getReferral, getReferralWithParticipant, type CaseFileEntryRow, type ReferralRow } from './referrals.js';

/** How the caller stands to a referral it may see. */
export type ReferralStanding = 'referrer' | 'partner' | 'admin';

/**
 * The tenancy boundary. Everything a caller reaches by id (a participant, a consent, a referral)
 * is looked up through here, with the caller's organisation in the SQL itself: another
 * organisation's row is simply not found (404, never 403), and a route cannot forget the check
 * because there is nothing to check. Code that must see every organisation's rows (workers,
 * sweeps, re-reading a row already reached through a scope) says so by using `unscoped`
 * (store/unscoped.ts) instead; a test keeps gateway/ and services/ from reaching the raw look-ups.
 */
export function scopedTo(sql: Sql, keyring: DataKeyring, caller: Pick<Caller, 'organizationId' | 'role'>) {
  const own = caller.organizationId ?? '';
  /** How the caller stands to referrals, and the SQL audience that limits its look-ups to those. */
  const standing = () => {
    const as: ReferralStanding | undefined = caller.role === 'admin' ? 'admin' : !caller.organizationId ? undefined : caller.role === 'planner' ? 'referrer' : caller.role === 'partner' ? 'partner' : undefined;
    const audience = as === 'referrer' ? { referrerOrgId: own } : as === 'partner' ? { partnerOrgId: own } : undefined;
    return { as, audience };
  };
  return {
    /** One of the caller's participants, without decrypting the record. `path` names the field in the 404. */
    async participantRef(id: string, path?: string): Promise<ParticipantRef> {
      const found = caller.organizationId ? await getParticipantRef(sql, id, own) : undefined;
      if (!found) throw notFound('participant', path);
      return found;
    },

    /** `participantRef` and the participant's bases, in one round trip (for a decision not cached). */
    async participantRefWithBases(id: string, path?: string): Promise<{ ref: ParticipantRef; bases: Basis[] }> {
      const found = caller.organizationId ? await getParticipantRefWithBases(sql, id, own) : undefined;
      if (!found) throw notFound('participant', path);
      return found;
    },

    async participant(id: string): Promise<ParticipantRecord> {
      const found = caller.organizationId ? await getParticipant(sql, keyring, id, own) : undefined;
      if (!found) throw notFound('participant');
      return found;
    },

    /** The caller's participants matching `criteria` (clear columns only), newest first. */
    async findParticipants(criteria: ParticipantCriteria, limit: number): Promise<ParticipantRecord[]> {
      return caller.organizationId ? searchParticipants(sql, keyring, own, criteria, limit) : [];
    },

    /** A consent of one of the caller's participants. */
    async consent(id: string): Promise<ConsentRecord> {
      const found = caller.organizationId ? await getConsent(sql, keyring, id, own) : undefined;
      if (!found) throw notFound('consent');
      return found;
    },

    async consentsOf(participantId: string, path?: string): Promise<ConsentRecord[]> {
      const participant = await this.participantRef(participantId, path);
      return listConsents(sql, keyring, participant.id);
    },

    /**
     * A referral the caller may see, and as what: the referring organisation's planner, the
     * partner from the moment it is delivered, an admin (who sees routing, never the case file).
     */
    async referral(id: string, opts: { forUpdate?: boolean } = {}): Promise<{ referral: ReferralRow; as: ReferralStanding }> {
      const { as, audience } = standing();
      const referral = as ? await getReferral(sql, id, { ...opts, ...(audience ? { audience } : {}) }) : undefined;
      if (!referral || !as) throw notFound('referral');
      return { referral, as };
    },

    /**
     * The same, for a read: with the referral's participant (the fields decisions need) and, unless
     * the caller is an admin (who never sees case data), the encrypted case file, and for a partner
     * the participant's bases, from one query.
     */
    async referralForRead(id: string): Promise<{ referral: ReferralRow; participant: ParticipantRef; caseFileEntries: CaseFileEntryRow[] | undefined; bases: Basis[] | undefined; as: ReferralStanding }> {
      const { as, audience } = standing();
      // A partner's read is decided on the participant's bases: they come along, in case they are not cached.
      const found = as ? await getReferralWithParticipant(sql, id, audience, { withCaseFile: as !== 'admin', withBases: as === 'partner' }) : undefined;
      if (!found || !as) throw notFound('referral');
      return { ...found, as };
    },
  };
}

export type Scope = ReturnType<typeof scopedTo>;
