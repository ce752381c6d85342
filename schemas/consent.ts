import { z } from '@hono/zod-openapi';
import { Id, Timestamp } from './common.js';
import { BasisKind, DataCategory, OrganizationKind, PART2_NOTICE_CODE, Purpose } from './vocabulary.js';

export const PeriodInput = z
  .strictObject({
    start: Timestamp.openapi({ description: 'From when.' }),
    end: Timestamp.optional().openapi({ description: 'Until when (exclusive); open-ended when absent. Must be after `start`.' }),
  })
  .refine((p) => !p.end || Date.parse(p.end) > Date.parse(p.start), { message: 'the period ends before it starts', path: ['end'] })
  .openapi({ description: 'A period of time.' });

const Actor = z
  .strictObject({
    role: z.enum(['recipient', 'source']).optional().openapi({
      description: '`recipient` (the default): who may receive the data. `source`: limits the provision to data this organisation reports (a Part 2 program’s status updates).',
    }),
    organizationId: Id.optional().openapi({ description: 'One organisation.', example: 'org_EastsideHousing0000001' }),
    organizationKind: OrganizationKind.optional().openapi({ description: 'Every organisation of this kind.' }),
  })
  .refine((a) => a.organizationId || a.organizationKind, { message: 'an actor names an organizationId or an organizationKind' })
  .openapi({ description: 'An organisation, or a kind of organisation, in a role. Name an `organizationId` or an `organizationKind`.' });

export type Period = z.infer<typeof PeriodInput>;
export type ProvisionActor = z.infer<typeof Actor>;

/**
 * The consent model, after FHIR R4 Consent.provision: written out once here because it is
 * recursive (zod needs the type to declare the lazy schema); the consent engine uses this type.
 */
export interface Provision {
  type: 'permit' | 'deny';
  actors?: ProvisionActor[] | undefined;
  purposes?: z.infer<typeof Purpose>[] | undefined;
  categories?: z.infer<typeof DataCategory>[] | undefined;
  period?: Period | undefined;
  provisions?: Provision[] | undefined;
}

const MAX_DEPTH = 8;
function depthOf(p: { provisions?: unknown[] | undefined }): number {
  return 1 + Math.max(0, ...((p.provisions ?? []) as { provisions?: unknown[] }[]).map(depthOf));
}

export const ProvisionInput: z.ZodType<Provision> = z
  .lazy(() =>
    z.strictObject({
      type: z.enum(['permit', 'deny']).openapi({ description: 'Whether this rule permits or denies what it matches.' }),
      actors: z.array(Actor).max(50).optional().openapi({
        description: 'Who the rule is about. The rule matches when the request matches at least one actor of each role listed; every organisation when absent.',
      }),
      purposes: z.array(Purpose).max(10).optional().openapi({ description: 'For which purposes; every purpose when absent.' }),
      categories: z.array(DataCategory).max(20).optional().openapi({ description: 'Which case-file categories; every category when absent.' }),
      period: PeriodInput.optional().openapi({ description: 'When the rule applies, within the consent’s period; always when absent.' }),
      provisions: z.array(ProvisionInput).max(50).optional().openapi({ description: 'Exceptions to this rule (a `deny` inside a `permit`, or the reverse), at most 8 levels deep.' }),
    }),
  )
  .refine((p) => depthOf(p) <= MAX_DEPTH, { message: `provisions nest at most ${MAX_DEPTH} deep` })
  .openapi('Provision', {
    type: 'object',
    description:
      'A rule of the consent, as FHIR R4 `Consent.provision`: `permit` or `deny` what matches its actors, purposes, categories and period (an absent list matches everything); ' +
      'nested `provisions` are exceptions to their parent. An explicit deny beats a permit, also across consents. A root that is a bare `deny` is an opt-in baseline: ' +
      'its exceptions permit, but it does not veto other consents.',
  });

export const SignatureInput = z.strictObject({
  signer: z.enum(['participant', 'guardian']).openapi({ description: 'Who signed: the participant, or a guardian (needed for a minor).' }),
  name: z.string().min(1).max(300).openapi({ description: 'The signer’s name (stored encrypted).', example: 'Jordan Rivera' }),
  relationship: z.string().max(100).optional().openapi({ description: 'A guardian’s relationship to the participant.' }),
  signedAt: Timestamp.openapi({ description: 'When it was signed.' }),
  method: z.enum(['electronic', 'wet', 'verbal_witnessed']).openapi({ description: 'How: an electronic signature, ink on paper, or a witnessed verbal consent.' }),
}).openapi({ description: 'A signature on the consent.' });
export type Signature = z.infer<typeof SignatureInput>;

export const Irrevocability = z
  .strictObject({
    event: z.string().min(1).max(500).openapi({
      description: 'The stated event or condition until which the participant may not revoke, in words.',
      example: 'the final disposition of case 26-CR-0114',
    }),
    until: Timestamp.optional().openapi({ description: 'From when revocation is allowed at the latest; the end of the consent’s period when absent.' }),
  })
  .openapi('Irrevocability', {
    description:
      'A 42 CFR 2.35 criminal-justice consent (a Part 2 program reporting to the agency that referred the participant) may be irrevocable until a stated event: ' +
      '`POST /v1/consents/{id}/revoke` is refused (409) until `until`, or until the period ends. Only a `consent` basis with a date when it stops (`until` or `period.end`) may be irrevocable.',
  });
export type Irrevocability = z.infer<typeof Irrevocability>;

