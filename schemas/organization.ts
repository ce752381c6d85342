import { z } from '@hono/zod-openapi';
import { Id, Timestamp } from './common.js';
import { OrganizationKind, Role } from './vocabulary.js';

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

/**
 * The organisation's wire shapes around its adapter setting. Each partner kind declares its own
 * part of `adapter` (adapters/<kind>/kind.ts) and the registry joins them into the `AdapterInput`
 * and `Adapter` unions; this layer sits below `adapters/`, so it takes them as arguments instead
 * of naming any kind. Call it once (gateway/routes/organizations.ts): the schemas register
 * `OrganizationInput`, `OrganizationPatch` and `Organization` in `/openapi.json`.
 */
export function organizationSchemas<Input extends z.ZodType, View extends z.ZodType>(adapter: { input: Input; view: View }) {
  const AdapterInput = adapter.input;
  const AdapterView = adapter.view;
  const OrganizationInput = z
    .strictObject({
      name: z.string().min(1).max(300).openapi({ description: 'The organisation’s name, as decisions and reasons show it.', example: 'Eastside Housing' }),
      kind: OrganizationKind,
      part2Program: z.boolean().default(false).openapi({ description: 'A 42 CFR Part 2 program (a federally assisted substance-use program): its status reports reach the referrer only under a basis that permits `substance_use` from it.' }),
      adapter: AdapterInput,
      sla: Sla.optional().openapi({ description: 'Service-level timers for referrals to this organisation; none when absent.' }),
    })
    .openapi('OrganizationInput', { description: 'An organisation to register.' });

  const OrganizationPatch = z
    .strictObject({
      name: z.string().min(1).max(300).optional().openapi({ description: 'A new name.' }),
      part2Program: z.boolean().optional().openapi({ description: 'Whether it is a 42 CFR Part 2 program.' }),
      adapter: AdapterInput.optional().openapi({ description: 'A new adapter, replacing the old one whole.' }),
      sla: Sla.nullable().optional().openapi({ description: 'Replaces the timers as a whole; `null` removes them.' }),
    })
    .openapi('OrganizationPatch', { description: 'The fields to change; the others stay as they are.' });

  const Organization = z
    .object({
      id: Id.openapi({ description: 'The organisation’s id (`org_…`).', example: 'org_EastsideHousing0000001' }),
      name: z.string().openapi({ description: 'The organisation’s name.' }),
      kind: OrganizationKind,
      part2Program: z.boolean().openapi({ description: 'A 42 CFR Part 2 program.' }),
      adapter: AdapterView,
      sla: Sla.optional().openapi({ description: 'Absent when no timer is set.' }),
      webhookSecret: z.string().optional().openapi({ description: 'Returned once, when the hub generated it.' }),
      notifyToken: z.string().optional().openapi({
        description: 'FHIR partners: the bearer token their rest-hook subscription sends to `POST /fhir/notify/{id}`. Returned once, when the adapter is set.',
      }),
      createdAt: Timestamp.openapi({ description: 'When the organisation was registered.' }),
    })
    .openapi('Organization', { description: 'An organisation on the hub: a referring agency, a partner, or both.' });

  return { OrganizationInput, OrganizationPatch, Organization };
}

export type OrganizationSchemas<Input extends z.ZodType, View extends z.ZodType> = ReturnType<typeof organizationSchemas<Input, View>>;

const Jwk = z.record(z.string(), z.unknown()).openapi({ description: 'A public JWK (RFC 7517), with `kid` and `alg`.' });
export const ClientInput = z
  .strictObject({
    organizationId: Id.openapi({ description: 'The organisation the client acts for.', example: 'org_CountyProbation0000001' }),
    role: Role.exclude(['admin']).openapi({ description: 'What the client may do: `planner`, `partner`, `compliance` or `manager` (there is one admin, configured at start-up).' }),
    jwks: z
      .strictObject({ keys: z.array(Jwk).min(1).max(10).openapi({ description: 'One to ten public keys.' }) })
      .optional()
      .openapi({ description: 'The client’s public keys, as a JWKS. Give this or `jwksUri`.' }),
    jwksUri: z.url({ protocol: /^https?$/ }).max(2000).optional().openapi({ description: 'Where the hub fetches the client’s public JWKS (so the client can rotate keys itself). Give this or `jwks`.' }),
  })
  .refine((c) => Boolean(c.jwks) !== Boolean(c.jwksUri), { message: 'give exactly one of jwks or jwksUri', path: ['jwks'] })
  .openapi('ClientInput');

export const Client = z
  .object({
    clientId: z.string().openapi({ description: 'The client id: the `iss` and `sub` of its client assertions.', example: 'cli_ProbationPlanner000001' }),
    organizationId: Id.openapi({ description: 'The organisation the client acts for.' }),
    role: Role,
  })
  .openapi('Client', { description: 'A registered system client.' });
