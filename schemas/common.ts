import { z } from '@hono/zod-openapi';
import { ID_PATTERN } from '../lib/ids.js';

export const Problem = z
  .object({
    type: z.string().openapi({ description: 'A URI naming the kind of problem; stable, so a client may branch on it.', example: 'https://referral-hub.dev/problems/not-found' }),
    title: z.string().openapi({ description: 'The HTTP status in words.', example: 'Not Found' }),
    status: z.number().int().openapi({ description: 'The HTTP status code, repeated.', example: 404 }),
    detail: z.string().openapi({ description: 'What went wrong with this request, in words.', example: 'referral not found' }),
    errors: z
      .array(z.object({
        path: z.string().openapi({ description: 'The offending field, dotted from the body’s root (`caseFile.identity.birthDate`), or the query parameter or header.', example: 'birthDate' }),
        message: z.string().openapi({ description: 'What is wrong with it.', example: 'Invalid ISO date' }),
      }))
      .optional()
      .openapi({ description: 'One entry per offending field, when the problem is about fields.' }),
    allowed: z.array(z.string()).optional().openapi({ description: 'On a 409: what the object’s state does allow now (for a referral, the event types that may be posted).' }),
  })
  .openapi('Problem', { description: 'An RFC 9457 problem: every error of the API (except the token endpoint’s OAuth errors) has this shape, as `application/problem+json`.' });

export const Id = z.string().regex(ID_PATTERN, 'not a valid id');
export const IdParam = z.object({ id: Id.openapi({ param: { name: 'id', in: 'path', description: 'The object’s id, as the hub returned it when the object was created.' } }) });

// Postgres has no year 0, and instants are stored as UTC: anything earlier would fail in the database.
const EARLIEST_INSTANT = Date.parse('0001-01-01T00:00:00Z');
// RFC 3339 allows offsets up to ±23:59; PostgreSQL refuses anything past ±15:59 (no real zone is).
const offsetInRange = (t: string) => Number(/[+-](\d\d):\d\d$/.exec(t)?.[1] ?? 0) <= 15;
export const Timestamp = z.iso
  .datetime({ offset: true })
  .refine((t) => Date.parse(t) >= EARLIEST_INSTANT, 'must not be before the year 1')
  .refine(offsetInRange, 'the UTC offset must be between -15:59 and +15:59')
  .openapi({ description: 'An instant, RFC 3339 with an offset (the hub answers in UTC).', example: '2026-11-23T09:00:00Z' });

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: 'Items per page, 1 to 200.', example: 50 }),
  cursor: z.string().max(500).optional().openapi({ description: 'The previous page’s `nextCursor`, for the next page. Omit it for the first page.' }),
});

export const listOf = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      items: z.array(item).openapi({ description: 'This page, newest first.' }),
      nextCursor: z.string().nullable().openapi({ description: 'Pass it as `cursor` for the next page; `null` on the last page.' }),
    })
    .openapi(name);