export const ConsentInput = z
  .strictObject({
    participantId: Id.openapi({ description: 'Whose consent it is.', example: 'par_JordanRivera0000000001' }),
    basis: BasisKind,
    period: PeriodInput.openapi({ description: 'When the basis is in force. A period that has already ended records an `expired` basis, which permits nothing.' }),
    signatures: z.array(SignatureInput).max(10).default([]).openapi({ description: 'Required for a `consent` basis: the participant’s, and a guardian’s for a minor (except `substance_use` from age 12).' }),
    documentRef: z.string().min(1).max(2000).optional().openapi({ description: 'Where the signed form, order or statute is kept (a document id or URL). Required for `court_order` and `statute`.' }),
    provision: ProvisionInput,
    irrevocable: Irrevocability.optional().openapi({ description: 'Only for a 42 CFR 2.35 criminal-justice consent: until when it may not be revoked. Revocable at any time when absent (42 CFR 2.31(a)(6)).' }),
  })
  .openapi('ConsentInput', { description: 'A basis to record.' });
export type ConsentInput = z.infer<typeof ConsentInput>;

export const Consent = z
  .object({
    id: Id.openapi({ description: 'The basis’s id (`con_…`).', example: 'con_HousingConsent00000001' }),
    participantId: Id.openapi({ description: 'Whose consent it is.' }),
    basis: BasisKind,
    status: z.enum(['active', 'revoked', 'expired']).openapi({ description: '`active` (it counts in decisions while its period runs), `revoked` or `expired`: those permit nothing.' }),
    period: z
      .object({ start: Timestamp.openapi({ description: 'From when.' }), end: Timestamp.optional().openapi({ description: 'Until when; open-ended when absent.' }) })
      .openapi({ description: 'When the basis is in force.' }),
    signatures: z.array(SignatureInput).openapi({ description: 'The signatures recorded.' }),
    documentRef: z.string().optional().openapi({ description: 'Where the signed form, order or statute is kept.' }),
    provision: z.unknown().openapi({ type: 'object', description: 'The provision tree as recorded (see `Provision`).' }),
    irrevocable: Irrevocability.optional().openapi({ description: 'Present on a 42 CFR 2.35 consent that may not be revoked until a stated event.' }),
    createdAt: Timestamp.openapi({ description: 'When it was recorded.' }),
    revokedAt: Timestamp.optional().openapi({ description: 'When it was revoked; from then on no decision rests on it.' }),
    revokeReason: z.string().optional().openapi({ description: 'Why it was revoked.' }),
    warnings: z.array(z.string()).optional().openapi({ description: 'On the answer to a create: what a compliance officer should look at (for example a substance-use permit without an end date, which 42 CFR 2.31 expects).' }),
  })
  .openapi('Consent', { description: 'A recorded basis: a consent, a court order or a statute.' });

export const RevokeInput = z
  .strictObject({ reason: z.string().min(1).max(2000).openapi({ description: 'Why the basis is revoked (stored encrypted).', example: 'Jordan Rivera withdrew consent in writing' }) })
  .openapi('RevokeInput', { description: 'A revocation.' });

export const AccessQuery = z.object({
  recipient: Id.openapi({ description: 'The organisation that would receive the data.', example: 'org_EastsideHousing0000001' }),
  purpose: Purpose,
  source: Id.optional().openapi({ description: 'The organisation the data comes from, when asking about data it reports (a Part 2 program’s status updates).' }),
  at: Timestamp.optional().openapi({ description: 'The moment to decide for; now when absent.' }),
});

export const AccessDecision = z
  .object({
    permitted: z.array(DataCategory).openapi({ description: 'The categories the recipient may see.' }),
    denied: z
      .array(z.object({
        category: DataCategory,
        reason: z.string().openapi({ description: 'Why, in words: no basis names the recipient, an explicit deny, a missing signature, a basis not in force.', example: 'no active basis permits justice to Eastside Housing for care coordination' }),
      }))
      .openapi({ description: 'Every other category, each with the reason.' }),
    bases: z.record(z.string(), z.array(z.string())).openapi({ description: 'For each permitted category, the ids of the bases that permit it.' }),
    obligations: z
      .array(z.object({
        code: z.string().openapi({ description: `The rule: \`${PART2_NOTICE_CODE}\` for the redisclosure notice.` }),
        text: z.string().openapi({ description: 'The notice, word for word.' }),
      }))
      .openapi({ description: 'What must travel with the data: the 42 CFR 2.32 notice when `substance_use` is permitted.' }),
  })
  .openapi('AccessDecision', { description: 'The decision the hub enforces for this recipient and purpose.' });

export const DisclosureQuery = z.object({
  from: Timestamp.optional().openapi({ description: 'Disclosures at or after this instant.' }),
  to: Timestamp.optional().openapi({ description: 'Disclosures before this instant.' }),
  recipient: Id.optional().openapi({ description: 'Only disclosures to this organisation.' }),
  channel: z.enum(['delivery', 'read', 'status']).optional().openapi({ description: 'Only disclosures through this channel.' }),
});

export const Disclosure = z
  .object({
    at: Timestamp.openapi({ description: 'When the data left the hub.' }),
    recipientOrganizationId: Id.openapi({ description: 'Who received it.' }),
    referralId: Id.nullable().openapi({ description: 'The referral it belonged to.' }),
    categories: z.array(DataCategory).openapi({ description: 'The categories disclosed.' }),
    purpose: Purpose,
    basisIds: z.array(z.string()).openapi({ description: 'The bases the disclosure rested on.' }),
    bases: z
      .array(z.object({ id: z.string().openapi({ description: 'The basis’s id.' }), basis: BasisKind }))
      .openapi({ description: 'The same bases, with their kind.' }),
    channel: z.enum(['delivery', 'read', 'status']).openapi({ description: '`delivery` (sent to the partner), `read` (the partner read the referral), `status` (a partner’s note shown to the referrer).' }),
  })
  .openapi('Disclosure', { description: 'One disclosure in the accounting (HIPAA 164.528, 42 CFR 2.24), never updated or deleted.' });
