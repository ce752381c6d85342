import type { CaseFile, CaseNote } from '../schemas/case-file.js';
import { DATA_CATEGORIES, type DataCategory } from '../schemas/vocabulary.js';
import type { Disclosed, ProjectedCaseFile } from './disclosed.js';
import { CATEGORY_COUNT, categoryBit } from './evaluate.js';
import { PART2_NOTICE_CODE, WITHHELD_NOTICE } from './notices.js';
import type { Decision, Obligation } from './types.js';

/** Obligations that only travel with data of one category. Others travel with any disclosure. */
const OBLIGATION_CATEGORY: Record<string, DataCategory> = { [PART2_NOTICE_CODE]: 'substance_use' };

/**
 * A deep copy, so nothing the recipient gets aliases the stored case file (a later mutation of
 * the payload, e.g. by an adapter, must not reach the record, nor the record the payload).
 * Case files are JSON, so a plain walk is enough and much cheaper than structuredClone on the
 * per-read path; anything else falls back to structuredClone.
 */
function copy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copy) as T;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = copy((value as Record<string, unknown>)[key]);
    // A JSON key "__proto__" is data; plain assignment would set the copy's prototype instead.
    if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out as T;
}

/**
 * The only producer of partner-bound data: the minimum necessary the decision permits, nothing
 * else. Sections and notes of a category the decision does not permit are left out and only
 * counted. The referral's `reason` is free text about the participant ("needs housing; on
 * methadone since May" is the kind of thing it ends up holding), so it is case data too: it goes
 * only where the recipient may know who the participant is (`identity`), and is otherwise counted.
 */
export function project(caseFile: CaseFile, decision: Decision, extra: { reason?: string | undefined } = {}): Disclosed<ProjectedCaseFile> {
  // Fail closed on a malformed decision: a category both permitted and denied is withheld.
  let allowed = 0;
  for (const c of decision.permitted) allowed |= categoryBit(c);
  for (const d of decision.denied) allowed &= ~categoryBit(d.category);

  const out: Partial<CaseFile> = {};
  let disclosed = 0;
  let withheld = 0;
  for (let i = 0; i < CATEGORY_COUNT; i++) {
    const category = DATA_CATEGORIES[i] as DataCategory;
    const section = caseFile[category];
    if (section === undefined) continue;
    if ((allowed & (1 << i)) === 0) {
      withheld++;
      continue;
    }
    (out as Record<string, unknown>)[category] = copy(section);
    disclosed |= 1 << i;
  }

  if (caseFile.notes !== undefined) {
    const notes: CaseNote[] = [];
    for (const n of caseFile.notes) {
      // A note is disclosed under its own category: free text is where diagnoses leak.
      const bit = categoryBit(n.category);
      if ((allowed & bit) === 0) {
        withheld++;
        continue;
      }
      notes.push({ category: n.category, text: n.text });
      disclosed |= bit;
    }
    if (notes.length > 0) out.notes = notes;
  }

  let reason: string | undefined;
  // Present even when the caller did not decrypt it (''): it is counted as withheld either way.
  if (extra.reason !== undefined) {
    const identity = categoryBit('identity');
    if ((allowed & identity) !== 0) {
      reason = extra.reason;
      // Disclosed under the basis that lets the recipient know the participant: the accounting says so.
      disclosed |= identity;
    } else {
      withheld++;
    }
  }

  const categories: DataCategory[] = [];
  const basisIds = new Set<string>();
  for (let i = 0; i < CATEGORY_COUNT; i++) {
    if ((disclosed & (1 << i)) === 0) continue;
    const category = DATA_CATEGORIES[i] as DataCategory;
    categories.push(category);
    for (const id of decision.bases[category] ?? []) basisIds.add(id);
  }
  const notices: Obligation[] = [];
  for (const o of decision.obligations) {
    const needs = OBLIGATION_CATEGORY[o.code];
    // 42 CFR 2.32: the redisclosure notice goes with Part 2 data, and only then.
    if (needs === undefined ? disclosed !== 0 : (disclosed & categoryBit(needs)) !== 0) notices.push({ code: o.code, text: o.text });
  }

  const projected: ProjectedCaseFile = {
    caseFile: out,
    ...(reason !== undefined ? { reason } : {}),
    // Counted, never named: the name of a withheld category can itself reveal a diagnosis.
    withheld: { count: withheld, notice: withheld > 0 ? WITHHELD_NOTICE : '' },
    notices,
    categories,
    basisIds: [...basisIds].sort(),
  };
  // The one place a Disclosed value is minted (see disclosed.ts).
  return projected as Disclosed<ProjectedCaseFile>;
}
