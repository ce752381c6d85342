import type { ParticipantInput } from '../../schemas/participant.js';
import { Random } from './random.js';

/**
 * Synthetic participants: names, birth dates (adults on supervision and youth in the juvenile
 * system), gender, and race and ethnicity as one question with several selections allowed (the
 * 2024 federal standard, Middle Eastern or North African included). Nobody here is real.
 */

const GIVEN = [
  'James', 'Maria', 'Andre', 'Keisha', 'Luis', 'Aaliyah', 'Omar', 'Grace', 'Tyrone', 'Sofia', 'Daniel', 'Mei', 'Jamal', 'Rosa', 'Kevin', 'Layla',
  'Marcus', 'Ana', 'Darnell', 'Fatima', 'Jose', 'Hannah', 'Malik', 'Yesenia', 'Brandon', 'Leilani', 'Carlos', 'Nadia', 'Terrence', 'Jasmine',
  'Dmitri', 'Imani', 'Miguel', 'Priya', 'Tanner', 'Alejandra', 'Samir', 'Destiny', 'Hector', 'Ngozi', 'Ricky', 'Lucia', 'Yusuf', 'Brianna',
];
const FAMILY = [
  'Johnson', 'Garcia', 'Williams', 'Nguyen', 'Hernandez', 'Brown', 'Haddad', 'Lopez', 'Jackson', 'Kim', 'Martinez', 'Davis', 'Nakamura', 'Rodriguez',
  'Okafor', 'Wilson', 'Mansour', 'Thompson', 'Begay', 'Ramirez', 'Anderson', 'Patel', 'Moore', 'Sanchez', 'Taylor', 'Kahale', 'Robinson', 'Ali',
  'Clark', 'Torres', 'Lewis', 'Yazzie', 'Walker', 'Flores', 'Hall', 'Chen', 'Young', 'Rivera', 'Allen', 'Saleh', 'King', 'Reyes',
];

/** Single selections, weighted roughly like an urban county's supervised population. */
const RACE_WEIGHTS = {
  black_or_african_american: 30, hispanic_or_latino: 28, white: 24, asian: 5, american_indian_or_alaska_native: 2,
  middle_eastern_or_north_african: 3, native_hawaiian_or_pacific_islander: 1, undisclosed: 7,
} as const;
const GENDER_WEIGHTS = { male: 66, female: 29, nonbinary: 2, other: 1, undisclosed: 2 } as const;
const GUARDIAN_RELATIONSHIPS = ['mother', 'father', 'grandmother', 'aunt', 'legal guardian', 'foster parent'];

export interface DemoPerson {
  /** The planner's own id for them: how a second run finds them again. */
  externalId: string;
  input: ParticipantInput;
  minor: boolean;
}

const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Person number `n` of the demo, the same on every run of a year: ages count from 1 January of
 * `today`'s year, so a youth stays under 18 and an adult over it until the year ends.
 */
export function person(n: number, today: Date): DemoPerson {
  const rnd = new Random(`person-${n}`);
  const newYear = Date.UTC(today.getUTCFullYear(), 0, 1);
  // About one in six is a youth (12 to 17 over the year), the rest adults from 18 to 70.
  const minor = rnd.chance(0.16);
  const ageDays = minor ? rnd.int(12 * 365 + 200, 16 * 365 + 330) : rnd.int(18 * 365 + 200, 70 * 365);
  const birthDate = isoDate(new Date(newYear - ageDays * 86_400_000));
  const family = rnd.pick(FAMILY);
  const given = rnd.chance(0.3) ? [rnd.pick(GIVEN), rnd.pick(GIVEN)] : [rnd.pick(GIVEN)];
  const first = rnd.weighted(RACE_WEIGHTS);
  // About one in nine selects more than one (SPD 15 allows every category that applies).
  const race = first !== 'undisclosed' && rnd.chance(0.11) ? [...new Set([first, rnd.weighted({ ...RACE_WEIGHTS, undisclosed: 0 })])] : [first];
  const input: ParticipantInput = {
    externalId: `DEMO-${String(n).padStart(6, '0')}`,
    name: { given, family },
    birthDate,
    gender: rnd.weighted(GENDER_WEIGHTS),
    race,
  };
  if (minor) input.guardians = [{ name: `${rnd.pick(GIVEN)} ${family}`, relationship: rnd.pick(GUARDIAN_RELATIONSHIPS), phone: `555-01${String(rnd.int(0, 99)).padStart(2, '0')}` }];
  return { externalId: input.externalId!, input, minor };
}
