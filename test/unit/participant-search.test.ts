import { describe, expect, it } from 'vitest';
import { ParticipantSearch } from '../../schemas/participant.js';
import { nameMatches } from '../../services/participant-search.js';

const jose = { given: ['José', 'Luis'], family: 'García-Márquez' };

describe('finding a participant by name', () => {
  it('matches every word typed against the start of a given or family name, whatever the case, accents or order', () => {
    expect(nameMatches(jose, 'jose')).toBe(true);
    expect(nameMatches(jose, 'GARCIA jo')).toBe(true);
    expect(nameMatches(jose, 'marquez')).toBe(true);
    expect(nameMatches(jose, 'luis garcía-márquez')).toBe(true);
  });

  it('does not match a word that starts none of the names, nor one found only inside a name', () => {
    expect(nameMatches(jose, 'jose rivera')).toBe(false);
    expect(nameMatches(jose, 'arcia')).toBe(false);
  });

  it('takes a name only together with a date of birth or a reference, and says which field to add', () => {
    const alone = ParticipantSearch.safeParse({ name: 'Jordan' });
    expect(alone.success).toBe(false);
    expect(alone.error!.issues).toMatchObject([{ path: ['birthDate'], message: expect.stringContaining('add the date of birth') }]);
    expect(ParticipantSearch.safeParse({}).error!.issues[0]!.message).toBe('enter a date of birth, or a case number or participant id');
    expect(ParticipantSearch.safeParse({ name: 'Jordan', birthDate: '1990-04-12' }).success).toBe(true);
    expect(ParticipantSearch.safeParse({ reference: 'CP-2026-0412' }).success).toBe(true);
    expect(ParticipantSearch.safeParse({ birthDate: '12/04/1990' }).error!.issues[0]).toMatchObject({ path: ['birthDate'], message: 'a date, YYYY-MM-DD' });
  });
});
