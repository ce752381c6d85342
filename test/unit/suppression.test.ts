import { describe, expect, it } from 'vitest';
import { COUNT_FIELDS, publish, publishableMedian, suppressCells, type Counts } from '../../domain/suppression.js';

const counts = (c: Partial<Counts>): Counts => ({ referred: 0, connected: 0, completed: 0, rejected: 0, slaBreaches: 0, ...c });
const total = (rows: Counts[]) => counts(Object.fromEntries(COUNT_FIELDS.map((f) => [f, rows.reduce((n, r) => n + r[f], 0)])));

interface Table {
  groups: Counts[];
  all: Counts;
}
const table = (groups: Counts[], all: Counts = total(groups)): Table => ({ groups, all });

/** Every cell of a table in one list (the `all` row first) and which of them the report withholds. */
function cellsOf(t: Table) {
  const rows = [t.all, ...t.groups];
  const [allWithheld] = suppressCells([t.all]);
  const withheld = [allWithheld!, ...suppressCells(t.groups)];
  return rows.flatMap((row, r) => COUNT_FIELDS.map((field) => ({ name: `${r === 0 ? 'all' : `group ${r - 1}`}.${field}`, value: row[field], withheld: withheld[r]!.has(field) })));
}

/**
 * The reader with the whole published table (the grouped rows and the total): for every possible
 * table that shows the same published cells (the enumerated `tables`, which hold the relations
 * between cells by construction: groups adding up to the total, nested fields, overlapping race
 * groups), it collects the values each withheld cell could have. A cell is recovered when only one
 * value is left. Returns the recovered cells of the `judged` tables.
 */
function recoverable(tables: Table[], judged: (t: Table) => boolean): string[] {
  const cells = tables.map(cellsOf);
  const masks = new Map<string, Map<string, Map<number, Set<number>>>>();
  for (const c of cells) masks.set(c.map((x) => (x.withheld ? 1 : 0)).join(''), new Map());
  // For each way of withholding cells, what each withheld cell could be given the published ones.
  for (const [mask, byShown] of masks) {
    for (const c of cells) {
      const shown = c.map((x, i) => (mask[i] === '1' ? '_' : x.value)).join(',');
      const hidden = byShown.get(shown) ?? new Map<number, Set<number>>();
      byShown.set(shown, hidden);
      c.forEach((x, i) => mask[i] === '1' && hidden.set(i, (hidden.get(i) ?? new Set()).add(x.value)));
    }
  }
  const found: string[] = [];
  tables.forEach((t, n) => {
    if (!judged(t)) return;
    const c = cells[n]!;
    const mask = c.map((x) => (x.withheld ? 1 : 0)).join('');
    const hidden = masks.get(mask)!.get(c.map((x) => (x.withheld ? '_' : x.value)).join(','))!;
    for (const [i, values] of hidden) if (values.size === 1) found.push(`${JSON.stringify(t)}: ${c[i]!.name} = ${c[i]!.value}`);
  });
  return found;
}

function* range(from: number, to: number) {
  for (let n = from; n <= to; n++) yield n;
}

