import { z } from '@hono/zod-openapi';
import { Id, Timestamp } from './common.js';
import { OrganizationKind, Role } from './vocabulary.js';

const WebhookAdapter = z.strictObject({
  type: z.literal('webhook'),
  url: z.url({ protocol: /^https?$/ }).max(2000),
  secret: z.string().regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'a Standard Webhooks secret: whsec_ + base64').optional(),
});
const FhirAdapter = z.strictObject({
  type: z.literal('fhir'),
  baseUrl: z.url({ protocol: /^https?$/ }).max(2000),
  auth: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('none') }),
      z.strictObject({ type: z.literal('bearer'), token: z.string().min(1).max(4000) }),
      // SMART Backend Services: the hub signs its client assertion with its own key (/.well-known/jwks.json).
      z.strictObject({
        type: z.literal('smart'),
        tokenUrl: z.url({ protocol: /^https?$/ }).max(2000),
        clientId: z.string().min(1).max(300),
        scope: z.string().min(1).max(2000).optional(),
      }),
    ])
    .optional(),
  pollIntervalSeconds: z.number().int().min(1).max(3600).default(30),
});
const PortalAdapter = z.strictObject({ type: z.literal('portal') });

export const AdapterInput = z.discriminatedUnion('type', [WebhookAdapter, FhirAdapter, PortalAdapter]).openapi('AdapterInput');
export type AdapterInput = z.infer<typeof AdapterInput>;

/** The adapter as shown back: secrets and tokens are never echoed. */
export const AdapterView = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('webhook'), url: z.string() }),
    z.object({
      type: z.literal('fhir'), baseUrl: z.string(),
      auth: z.object({ type: z.enum(['none', 'bearer', 'smart']), tokenUrl: z.string().optional(), clientId: z.string().optional(), scope: z.string().optional() }).optional(),
      pollIntervalSeconds: z.number(),
    }),
    z.object({ type: z.literal('portal') }),
  ])
  .openapi('Adapter');

/**
 * Service-level timers for referrals to this organisation (domain/sla.ts). Fractions are allowed
 * (0.5 hours is 30 minutes); both run from the moment a referral is delivered.
 */
export const Sla = z
  .strictObject({
    acknowledgeWithinHours: z.number().positive().max(720).optional().openapi({
      description: 'Hours from delivery to a `received`, `accepted` or `rejected` event (at most 30 days).',
    }),
    firstContactWithinDays: z.number().positive().max(90).optional().openapi({
      description: 'Days from delivery to an `intake_scheduled` or `attended` event.',
    }),
  })
  .openapi('Sla', {
    description: 'A breach adds an `sla_breached` event to the timeline and notifies the referring organisation (`referral.sla_breached`, through its webhook).',
  });
export type Sla = z.infer<typeof Sla>;

export const OrganizationInput = z
  .strictObject({
    name: z.string().min(1).max(300),
    kind: OrganizationKind,
    part2Program: z.boolean().default(false),
    adapter: AdapterInput,
    sla: Sla.optional(),
  })
  .openapi('OrganizationInput');

export const OrganizationPatch = z
  .strictObject({
    name: z.string().min(1).max(300).optional(),
    part2Program: z.boolean().optional(),
    adapter: AdapterInput.optional(),
    sla: Sla.nullable().optional().openapi({ description: 'Replaces the timers as a whole; `null` removes them.' }),
  })
  .openapi('OrganizationPatch');

export const Organization = z
  .object({
    id: Id,
    name: z.string(),
    kind: OrganizationKind,
    part2Program: z.boolean(),
    adapter: AdapterView,
    sla: Sla.optional().openapi({ description: 'Absent when no timer is set.' }),
    webhookSecret: z.string().optional().openapi({ description: 'Returned once, when the hub generated it.' }),
    notifyToken: z.string().optional().openapi({
      description: 'FHIR partners: the bearer token their rest-hook subscription sends to `POST /fhir/notify/{id}`. Returned once, when the adapter is set.',
    }),
    createdAt: Timestamp,
  })
  .openapi('Organization');

const Jwk = z.record(z.string(), z.unknown());
export const ClientInput = z
  .strictObject({
    organizationId: Id,
    role: Role.exclude(['admin']),
    jwks: z.strictObject({ keys: z.array(Jwk).min(1).max(10) }).optional(),
    jwksUri: z.url({ protocol: /^https?$/ }).max(2000).optional(),
  })
  .refine((c) => Boolean(c.jwks) !== Boolean(c.jwksUri), { message: 'give exactly one of jwks or jwksUri', path: ['jwks'] })
  .openapi('ClientInput');

export const Client = z.object({ clientId: z.string(), organizationId: Id, role: Role }).openapi('Client');
