import { z } from '@hono/zod-openapi';
import { Id, Timestamp } from './common.js';
import { OrganizationKind, Role } from './vocabulary.js';

const WebhookAdapter = z.strictObject({
  type: z.literal('webhook').openapi({ description: 'Signed HTTP POSTs (Standard Webhooks) to `url`.' }),
  url: z.url({ protocol: /^https?$/ }).max(2000).openapi({ description: 'Where the hub POSTs each message. http(s); private and loopback addresses are refused unless the operator allows them.', example: 'https://hooks.eastside-housing.example/referrals' }),
  secret: z.string().regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'a Standard Webhooks secret: whsec_ + base64').optional().openapi({
    description: 'The signing secret (`whsec_` + base64). Omit it and the hub generates one and shows it once, as `webhookSecret`.',
  }),
}).openapi({ description: 'A partner that takes signed webhooks.' });
const FhirAdapter = z.strictObject({
  type: z.literal('fhir').openapi({ description: 'Resources written onto the partner’s FHIR R4 server; status read back from its Task.' }),
  baseUrl: z.url({ protocol: /^https?$/ }).max(2000).openapi({ description: 'The FHIR R4 base URL of the partner’s server.', example: 'https://ehr.example/fhir/R4' }),
  auth: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('none').openapi({ description: 'The server needs no authentication.' }) }),
      z.strictObject({
        type: z.literal('bearer').openapi({ description: 'A static bearer token.' }),
        token: z.string().min(1).max(4000).openapi({ description: 'The token; stored encrypted and never shown back.' }),
      }),
      // SMART Backend Services: the hub signs its client assertion with its own key (/.well-known/jwks.json).
      z.strictObject({
        type: z.literal('smart').openapi({ description: 'SMART Backend Services: the hub signs a client assertion with its own key (`/.well-known/jwks.json`).' }),
        tokenUrl: z.url({ protocol: /^https?$/ }).max(2000).openapi({ description: 'The partner’s token endpoint (checked like `baseUrl`).' }),
        clientId: z.string().min(1).max(300).openapi({ description: 'The hub’s client id at the partner.' }),
        scope: z.string().min(1).max(2000).optional().openapi({ description: 'The scope to ask for, if the partner needs one.' }),
      }),
    ])
    .optional()
    .openapi({ description: 'How the hub authenticates to the partner’s server; none when absent.' }),
  pollIntervalSeconds: z.number().int().min(1).max(3600).default(30).openapi({ description: 'How often the hub reads the partner’s Tasks for status changes, in seconds.' }),
}).openapi({ description: 'A partner with a FHIR R4 server.' });
const PortalAdapter = z
  .strictObject({ type: z.literal('portal').openapi({ description: 'Nothing is pushed: the organisation reads its referrals through this API.' }) })
  .openapi({ description: 'An organisation that reads the API itself (a partner’s inbox, or a referring agency).' });

export const AdapterInput = z.discriminatedUnion('type', [WebhookAdapter, FhirAdapter, PortalAdapter]).openapi('AdapterInput', {
  description: 'How referrals reach the organisation, chosen by `type`. Secrets and tokens are stored encrypted.',
});
export type AdapterInput = z.infer<typeof AdapterInput>;

/** The adapter as shown back: secrets and tokens are never echoed. */
export const AdapterView = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('webhook').openapi({ description: 'Signed webhooks.' }),
      url: z.string().openapi({ description: 'Where the hub POSTs each message.' }),
    }),
    z.object({
      type: z.literal('fhir').openapi({ description: 'A FHIR R4 server.' }),
      baseUrl: z.string().openapi({ description: 'The FHIR R4 base URL.' }),
      auth: z
        .object({
          type: z.enum(['none', 'bearer', 'smart']).openapi({ description: 'How the hub authenticates; a bearer token is never shown.' }),
          tokenUrl: z.string().optional().openapi({ description: 'SMART: the partner’s token endpoint.' }),
          clientId: z.string().optional().openapi({ description: 'SMART: the hub’s client id at the partner.' }),
          scope: z.string().optional().openapi({ description: 'SMART: the scope asked for.' }),
        })
        .optional()
        .openapi({ description: 'How the hub authenticates to the server.' }),
      pollIntervalSeconds: z.number().openapi({ description: 'Seconds between reads of the partner’s Tasks.' }),
    }),
    z.object({ type: z.literal('portal').openapi({ description: 'Nothing pushed.' }) }),
  ])
  .openapi('Adapter', { description: 'The adapter as shown back: secrets and tokens are never included.' });

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
    name: z.string().min(1).max(300).openapi({ description: 'The organisation’s name, as decisions and reasons show it.', example: 'Eastside Housing' }),
    kind: OrganizationKind,
    part2Program: z.boolean().default(false).openapi({ description: 'A 42 CFR Part 2 program (a federally assisted substance-use program): its status reports reach the referrer only under a basis that permits `substance_use` from it.' }),
    adapter: AdapterInput,
    sla: Sla.optional().openapi({ description: 'Service-level timers for referrals to this organisation; none when absent.' }),
  })
  .openapi('OrganizationInput', { description: 'An organisation to register.' });

export const OrganizationPatch = z
  .strictObject({
    name: z.string().min(1).max(300).optional().openapi({ description: 'A new name.' }),
    part2Program: z.boolean().optional().openapi({ description: 'Whether it is a 42 CFR Part 2 program.' }),
    adapter: AdapterInput.optional().openapi({ description: 'A new adapter, replacing the old one whole.' }),
    sla: Sla.nullable().optional().openapi({ description: 'Replaces the timers as a whole; `null` removes them.' }),
  })
  .openapi('OrganizationPatch', { description: 'The fields to change; the others stay as they are.' });

export const Organization = z
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
