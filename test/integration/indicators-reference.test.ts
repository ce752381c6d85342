import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGE_BANDS, RACE_CATEGORIES } from '../../domain/indicator-groups.js';
import type { GroupBy } from '../../schemas/indicators.js';
import { countIndicators, type CountedGroup } from '../../store/indicators.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/**
 * The report's counts and medians, for every grouping, are what the definitions give when worked
 * out one referral at a time: unique people per service and group among the referrals created in
 * the range, a person in every race category selected (and multiracial when more than one), age
 * at the referral's day, medians over referrals. Whatever shape the statement takes to be fast,
 * it must give these figures.
 */
describe('indicators against their definitions', () => {
  let db: TestDatabase;
  const HOUR = 3_600_000;
  const FROM = new Date('2025-03-01T00:00:00Z');
  const TO = new Date('2025-06-01T00:00:00Z');
  const PARTNERS = ['org_housing', 'org_jobs'] as const;
  const SERVICES = ['housing', 'employment'] as const;

  const RACE = {
    aian: 'american_indian_or_alaska_native', asian: 'asian', black: 'black_or_african_american',
    mena: 'middle_eastern_or_north_african', nhpi: 'native_hawaiian_or_pacific_islander', white: 'white',
  } as const;
  /** People of every shape: no race, one, several; a gender or none; minors, adults, the old, a birthday in the range. */
  const PEOPLE: { race: string[]; gender: string | null; birth: string }[] = [
    { race: [], gender: null, birth: '1990-05-20' },
    { race: [RACE.white], gender: 'female', birth: '2009-04-15' },
    { race: [RACE.black, RACE.white], gender: 'male', birth: '1958-03-10' },
    { race: [RACE.asian, RACE.black, RACE.mena], gender: 'nonbinary', birth: '2001-01-01' },
    { race: [RACE.mena], gender: null, birth: '2007-05-01' },
    { race: [RACE.aian, RACE.nhpi], gender: 'other', birth: '1975-12-31' },
  ];

  beforeAll(async () => {
    for (const code of PEOPLE.flatMap((p) => p.race)) expect(RACE_CATEGORIES).toContain(code);
    // The statement finds a band by its lower bound alone: the bands must run on from 0 without a gap.
    AGE_BANDS.forEach((band, i) => expect(band.from).toBe(i === 0 ? 0 : AGE_BANDS[i - 1]!.to));
    db = await createTestDatabase();
    await db.sql`INSERT INTO organizations (id, name, kind, adapter) VALUES ('org_ref', 'Probation', 'probation', '{"type":"portal"}'),
      ('org_housing', 'Housing', 'housing', '{"type":"portal"}'), ('org_jobs', 'Jobs', 'employment', '{"type":"portal"}')`;
    for (const [i, p] of PEOPLE.entries()) {
      await db.sql`INSERT INTO participants (id, organization_id, birth_date, record_jwe, race_codes, gender_code, report_codes_filled)
        VALUES (${`par_${i}`}, 'org_ref', ${p.birth}, 'x', ${p.race}, ${p.gender}, true)`;
    }
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** Hours after delivery, or not reached. */
  const after = fc.option(fc.double({ min: 0, max: 400, noNaN: true }), { nil: null });
  const referral = fc.record({
    person: fc.nat(PEOPLE.length - 1),
    service: fc.constantFrom(...SERVICES),
    partner: fc.constantFrom(...PARTNERS),
    // Days from FROM: some before the range, some after it.
    day: fc.double({ min: -20, max: 112, noNaN: true }),
    delivered: fc.boolean(),
    acknowledged: after, firstContact: after,
    connected: fc.boolean(), completed: fc.boolean(), rejected: fc.boolean(), breached: fc.boolean(),
  });
  type Referral = typeof referral extends fc.Arbitrary<infer R> ? R : never;

  const createdAt = (r: Referral) => new Date(FROM.getTime() + r.day * 24 * HOUR);

  async function seed(referrals: Referral[]) {
    await db.sql`DELETE FROM referrals`;
    for (const [i, r] of referrals.entries()) {
      const created = createdAt(r);
      const delivered = r.delivered ? new Date(created.getTime() + HOUR) : null;
      const at = (hours: number | null) => (delivered && hours !== null ? new Date(delivered.getTime() + hours * HOUR) : null);
      const mark = (reached: boolean) => (reached ? created : null);
      await db.sql`INSERT INTO referrals (id, participant_id, referrer_org_id, partner_id, service, purpose, priority, reason_jwe, status, created_by, created_at,
          delivered_at, acknowledged_at, first_contact_at, connected_at, completed_at, rejected_at, sla_breached_at)
        VALUES (${`ref_${i}`}, ${`par_${r.person}`}, 'org_ref', ${r.partner}, ${r.service}, 'care_coordination', 'routine', 'x', 'delivered', 'test', ${created},
          ${delivered}, ${at(r.acknowledged)}, ${at(r.firstContact)}, ${mark(r.connected)}, ${mark(r.completed)}, ${mark(r.rejected)}, ${mark(r.breached)})`;
    }
  }

  /** Whole years from the birth date to the referral's UTC day. */
  function ageAt(birth: string, at: Date): number {
    const [y, m, d] = birth.split('-').map(Number) as [number, number, number];
    const years = at.getUTCFullYear() - y;
    return at.getUTCMonth() + 1 < m || (at.getUTCMonth() + 1 === m && at.getUTCDate() < d) ? years - 1 : years;
  }

  function groupsOf(groupBy: GroupBy, r: Referral): string[] {
    const person = PEOPLE[r.person]!;
    switch (groupBy) {
      case 'none': return ['all'];
      case 'gender': return [person.gender ?? 'undisclosed'];
      case 'partner': return [r.partner];
      case 'age_band': {
        const age = ageAt(person.birth, createdAt(r));
        return [AGE_BANDS.find((b) => age >= b.from && age < b.to)!.band];
      }
      case 'race': return person.race.length === 0 ? ['undisclosed'] : person.race.length > 1 ? [...person.race, 'multiracial'] : person.race;
    }
  }

  /** percentile_cont(0.5): the middle value, or the mean of the two middle ones. */
  function median(values: number[]): number | null {
    if (values.length === 0) return null;
    const sorted = [...values].sort((a, b) => a - b);
    const mid = (sorted.length - 1) / 2;
    return (sorted[Math.floor(mid)]! + sorted[Math.ceil(mid)]!) / 2;
  }

  /** The report worked out referral by referral. */
  function expected(groupBy: GroupBy, referrals: Referral[]): Map<string, CountedGroup> {
    const cells = new Map<string, { service: string; group: string; people: Map<number, Referral[]> }>();
    for (const r of referrals) {
      const created = createdAt(r);
      if (created < FROM || created >= TO) continue;
      for (const group of groupsOf(groupBy, r)) {
        const key = `${r.service}/${group}`;
        const cell = cells.get(key) ?? { service: r.service, group, people: new Map() };
        cell.people.set(r.person, [...(cell.people.get(r.person) ?? []), r]);
        cells.set(key, cell);
      }
    }
    const result = new Map<string, CountedGroup>();
    for (const [key, cell] of cells) {
      const people = [...cell.people.values()];
      const anyOf = (reached: (r: Referral) => boolean) => people.filter((rs) => rs.some(reached)).length;
      const all = people.flat().filter((r) => r.delivered);
      const acknowledged = all.flatMap((r) => (r.acknowledged === null ? [] : [r.acknowledged]));
      const contacted = all.flatMap((r) => (r.firstContact === null ? [] : [r.firstContact / 24]));
      result.set(key, {
        service: cell.service as CountedGroup['service'], group: cell.group,
        counts: { referred: people.length, connected: anyOf((r) => r.connected), completed: anyOf((r) => r.completed), rejected: anyOf((r) => r.rejected), slaBreaches: anyOf((r) => r.breached) },
        medianHoursToAcknowledge: median(acknowledged), acknowledgedPeople: anyOf((r) => r.delivered && r.acknowledged !== null),
        medianDaysToFirstContact: median(contacted), contactedPeople: anyOf((r) => r.delivered && r.firstContact !== null),
      });
    }
    return result;
  }

  it('gives, for every grouping, the counts and medians worked out one referral at a time', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(referral, { maxLength: 30 }), async (referrals) => {
        await seed(referrals);
        for (const groupBy of ['none', 'race', 'gender', 'age_band', 'partner'] as const) {
          const want = expected(groupBy, referrals);
          const got = await countIndicators(db.sql, { from: FROM, to: TO, groupBy });
          expect(got.map((g) => `${g.service}/${g.group}`).sort(), groupBy).toEqual([...want.keys()].sort());
          for (const row of got) {
            const w = want.get(`${row.service}/${row.group}`)!;
            const label = `${groupBy} ${row.service}/${row.group}`;
            expect({ ...row, medianHoursToAcknowledge: 0, medianDaysToFirstContact: 0 }, label).toEqual({ ...w, medianHoursToAcknowledge: 0, medianDaysToFirstContact: 0 });
            for (const field of ['medianHoursToAcknowledge', 'medianDaysToFirstContact'] as const) {
              if (w[field] === null) expect(row[field], `${label} ${field}`).toBeNull();
              else expect(row[field], `${label} ${field}`).toBeCloseTo(w[field], 6);
            }
          }
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
