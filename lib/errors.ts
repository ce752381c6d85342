/**
 * One error family, mapped to application/problem+json in one place (gateway/problem.ts).
 * Handlers throw these; they never build error JSON themselves.
 */
export interface FieldProblem {
  path: string;
  message: string;
}

export class HubError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly errors?: FieldProblem[],
    /** Extra members of the problem body (e.g. `allowed` on a 409). */
    readonly extensions?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
  }
  get type(): string {
    return `https://referral-hub.dev/problems/${this.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  }
}

export const badRequest = (detail: string, errors?: FieldProblem[]) => new HubError(400, 'Bad Request', detail, errors);
export const unauthorized = (detail: string) =>
  new HubError(401, 'Unauthorized', detail, undefined, undefined, { 'www-authenticate': 'Bearer' });
export const forbidden = (detail: string) => new HubError(403, 'Forbidden', detail);
export const notFound = (what: string, path?: string) =>
  new HubError(404, 'Not Found', `${what} not found`, path ? [{ path, message: `${what} not found` }] : undefined);
export const conflict = (detail: string, extensions?: Record<string, unknown>) =>
  new HubError(409, 'Conflict', detail, undefined, extensions);
export const unprocessable = (detail: string, errors?: FieldProblem[]) => new HubError(422, 'Unprocessable Content', detail, errors);
// The unread rest of the body is dropped with the connection, so the client must not reuse it.
export const tooLarge = (limit: number) =>
  new HubError(413, 'Content Too Large', `the request body is over the limit of ${limit} bytes`, undefined, undefined, { connection: 'close' });
export const unavailable = (detail: string) =>
  new HubError(503, 'Service Unavailable', detail, undefined, undefined, { 'retry-after': '5' });
