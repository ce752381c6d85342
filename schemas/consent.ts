import { z } from '@hono/zod-openapi';
import type { Provision as ProvisionModel } from '../consent/types.js';
import { Id, Timestamp } from './common.js';
import { BasisKind, DataCategory, OrganizationKind, Purpose } from './vocabulary.js';

export const PeriodInput = z
  .strictObject({ start: Timestamp, end: Timestamp.optional() })
  .refine((p) => !p.end || Date.parse(p.end) > Date.parse(p.start), { message: 'the period ends before it starts', path: ['end'] });

const Actor = z
  .strictObject({ role: z.enum(['recipient', 'source']).optional(), organizationId: Id.optional(), organizationKind: OrganizationKind.optional() })
  .refine((a) => a.organizationId || a.organizationKind, { message: 'an actor names an organizationId or an organizationKind' });

const MAX_DEPTH = 8;
function depthOf(p: { provisions?: unknown[] | undefined }): number {
  return 1 + Math.max(0, ...((p.provisions ?? []) as { provisions?: unknown[] }[]).map(depthOf));
}

export const ProvisionInput: z.ZodType<ProvisionModel> = z
  .lazy(() =>
    z.strictObject({
      type: z.enum(['permit', 'deny']),
      actors: z.array(Actor).max(50).optional(),
      purposes: z.array(Purpose).max(10).optional(),
      categories: z.array(DataCategory).max(20).optional(),
      period: PeriodInput.optional(),
      provisions: z.array(ProvisionInput).max(50).optional(),
    }),
  )
  .refine((p) => depthOf(p) <= MAX_DEPTH, { message: `provisions nest at most ${MAX_DEPTH} deep` })
  .openapi('Provision', { type: 'object', description: 'FHIR R4 Consent.provision: nested provisions are exceptions to their parent.' });

export const SignatureInput = z.strictObject({
  signer: z.enum(['participant', 'guardian']),
  name: z.string().min(1).max(300),
  relationship: z.string().max(100).optional(),
  signedAt: Timestamp,
  method: z.enum(['electronic', 'wet', 'verbal_witnessed']),
});

export const ConsentInput = z
  .strictObject({
    participantId: Id,
    basis: BasisKind,
    period: PeriodInput,
    signatures: z.array(SignatureInput).max(10).default([]),
    documentRef: z.string().min(1).max(2000).optional(),
    provision: ProvisionInput,
  })
  .openapi('ConsentInput');
export type ConsentInput = z.infer<typeof ConsentInput>;

export const Consent = z
  .object({
    id: Id,
    participantId: Id,
    basis: BasisKind,
    status: z.enum(['active', 'revoked', 'expired']),
    period: z.object({ start: Timestamp, end: Timestamp.optional() }),
    signatures: z.array(SignatureInput),
    documentRef: z.string().optional(),
    provision: z.unknown().openapi({ type: 'object', description: 'The provision tree as recorded.' }),
    createdAt: Timestamp,
    revokedAt: Timestamp.optional(),
    revokeReason: z.string().optional(),
    warnings: z.array(z.string()).optional(),
  })
  .openapi('Consent');

export const RevokeInput = z.strictObject({ reason: z.string().min(1).max(2000) }).openapi('RevokeInput');

export const AccessQuery = z.object({
  recipient: Id,
  purpose: Purpose,
  source: Id.optional(),
  at: Timestamp.optional(),
});

export const AccessDecision = z
  .object({
    permitted: z.array(DataCategory),
    denied: z.array(z.object({ category: DataCategory, reason: z.string() })),
    bases: z.record(z.string(), z.array(z.string())),
    obligations: z.array(z.object({ code: z.string(), text: z.string() })),
  })
  .openapi('AccessDecision');

export const DisclosureQuery = z.object({
  from: Timestamp.optional(),
  to: Timestamp.optional(),
  recipient: Id.optional(),
  channel: z.enum(['delivery', 'read', 'status']).optional(),
});

export const Disclosure = z
  .object({
    at: Timestamp,
    recipientOrganizationId: Id,
    referralId: Id.nullable(),
    categories: z.array(DataCategory),
    purpose: Purpose,
    basisIds: z.array(z.string()),
    bases: z.array(z.object({ id: z.string(), basis: BasisKind })),
    channel: z.enum(['delivery', 'read', 'status']),
  })
  .openapi('Disclosure');
