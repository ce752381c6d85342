import { z } from '@hono/zod-openapi';
import { Id, Timestamp } from './common.js';

/** A mail domain as people write it after the @: lower-case labels, at least one dot. */
const EmailDomain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a mail domain such as eastside-housing.example');

export const IdentityProviderInput = z
  .strictObject({
    issuer: z.url({ protocol: /^https?$/ }).max(2000).openapi({
      description: 'The provider’s Issuer Identifier: the hub reads `<issuer>/.well-known/openid-configuration` and checks that it names this issuer. https only, unless the operator allows private targets (a closed network, tests).',
      example: 'https://login.eastside-housing.example',
    }),
    clientId: z.string().min(1).max(500).openapi({ description: 'The client the organisation registered for the hub at its provider.', example: 'referral-hub' }),
    clientSecret: z.string().min(1).max(2000).optional().openapi({
      description: 'That client’s secret. Encrypted at rest and never shown back. Required the first time and whenever `clientId` or `issuer` changes (a stored secret is only ever sent to the issuer it was given for); omitted otherwise, the stored secret is kept.',
      example: 'q3Jd9xVn2LbT7sWm4KzR8cYh',
    }),
    matchBy: z.enum(['sub', 'email']).openapi({
      description: 'How a signed-in person is matched to a staff account of this organisation: `sub`, the subject recorded on the account (`oidcSubject`); or `email`, the address of the account, which the provider must assert as verified (`email_verified`).',
      example: 'email',
    }),
    emailDomain: EmailDomain.optional().openapi({
      description: 'The organisation’s mail domain. Staff who type an address of it on the sign-in page are sent to this provider; with `matchBy: email`, addresses of other domains are refused. Unique on the hub.',
      example: 'eastside-housing.example',
    }),
  })
  .openapi('IdentityProviderInput', { description: 'An organisation’s OpenID Connect provider, for its staff’s console sign-in.' });
export type IdentityProviderInput = z.infer<typeof IdentityProviderInput>;

export const IdentityProvider = z
  .object({
    organizationId: Id.openapi({ description: 'The organisation whose staff sign in through it.' }),
    issuer: z.string().openapi({ description: 'The provider’s Issuer Identifier.' }),
    clientId: z.string().openapi({ description: 'The hub’s client at the provider.' }),
    matchBy: z.enum(['sub', 'email']).openapi({ description: 'How a person is matched to a staff account.' }),
    emailDomain: z.string().nullable().openapi({ description: 'The organisation’s mail domain, or null.' }),
    redirectUri: z.string().openapi({ description: 'The redirect URI to register for the client at the provider: the hub’s public URL and `/console/sign-in/oidc/callback`.' }),
    signInUrl: z.string().openapi({ description: 'A link that starts the organisation’s sign-in directly: for an intranet page or a bookmark.' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('IdentityProvider', { description: 'An organisation’s identity provider, without its client secret.' });
export type IdentityProviderView = z.infer<typeof IdentityProvider>;
