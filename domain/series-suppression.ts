/**
 * Small-cell suppression for a report over time: a period cut into months, and a running total
 * ("connected so far") through the end of each month. The rules of domain/suppression.ts protect
 * one table; a series publishes more tables at once, and two of them can be subtracted.
 *
 * - **Months against the period.** The months of one service are a grouping of the period: the
 *   month rows add up to the period's total (to at least it, since someone referred in two months
 *   counts in each and once in the period). So they get the same rules as any grouping, with the
 *   period's row as the published total: `suppressCells` over the month rows. Every cell a single
 *   month's report would withhold is withheld; companions can be withheld on top.
 * - **Running totals against each other.** Two running totals one month apart differ by the people
 *   first counted in the later month: a count of people like any other. A running total is
 *   published only when that difference from the last published one (or from zero, at the start)
 *   is zero or more than the threshold. The last one is the period's total, published by the
 *   period's own row; when the step up to it is small, earlier ones are withheld until it is not.
 */

import { isSmall } from './suppression.js';

/**
 * Which running totals to publish. `totals[k]` is the count through the end of month k (never
 * less than the one before); `published[k]` says whether that total's own report publishes it
 * (primary and nesting rules). The last entry is the period's total.
 */
export function publishableRunningTotals(totals: readonly number[], published: readonly boolean[]): (number | null)[] {
  const shown = totals.map((_, k) => published[k]!);
  let last = 0;
  for (const [k, total] of totals.entries()) {
    if (!shown[k]) continue;
    if (isSmall(total - last)) shown[k] = false;
    else last = total;
  }
  // The period's total is published whatever the series shows: merge steps backwards until the
  // step up to it is no longer small.
  const end = totals.length - 1;
  if (end >= 0 && published[end]) {
    shown[end] = true;
    for (let k = end - 1; k >= 0; k--) {
      if (!shown[k]) continue;
      if (!isSmall(totals[end]! - totals[k]!)) break;
      shown[k] = false;
    }
  }
  return totals.map((total, k) => (shown[k] ? total : null));
}
