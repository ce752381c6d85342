import { z } from '@hono/zod-openapi';
import { HumanName } from './case-file.js';
import { Id, listOf, Timestamp } from './common.js';

export const RACE_CODES = [
  'american_indian_or_alaska_native',
  'asian',
  'black_or_african_american',
  'hispanic_or_latino',
  'middle_eastern_or_north_african',
  'native_hawaiian_or_pacific_islander',
  'white',
  'undisclosed',
] as const;

const Guardian = z.strictObject({
  name: z.string().min(1).max(300).openapi({ description: 'The guardian’s name; access decisions name the guardian whose signature is missing.', example: 'Maria Rivera' }),
  relationship: z.string().min(1).max(100).openapi({ description: 'How the guardian is related to the participant.', example: 'mother' }),
  phone: z.string().max(50).optional().openapi({ description: 'A phone number, as written.' }),
});

export const ParticipantInput = z
  .strictObject({
    externalId: z.string().min(1).max(200).optional().openapi({ description: 'The participant’s id in the planner’s own system, for the planner’s reference.', example: 'CP-2026-0412' }),
    name: HumanName,
    birthDate: z.iso
      .date()
      .refine((d) => Date.parse(d) <= Date.now(), 'a birth date in the past')
      .refine((d) => !d.startsWith('0000'), 'there is no year 0')
      .openapi({ description: 'Date of birth, `YYYY-MM-DD`, in the past. Decides `minor`, and so whose signatures a consent needs.', example: '1990-04-12' }),
    gender: z.enum(['female', 'male', 'nonbinary', 'other', 'undisclosed']).optional().openapi({ description: 'Gender, as the participant gives it.' }),
    // SPD 15 (2024): one combined race and ethnicity question, several selections allowed.
    race: z.array(z.enum(RACE_CODES)).max(RACE_CODES.length).optional().openapi({
      description: 'Race and ethnicity as one question (the 2024 federal standard, SPD 15): select every code that applies, or `undisclosed`.',
    }),
    guardians: z.array(Guardian).max(5).optional().openapi({ description: 'A minor’s guardians: a consent for a minor needs a guardian’s signature.' }),
  })
  .openapi('ParticipantInput', { description: 'A participant to enrol.' });
export type ParticipantInput = z.infer<typeof ParticipantInput>;

export const Participant = ParticipantInput.safeExtend({
  id: Id.openapi({ description: 'The participant’s id (`par_…`).', example: 'par_JordanRivera0000000001' }),
  minor: z.boolean().openapi({ description: 'Under 18 today.' }),
  createdAt: Timestamp.openapi({ description: 'When the participant was enrolled.' }),
}).openapi('Participant', { description: 'A participant, as enrolled by the planner’s organisation.' });
export type Participant = z.infer<typeof Participant>;

/**
 * A search among one organisation's participants. Names are stored encrypted, so a name only
 * narrows a search by date of birth or reference: the hub never decrypts a whole caseload to
 * find one person.
 */
export const ParticipantSearch = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    birthDate: z.iso.date('a date, YYYY-MM-DD').optional(),
    reference: z.string().trim().min(1).max(200).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.birthDate || s.reference) return;
    if (s.name) ctx.addIssue({ code: 'custom', path: ['birthDate'], message: 'names are stored encrypted, so a name is searched among the participants born on a date: add the date of birth (or search by case number)' });
    else ctx.addIssue({ code: 'custom', path: ['birthDate'], message: 'enter a date of birth, or a case number or participant id' });
  });
export type ParticipantSearch = z.infer<typeof ParticipantSearch>;

/** A look-up by the planner's own id: `externalId` is required, so the list is never the whole register. */
export const ParticipantLookupQuery = z.object({
  externalId: z.string().min(1).max(200).openapi({ description: 'The participant’s id in the planner’s own system, as given at enrolment.', example: 'CP-2026-0412' }),
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: 'At most this many, 1 to 200.', example: 50 }),
});
export type ParticipantLookupQuery = z.infer<typeof ParticipantLookupQuery>;

export const ParticipantList = listOf(Participant, 'ParticipantList');
