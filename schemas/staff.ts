import { z } from '@hono/zod-openapi';
import { Id, Timestamp } from './common.js';
import { Role } from './vocabulary.js';

/** At least this long: a pass phrase people can type, long enough that guessing within the lock-out is hopeless. */
export const MIN_PASSWORD_LENGTH = 12;

/** An OpenID Connect subject: at most 255 ASCII characters (OpenID Connect Core § 2). */
export const OidcSubject = z.string().min(1).max(255).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

export const StaffInput = z
  .strictObject({
    organizationId: Id.optional().openapi({ description: 'The organisation the person works for; required for every role but `admin`.' }),
    role: Role.openapi({ description: 'What the person may do in the console: exactly what a client of this organisation and role may do through the API.' }),
    name: z.string().trim().min(1).max(200).openapi({ description: 'The person’s name, as shown in the console and the audit log’s readers.', example: 'Dana Whitfield' }),
    email: z.email().max(320).openapi({ description: 'What the person signs in with; unique on the hub, whatever its case.', example: 'dana.whitfield@eastside-housing.example' }),
    password: z.string().min(MIN_PASSWORD_LENGTH).max(1000).openapi({
      description: `The initial password (at least ${MIN_PASSWORD_LENGTH} characters). Stored only as an argon2id hash and never shown back.`,
      example: 'correct horse battery staple',
    }),
    oidcSubject: OidcSubject.optional().openapi({
      description: 'The `sub` their organisation’s identity provider gives them, for an organisation whose provider matches accounts by subject (see `PUT /v1/organizations/{id}/identity-provider`). Unique within the organisation.',
      example: '248289761001',
    }),
  })
  .superRefine((input, ctx) => {
    if (input.role !== 'admin' && !input.organizationId) {
      ctx.addIssue({ code: 'custom', path: ['organizationId'], message: `a ${input.role} acts for an organisation: organizationId is required` });
    }
  })
  .openapi('StaffInput', { description: 'A person who signs in to the web console.' });
export type StaffInput = z.infer<typeof StaffInput>;

export const Staff = z
  .object({
    id: Id.openapi({ description: 'The staff member’s id (`stf_…`).' }),
    organizationId: Id.nullable().openapi({ description: 'Their organisation; null for a hub admin.' }),
    role: Role,
    name: z.string().openapi({ description: 'The person’s name.' }),
    email: z.string().openapi({ description: 'What they sign in with.' }),
    oidcSubject: z.string().nullable().openapi({ description: 'Their subject at their organisation’s identity provider, when the provider matches by subject; null otherwise.' }),
    disabled: z.boolean().openapi({ description: 'A disabled account signs in by no method, password or identity provider.' }),
    createdAt: Timestamp.openapi({ description: 'When the account was created.' }),
  })
  .openapi('Staff', { description: 'A staff account, without its password.' });

export const StaffPatch = z
  .strictObject({
    oidcSubject: OidcSubject.nullable().optional().openapi({ description: 'Their subject at their organisation’s identity provider; null removes it.', example: '248289761001' }),
    disabled: z.boolean().optional().openapi({ description: 'true disables the account and ends its sessions; false enables it again.', example: true }),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'name at least one of oidcSubject, disabled' })
  .openapi('StaffPatch', { description: 'What an admin changes on an account after creating it.' });
export type StaffPatch = z.infer<typeof StaffPatch>;

export const SessionsRevoked = z
  .object({ revoked: z.number().int().openapi({ description: 'How many live sessions were ended.' }) })
  .openapi('SessionsRevoked');