describe('small-cell suppression', () => {
  it('withholds every count from 1 to 10 and publishes zeros and counts above 10', () => {
    const [withheld] = suppressCells([counts({ referred: 11, connected: 10, completed: 1, rejected: 0, slaBreaches: 12 })]);
    expect([...withheld!].sort()).toEqual(['completed', 'connected']);
    expect(publish(counts({ referred: 11, connected: 10, completed: 1, slaBreaches: 12 }), withheld!)).toEqual({
      referred: 11, connected: null, completed: null, rejected: 0, slaBreaches: 12,
    });
  });

  it('withholds the next smallest group too when only one group of a field is small', () => {
    const withheld = suppressCells([counts({ referred: 40 }), counts({ referred: 3 }), counts({ referred: 25 }), counts({ referred: 0 })]);
    expect(withheld.map((w) => w.has('referred'))).toEqual([false, true, true, false]);
  });

  it('withholds a zero as the companion when no group above zero is left to withhold', () => {
    const withheld = suppressCells([counts({ referred: 4 }), counts({ referred: 0 }), counts({ referred: 0 })]);
    expect(withheld.map((w) => w.has('referred'))).toEqual([true, true, false]);
  });

  it('adds a companion to two withheld ones, which their sum would give away', () => {
    const withheld = suppressCells([counts({ referred: 1 }), counts({ referred: 1 }), counts({ referred: 30 }), counts({ referred: 20 })]);
    expect(withheld.map((w) => w.has('referred'))).toEqual([true, true, false, true]);
  });

  it('withholds the connected count of a group whose referred count was withheld as a companion', () => {
    // referred 16 is the companion of referred 1; its published connected 16 would show referred ≥ 16.
    const withheld = suppressCells([counts({ referred: 1 }), counts({ referred: 16, connected: 16 })]);
    expect(withheld[1]!.has('referred')).toBe(true);
    expect(withheld[1]!.has('connected')).toBe(true);
  });

  it('publishes a median over more than 10 people only', () => {
    expect(publishableMedian(5.5, 10)).toBeNull();
    expect(publishableMedian(5.5, 11)).toBe(5.5);
    expect(publishableMedian(null, 50)).toBeNull();
  });

  it('leaves no withheld cell of a partition (gender, age band) recoverable from the others and the total', () => {
    const tables: Table[] = [];
    for (const a of range(0, 24)) for (const b of range(0, 24)) for (const c of range(0, 24)) {
      tables.push(table([counts({ referred: a }), counts({ referred: b }), counts({ referred: c })]));
    }
    // Judged away from the edge of the enumeration, where the reader would also know "at most 24".
    expect(recoverable(tables, (t) => t.groups.every((g) => g.referred <= 22))).toEqual([]);
  });

  it('leaves no withheld cell recoverable across nested fields (connected ≤ referred) either', () => {
    const rows: Counts[] = [];
    for (const referred of range(0, 17)) for (const connected of range(0, referred)) rows.push(counts({ referred, connected }));
    const tables: Table[] = [];
    for (const a of rows) for (const b of rows) tables.push(table([a, b]));
    expect(recoverable(tables, (t) => t.groups.every((g) => g.referred <= 15))).toEqual([]);
  });

  it('leaves no withheld cell recoverable for race alone or in combination, where groups overlap', () => {
    // Two races: people of one race only (s1, s2), of both (m: counted in both and as multiracial), undisclosed (u).
    const tables: Table[] = [];
    for (const s1 of range(0, 16)) for (const s2 of range(0, 16)) for (const m of range(0, 16)) for (const u of range(0, 16)) {
      tables.push(table([s1 + m, s2 + m, m, u].map((referred) => counts({ referred })), counts({ referred: s1 + s2 + m + u })));
    }
    expect(recoverable(tables, (t) => t.groups.every((g) => g.referred <= 14))).toEqual([]);
  });

  it('the same reader recovers a small cell when only the small cells are withheld (the check is not vacuous)', () => {
    // Without companions, 40 + x + 25 = 68 gives x = 3.
    const tables: Table[] = [];
    for (const x of range(0, 30)) for (const y of range(0, 30)) tables.push(table([counts({ referred: 40 }), counts({ referred: x }), counts({ referred: y })]));
    const truth = tables.find((t) => t.groups[1]!.referred === 3 && t.groups[2]!.referred === 25)!;
    const onlySmall = (t: Table) => t.groups.map((g) => (g.referred >= 1 && g.referred <= 10 ? null : g.referred));
    const shown = (t: Table) => JSON.stringify([t.all.referred, onlySmall(t)]);
    const possible = tables.filter((t) => shown(t) === shown(truth)).map((t) => t.groups[1]!.referred);
    expect(possible).toEqual([3]);
    // With companions, the same table leaves the reader with every split of 28 between two groups.
    expect(recoverable(tables, (t) => t === truth)).toEqual([]);
  });

  it('names the same fields withheld whatever order the groups come in', () => {
    const rows = [counts({ referred: 12, connected: 2 }), counts({ referred: 30, connected: 15 }), counts({ referred: 5, connected: 5 })];
    const forward = suppressCells(rows).map((w) => [...w].sort());
    const backward = suppressCells([...rows].reverse()).map((w) => [...w].sort()).reverse();
    expect(backward).toEqual(forward);
  });
});
