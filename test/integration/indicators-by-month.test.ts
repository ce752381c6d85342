import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Counts } from '../../domain/suppression.js';
import { countIndicators, countIndicatorsByMonth } from '../../store/indicators.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/**
 * The dashboard's months and running totals (one statement) are the figures a report for each
 * month, and for the period's start through each month, gives on its own.
 */
describe('indicators month by month', () => {
  let db: TestDatabase;
  const PEOPLE = 6;
  const SERVICES = ['housing', 'employment'] as const;
  const monthStart = (year: number, month: number) => new Date(Date.UTC(year, month, 1));

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.sql`INSERT INTO organizations (id, name, kind, adapter) VALUES ('org_ref', 'Probation', 'probation', '{"type":"portal"}'), ('org_par', 'Housing', 'housing', '{"type":"portal"}')`;
    for (let i = 0; i < PEOPLE; i++) {
      await db.sql`INSERT INTO participants (id, organization_id, birth_date, record_jwe, report_codes_filled) VALUES (${`par_${i}`}, 'org_ref', '1980-01-01', 'x', true)`;
    }
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** A referral: who, for what, when (month offset from the period's start, and where in it), what it reached. */
  const referral = fc.record({
    person: fc.nat(PEOPLE - 1),
    service: fc.constantFrom(...SERVICES),
    month: fc.integer({ min: -1, max: 7 }),
    // The first instant of the month, its last millisecond, or anywhere in between.
    at: fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
    connected: fc.boolean(), completed: fc.boolean(), rejected: fc.boolean(), breached: fc.boolean(),
  });

  type Referral = { person: number; service: string; month: number; at: number; connected: boolean; completed: boolean; rejected: boolean; breached: boolean };

  /** Only these referrals, each made in its month (counted from `start`). */
  async function seed(start: Date, referrals: Referral[]) {
    await db.sql`DELETE FROM referrals`;
    for (const [i, r] of referrals.entries()) {
      const from = monthStart(start.getUTCFullYear(), start.getUTCMonth() + r.month);
      const to = monthStart(start.getUTCFullYear(), start.getUTCMonth() + r.month + 1);
      const created = new Date(from.getTime() + Math.min(Math.floor(r.at * (to.getTime() - from.getTime())), to.getTime() - from.getTime() - 1));
      const mark = (reached: boolean) => (reached ? created : null);
      await db.sql`INSERT INTO referrals (id, participant_id, referrer_org_id, partner_id, service, purpose, priority, reason_jwe, status, created_by, created_at,
          delivered_at, connected_at, completed_at, rejected_at, sla_breached_at)
        VALUES (${`ref_${i}`}, ${`par_${r.person}`}, 'org_ref', 'org_par', ${r.service}, 'care_coordination', 'routine', 'x', 'delivered', 'test', ${created},
          ${created}, ${mark(r.connected)}, ${mark(r.completed)}, ${mark(r.rejected)}, ${mark(r.breached)})`;
    }
  }

  /** Per service, as countIndicators counts one range ungrouped. */
  const countsOf = async (from: Date, to: Date) => new Map<string, Counts>(
    (await countIndicators(db.sql, { from, to, groupBy: 'none' })).map((c) => [c.service, c.counts]),
  );
  const zero: Counts = { referred: 0, connected: 0, completed: 0, rejected: 0, slaBreaches: 0 };

  it('gives each month and each running total exactly as counting that range alone does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 11 }), fc.integer({ min: 1, max: 6 }), fc.array(referral, { maxLength: 30 }),
        async (startMonth, length, referrals) => {
          const start = monthStart(2025, startMonth);
          await seed(start, referrals);
          const starts = Array.from({ length }, (_, k) => monthStart(2025, startMonth + k));
          const to = monthStart(2025, startMonth + length);
          const byMonth = await countIndicatorsByMonth(db.sql, { starts, to });

          const services = new Set((await countsOf(start, to)).keys());
          expect(new Set(byMonth.map((m) => m.service))).toEqual(services);
          for (const [k, monthFrom] of starts.entries()) {
            const monthTo = starts[k + 1] ?? to;
            const month = await countsOf(monthFrom, monthTo);
            const soFar = await countsOf(start, monthTo);
            for (const service of services) {
              const row = byMonth.find((m) => m.service === service && m.month === k);
              expect(row, `${service} month ${k}`).toBeDefined();
              expect(row!.counts, `${service} month ${k}`).toEqual(month.get(service) ?? zero);
              expect(row!.soFar, `${service} through month ${k}`).toEqual(soFar.get(service) ?? zero);
            }
          }
          expect(byMonth).toHaveLength(services.size * length);
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);

  it('counts a person referred in two months in each month and once in the running total', async () => {
    const start = monthStart(2025, 0);
    const again: Omit<Referral, 'month'> = { person: 0, service: 'housing', at: 0.5, connected: true, completed: false, rejected: false, breached: false };
    await seed(start, [{ ...again, month: 0 }, { ...again, month: 1 }, { ...again, person: 1, month: 1, connected: false }]);
    const [january, february] = await countIndicatorsByMonth(db.sql, { starts: [start, monthStart(2025, 1)], to: monthStart(2025, 2) });
    expect(january).toMatchObject({ service: 'housing', month: 0, counts: { referred: 1, connected: 1 }, soFar: { referred: 1, connected: 1 } });
    expect(february).toMatchObject({ service: 'housing', month: 1, counts: { referred: 2, connected: 1 }, soFar: { referred: 2, connected: 1 } });
  });

  it('counts nothing for no months', async () => {
    expect(await countIndicatorsByMonth(db.sql, { starts: [], to: monthStart(2025, 0) })).toEqual([]);
  });
});
