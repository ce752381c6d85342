import { z } from '@hono/zod-openapi';

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    allowed: z.array(z.string()).optional(),
  })
  .openapi('Problem');

export const Id = z.string().regex(/^[a-z]{2,4}_[A-Za-z0-9_-]{22}$/, 'not a valid id');
export const IdParam = z.object({ id: Id.openapi({ param: { name: 'id', in: 'path' } }) });

// Postgres has no year 0, and instants are stored as UTC: anything earlier would fail in the database.
const EARLIEST_INSTANT = Date.parse('0001-01-01T00:00:00Z');
// RFC 3339 allows offsets up to ±23:59; PostgreSQL refuses anything past ±15:59 (no real zone is).
const offsetInRange = (t: string) => Number(/[+-](\d\d):\d\d$/.exec(t)?.[1] ?? 0) <= 15;
export const Timestamp = z.iso
  .datetime({ offset: true })
  .refine((t) => Date.parse(t) >= EARLIEST_INSTANT, 'must not be before the year 1')
  .refine(offsetInRange, 'the UTC offset must be between -15:59 and +15:59')
  .openapi({ example: '2026-11-23T09:00:00Z' });

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

export const listOf = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);

/** Standard error responses, so every route's OpenAPI entry lists them. */
const problemContent = { 'application/problem+json': { schema: Problem } };
export const errorResponses = {
  400: { description: 'The request fails its schema', content: problemContent },
  401: { description: 'Missing or bad access token', content: problemContent },
  403: { description: 'The caller’s role may not call this', content: problemContent },
  404: { description: 'No such object, or one the caller may not see', content: problemContent },
} as const;
export const problem = (description: string) => ({ description, content: problemContent });

/** `content` of a JSON request body or response, for createRoute declarations. */
export const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });
