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

const isIsoInstant = (text: string) => !Number.isNaN(Date.parse(text)) && new Date(text).toISOString() === text;

/** Builds `{items, nextCursor}` from a page fetched with limit + 1 rows. */
export function page<Row extends { createdAt: string; id: string }, Item>(rows: Row[], limit: number, toItem: (row: Row) => Item) {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return { items: pageRows.map(toItem), nextCursor: more && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null };
}
