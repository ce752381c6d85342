import type { Period } from './types.js';

/**
 * Time helpers for the consent engine. Decisions are taken per delivery and per read, so the same
 * RFC 3339 strings (a basis's period) are parsed over and over: a small memo keeps that off the
 * hot path. It holds only timestamps, never participant data.
 */
const parsed = new Map<string, number>();
const MEMO_LIMIT = 4096;

/** Milliseconds since the epoch, or NaN when unreadable (an unreadable period then matches nothing: fail closed). */
export function ms(time: string): number {
  let value = parsed.get(time);
  if (value === undefined) {
    value = Date.parse(time);
    if (parsed.size >= MEMO_LIMIT) parsed.clear();
    parsed.set(time, value);
  }
  return value;
}

/** FHIR Period semantics as the contract fixes them: start inclusive, end exclusive, no end = open. */
export function within(period: Period, at: number): boolean {
  if (!(at >= ms(period.start))) return false;
  return period.end === undefined || at < ms(period.end);
}

/** The calendar day a compliance officer reads in a reason ("expired on 2027-01-01"). */
export function day(time: string): string {
  if (/^\d{4}-\d{2}-\d{2}/.test(time)) return time.slice(0, 10);
  const t = ms(time);
  return Number.isFinite(t) ? new Date(t).toISOString().slice(0, 10) : time;
}

/** Digits at [from, to) of s as a number, or NaN: a hand parse, as ages are computed on every decision. */
function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Age in whole years at `at`, on the UTC calendar. A person is N from their Nth birthday on
 * (someone born on 29 February turns N on 1 March in common years). NaN when the birth date is
 * unreadable: callers treat NaN as a minor, so a bad date can only ask for more signatures.
 */
export function ageAt(birthDate: string, at: Date): number {
  // YYYY-MM-DD exactly (FHIR/ISO date); anything else is unreadable.
  if (birthDate.length !== 10 || birthDate[4] !== '-' || birthDate[7] !== '-' || !Number.isFinite(at.getTime())) return NaN;
  const year = digits(birthDate, 0, 4);
  const month = digits(birthDate, 5, 7);
  const date = digits(birthDate, 8, 10);
  if (!(month >= 1 && month <= 12 && date >= 1 && date <= 31) || Number.isNaN(year)) return NaN;
  const atMonth = at.getUTCMonth() + 1;
  const atDate = at.getUTCDate();
  const beforeBirthday = atMonth < month || (atMonth === month && atDate < date);
  return at.getUTCFullYear() - year - (beforeBirthday ? 1 : 0);
}
