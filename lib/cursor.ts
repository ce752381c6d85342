import { badRequest } from './errors.js';
import { ID_PATTERN } from './ids.js';

/** Keyset cursors for "newest first" lists: the last row's (created_at, id), opaque to clients. */
export interface CursorPosition {
  createdAt: string;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): CursorPosition | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    // Only what encodeCursor writes: an ISO instant and an id. Anything else would reach the SQL.
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' && isIsoInstant(value[0]) && ID_PATTERN.test(value[1])) {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // fall through: any malformed cursor is the same 400
  }
  throw badRequest('the cursor is not one this hub issued', [{ path: 'cursor', message: 'invalid cursor' }]);
}

/**
 * Exactly what `Date#toISOString` writes for the rows this hub stores: four-digit years from 1970
 * (nothing older was ever created) to 9999. JavaScript also round-trips year 0, negative and
 * six-digit years (`+010000-…`), which PostgreSQL's `timestamptz` refuses with an error; those
 * must be a 400 here, not a 500 from the query.
 */
const ISO_INSTANT = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const FIRST_YEAR = 1970;

function isIsoInstant(text: string): boolean {
  const match = ISO_INSTANT.exec(text);
  if (!match || Number(match[1]) < FIRST_YEAR) return false;
  const time = Date.parse(text);
  return !Number.isNaN(time) && new Date(time).toISOString() === text;
}

/** Builds `{items, nextCursor}` from a page fetched with limit + 1 rows. */
export function page<Row extends { createdAt: string; id: string }, Item>(rows: Row[], limit: number, toItem: (row: Row) => Item) {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return { items: pageRows.map(toItem), nextCursor: more && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null };
}
