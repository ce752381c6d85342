/**
 * Small-cell suppression for the indicators report, as a pure function of one service's table.
 *
 * The rule (docs/indicators.md): a count from 1 to 10 people is never published (primary
 * suppression), and more cells are withheld where needed so that no withheld count can be worked
 * out from what is published (complementary suppression). What a reader can combine:
 *
 * - the cells of one field across a service's groups, and the service's total for that field,
 *   published in the same report with `groupBy=none` (for gender, age band and race when nobody is
 *   multiracial, the groups add up to the total exactly; for race alone-or-in-combination and for
 *   partners they add up to at least the total, which helps a reader less, and the same rules apply);
 * - the fields of one row, which are nested: completed ≤ connected ≤ referred, rejected ≤ referred,
 *   SLA breaches ≤ referred. A published child of a withheld parent would bound the parent from
 *   below, so it is withheld too.
 *
 * Within one field, one withheld cell next to a published total is the difference of the two, so
 * a lone withheld cell gets a companion: the smallest published cell above zero (the next
 * smallest, as CDC and NCHS guidance put it), or a zero cell when there is none. Two or more
 * withheld cells that are all 1 (or all 10) would still be known from their sum, since a withheld
 * count is known to lie in 1–10 unless it was withheld as a companion; such a set gets a further
 * companion. The rules are applied until nothing changes. test/unit/suppression.test.ts checks the
 * result against a reader who knows these rules and tries every table that would publish the same.
 */

import { COUNT_FIELDS, SUPPRESSION_THRESHOLD } from '../schemas/indicators.js';

export { COUNT_FIELDS, SUPPRESSION_THRESHOLD };
export type CountField = (typeof COUNT_FIELDS)[number];
export type Counts = Record<CountField, number>;

/** Each field's parent in the same row: the child never exceeds it. */
export const PARENT_FIELD: Readonly<Partial<Record<CountField, CountField>>> = {
  connected: 'referred',
  completed: 'connected',
  rejected: 'referred',
  slaBreaches: 'referred',
};

/** A count is small, and withheld for itself, from 1 to the threshold. Zero is published: it names nobody. */
export const isSmall = (count: number) => count >= 1 && count <= SUPPRESSION_THRESHOLD;

/**
 * Which cells of one service's rows to withhold, row by row (the same order as `rows`). Pass the
 * single `all` row for the ungrouped report: it gets the primary and nesting rules only, so the
 * total a grouped report is read against is the same whatever the grouping.
 */
export function suppressCells(rows: readonly Counts[]): Set<CountField>[] {
  const withheld = rows.map((row) => new Set(COUNT_FIELDS.filter((field) => isSmall(row[field]))));
  const primary = withheld.map((cells) => new Set(cells));
  for (let changed = true; changed; ) {
    changed = false;
    // Nesting: a published child above zero of a withheld parent would bound the parent.
    for (const [i, row] of rows.entries()) {
      for (const field of COUNT_FIELDS) {
        const parent = PARENT_FIELD[field];
        if (parent && withheld[i]!.has(parent) && !withheld[i]!.has(field) && row[field] > 0) {
          withheld[i]!.add(field);
          changed = true;
        }
      }
    }
    // Within one field across the groups, against the published total.
    for (const field of COUNT_FIELDS) {
      const cells = rows.map((row, i) => ({ i, value: row[field] })).filter(({ i }) => withheld[i]!.has(field));
      if (cells.length === 0 || !needsCompanion(cells.map((c) => ({ value: c.value, primary: primary[c.i]!.has(field) })))) continue;
      const companion = smallestPublished(rows, withheld, field);
      if (companion === undefined) continue;
      withheld[companion]!.add(field);
      changed = true;
    }
  }
  return withheld;
}

/** A set of withheld cells of one field that a reader could still solve for. */
function needsCompanion(cells: { value: number; primary: boolean }[]): boolean {
  if (cells.length === 1) return true;
  const allPrimary = cells.every((c) => c.primary);
  // All 1s: the sum of the set equals its size, and a primary cell is at least 1.
  // All 10s: the sum equals ten times its size, and a primary cell is at most 10.
  return allPrimary && (cells.every((c) => c.value === 1) || cells.every((c) => c.value === SUPPRESSION_THRESHOLD));
}

/**
 * The row whose published cell of `field` is the smallest above zero, else the first published
 * zero. Not a zero under a published zero parent: that one is known to be zero, withheld or not.
 */
function smallestPublished(rows: readonly Counts[], withheld: Set<CountField>[], field: CountField): number | undefined {
  const parent = PARENT_FIELD[field];
  let best: number | undefined;
  for (const [i, row] of rows.entries()) {
    if (withheld[i]!.has(field)) continue;
    if (parent && row[parent] === 0 && !withheld[i]!.has(parent)) continue;
    if (best === undefined) {
      best = i;
      continue;
    }
    const [value, current] = [row[field], rows[best]![field]];
    // Zero sorts last: a withheld zero protects less, since a reader may guess it.
    if ((current === 0 && value > 0) || (value > 0 && value < current)) best = i;
  }
  return best;
}

/** The published form of a row: withheld counts become null. */
export function publish(row: Counts, withheld: Set<CountField>): Record<CountField, number | null> {
  return Object.fromEntries(COUNT_FIELDS.map((field) => [field, withheld.has(field) ? null : row[field]])) as Record<CountField, number | null>;
}

/** Medians describe people, so they are published only over more than the threshold of them. */
export const publishableMedian = (median: number | null, people: number) => (median !== null && people > SUPPRESSION_THRESHOLD ? median : null);
