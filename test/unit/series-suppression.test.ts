import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { publishableRunningTotals } from '../../domain/series-suppression.js';

describe('running totals over a period', () => {
  it('withholds a running total that rose by 1 to 10 since the last one shown', () => {
    // 12 after March, 15 after April (+3: the 3 people of April), 28 after May, 28 after June.
    expect(publishableRunningTotals([12, 15, 28, 28], [true, true, true, true])).toEqual([12, null, 28, 28]);
  });

  it('withholds earlier totals until the step up to the period’s total is not small', () => {
    // 20, 30, then 35 at the end: 35 − 30 = 5 would name 5 people; 35 − 20 = 15 does not.
    expect(publishableRunningTotals([20, 30, 35], [true, true, true])).toEqual([20, null, 35]);
    expect(publishableRunningTotals([20, 28, 35], [true, true, true])).toEqual([20, null, 35]);
  });

  it('keeps what each total’s own report withholds withheld, and publishes a rise of zero', () => {
    expect(publishableRunningTotals([4, 4, 30], [false, false, true])).toEqual([null, null, 30]);
    expect(publishableRunningTotals([0, 0, 11], [true, true, true])).toEqual([0, 0, 11]);
  });

  it('never lets two shown totals, or zero and a shown total, differ by 1 to 10', () => {
    const steps = fc.array(fc.nat({ max: 25 }), { minLength: 1, maxLength: 24 });
    fc.assert(fc.property(steps, (rises) => {
      const totals = rises.map((_, k) => rises.slice(0, k + 1).reduce((a, b) => a + b, 0));
      // As a report publishes a total on its own: not from 1 to 10.
      const own = totals.map((t) => t === 0 || t > 10);
      const shown = publishableRunningTotals(totals, own);
      const known = [0, ...shown.filter((t): t is number => t !== null)];
      for (let i = 1; i < known.length; i++) expect(known[i]! - known[i - 1]!, JSON.stringify({ totals, shown })).not.toSatisfy((d: number) => d >= 1 && d <= 10);
      // The period's total is the period report's, shown whenever that report shows it.
      if (own.at(-1)) expect(shown.at(-1)).toBe(totals.at(-1));
    }));
  });
});
