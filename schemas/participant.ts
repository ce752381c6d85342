import { z } from '@hono/zod-openapi';
import { HumanName } from './case-file.js';
import { Id, Timestamp } from './common.js';

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

const Guardian = z.strictObject({ name: z.string().min(1).max(300), relationship: z.string().min(1).max(100), phone: z.string().max(50).optional() });

export const ParticipantInput = z
  .strictObject({
    externalId: z.string().min(1).max(200).optional(),
    name: HumanName,
    birthDate: z.iso.date().refine((d) => Date.parse(d) <= Date.now(), 'a birth date in the past').refine((d) => !d.startsWith('0000'), 'there is no year 0'),
    gender: z.enum(['female', 'male', 'nonbinary', 'other', 'undisclosed']).optional(),
    // SPD 15 (2024): one combined race and ethnicity question, several selections allowed.
    race: z.array(z.enum(RACE_CODES)).max(RACE_CODES.length).optional(),
    guardians: z.array(Guardian).max(5).optional(),
  })
  .openapi('ParticipantInput');
export type ParticipantInput = z.infer<typeof ParticipantInput>;

export const Participant = ParticipantInput.safeExtend({ id: Id, minor: z.boolean(), createdAt: Timestamp }).openapi('Participant');
export type Participant = z.infer<typeof Participant>;
