import { z } from '@hono/zod-openapi';
import { DataCategory } from './vocabulary.js';

const Fields = z.record(z.string(), z.unknown()).openapi({ description: 'Free-form fields of one section.' });

export const HumanName = z.strictObject({
  given: z.array(z.string().min(1).max(200)).min(1).max(10),
  family: z.string().min(1).max(200),
});

export const IdentitySection = z
  .object({
    name: HumanName,
    birthDate: z.iso.date(),
    identifiers: z.array(z.strictObject({ system: z.string().min(1).max(500), value: z.string().min(1).max(200) })).max(20).optional(),
  })
  .catchall(z.unknown());

export const ContactSection = z
  .object({
    phone: z.string().max(50).optional(),
    email: z.string().max(320).optional(),
    address: z
      .strictObject({ line: z.string().max(500), city: z.string().max(200), state: z.string().max(100), postalCode: z.string().max(20) })
      .optional(),
  })
  .catchall(z.unknown());

/** A free-text note must say which category it talks about: notes are the classic leak. */
export const CaseNote = z.strictObject({ category: DataCategory, text: z.string().min(1).max(20_000) }).openapi('CaseNote');
export type CaseNote = z.infer<typeof CaseNote>;

/** The case file as a planner sends it. Unknown categories are a 400, not silently kept. */
export const CaseFile = z
  .strictObject({
    identity: IdentitySection.optional(),
    contact: ContactSection.optional(),
    demographics: Fields.optional(),
    justice: Fields.optional(),
    risk_assessment: Fields.optional(),
    mental_health: Fields.optional(),
    substance_use: Fields.optional(),
    medical: Fields.optional(),
    education: Fields.optional(),
    employment: Fields.optional(),
    housing: Fields.optional(),
    family: Fields.optional(),
    notes: z.array(CaseNote).max(200).optional(),
  })
  .openapi('CaseFile');
export type CaseFile = z.infer<typeof CaseFile>;
