import { RACE_CODES } from '../schemas/participant.js';
import type { GroupBy } from '../schemas/indicators.js';

/**
 * The groups of the indicators report, as data: the SQL that counts (store/indicators.ts), the
 * zero rows the report fills in, and the docs read them from here.
 */

/** SPD 15 (2024) minimum categories, as the participant record codes them; `undisclosed` is no category. */
export const RACE_CATEGORIES = RACE_CODES.filter((code) => code !== 'undisclosed');

/**
 * Race groups, alone or in combination: a participant counts in every category selected, and also
 * in `multiracial` when more than one; `undisclosed` when none.
 */
export const RACE_GROUPS = [...RACE_CATEGORIES, 'multiracial', 'undisclosed'] as const;

export const GENDER_CODES = ['female', 'male', 'nonbinary', 'other', 'undisclosed'] as const;

/** Age at referral, in years: [from, to) per band, contiguous from 0 (the report's statement relies on it). */
export const AGE_BANDS = [
  { band: 'under_18', from: 0, to: 18 },
  { band: '18_24', from: 18, to: 25 },
  { band: '25_34', from: 25, to: 35 },
  { band: '35_44', from: 35, to: 45 },
  { band: '45_54', from: 45, to: 55 },
  { band: '55_64', from: 55, to: 65 },
  { band: '65_plus', from: 65, to: 1000 },
] as const;

/** Every group a grouping has, so that a group nobody fell in shows as zeros; none for partners, which are whoever was referred to. */
export function knownGroups(groupBy: GroupBy): readonly string[] {
  switch (groupBy) {
    case 'none': return ['all'];
    case 'race': return RACE_GROUPS;
    case 'gender': return GENDER_CODES;
    case 'age_band': return AGE_BANDS.map((b) => b.band);
    case 'partner': return [];
  }
}

/**
 * The codes a report groups a participant by, from the participant as enrolled: the race
 * categories selected (sorted, `undisclosed` dropped: no category is no category), and the gender
 * code (none: undisclosed). Codes only; nothing here identifies anyone.
 */
export function reportCodes(participant: { race?: readonly string[] | undefined; gender?: string | undefined }) {
  const race = [...new Set((participant.race ?? []).filter((code) => (RACE_CATEGORIES as readonly string[]).includes(code)))].sort();
  const gender = participant.gender && participant.gender !== 'undisclosed' ? participant.gender : null;
  return { raceCodes: race, genderCode: gender };
}
