import { z } from '@hono/zod-openapi';
import { DataCategory } from './vocabulary.js';

const Fields = z.record(z.string(), z.unknown()).openapi({ description: 'Free-form fields of one section, as the referring system keeps them.' });

export const HumanName = z.strictObject({
  given: z.array(z.string().min(1).max(200)).min(1).max(10).openapi({ description: 'Given names, in order.', example: ['Jordan'] }),
  family: z.string().min(1).max(200).openapi({ description: 'Family name.', example: 'Rivera' }),
}).openapi({ description: 'A person’s name.' });

export const IdentitySection = z
  .object({
    name: HumanName,
    birthDate: z.iso.date().openapi({ description: 'Date of birth, `YYYY-MM-DD`.', example: '1990-04-12' }),
    identifiers: z
      .array(z.strictObject({
        system: z.string().min(1).max(500).openapi({ description: 'The namespace of the identifier (a URI, or the issuing system’s name).', example: 'urn:county-probation:case-number' }),
        value: z.string().min(1).max(200).openapi({ description: 'The identifier in that namespace.', example: 'CP-2026-0412' }),
      }))
      .max(20)
      .optional()
      .openapi({ description: 'Case numbers, record numbers and the like.' }),
  })
  .catchall(z.unknown())
  .openapi({ description: 'Who the participant is. A partner needs this category to be sent a referral at all.' });

export const ContactSection = z
  .object({
    phone: z.string().max(50).optional().openapi({ description: 'A phone number, as written.', example: '555-0100' }),
    email: z.string().max(320).optional().openapi({ description: 'An email address.' }),
    address: z
      .strictObject({
        line: z.string().max(500).openapi({ description: 'Street and number.' }),
        city: z.string().max(200).openapi({ description: 'City.' }),
        state: z.string().max(100).openapi({ description: 'State or region.' }),
        postalCode: z.string().max(20).openapi({ description: 'Postal code.' }),
      })
      .optional()
      .openapi({ description: 'A postal address.' }),
  })
  .catchall(z.unknown())
  .openapi({ description: 'How to reach the participant.' });

/** A free-text note must say which category it talks about: notes are the classic leak. */
export const CaseNote = z
  .strictObject({
    category: DataCategory,
    text: z.string().min(1).max(20_000).openapi({ description: 'The note (stored encrypted).', example: 'Prefers the east side, near work' }),
  })
  .openapi('CaseNote', { description: 'A free-text note. Its `category` says what it talks about, and it is disclosed only where that category is.' });
export type CaseNote = z.infer<typeof CaseNote>;

/** The case file as a planner sends it. Unknown categories are a 400, not silently kept. */
export const CaseFile = z
  .strictObject({
    identity: IdentitySection.optional(),
    contact: ContactSection.optional(),
    demographics: Fields.optional().openapi({ description: 'Demographic fields.' }),
    justice: Fields.optional().openapi({ description: 'Supervision, charges, court dates.', example: { supervisionLevel: 'medium' } }),
    risk_assessment: Fields.optional().openapi({ description: 'Risk and needs assessment results.' }),
    mental_health: Fields.optional().openapi({ description: 'Mental-health information.' }),
    substance_use: Fields.optional().openapi({ description: 'Substance-use information: 42 CFR Part 2 data, sent only under a basis that permits it, and always with the redisclosure notice.', example: { asiScore: 0.42 } }),
    medical: Fields.optional().openapi({ description: 'Medical information.' }),
    education: Fields.optional().openapi({ description: 'Schooling and training.' }),
    employment: Fields.optional().openapi({ description: 'Work history and status.' }),
    housing: Fields.optional().openapi({ description: 'Housing situation.', example: { status: 'couch-surfing', eviction: false } }),
    family: Fields.optional().openapi({ description: 'Family and household.' }),
    notes: z.array(CaseNote).max(200).optional().openapi({ description: 'Free-text notes, each with the category it talks about.' }),
  })
  .openapi('CaseFile', {
    description:
      'What the planner knows about the participant, one optional section per data category (any other key is a 400), plus categorised notes. ' +
      'Each section and note is stored encrypted on its own; what a partner receives is decided section by section.',
  });
export type CaseFile = z.infer<typeof CaseFile>;
