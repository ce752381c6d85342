import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { HubError, badRequest, type FieldProblem } from '../lib/errors.js';

/** The one place where errors become application/problem+json. */
export function problemResponse(error: HubError): Response {
  const body: Record<string, unknown> = {
    type: error.type,
    title: error.title,
    status: error.status,
    detail: error.message,
    ...(error.errors?.length ? { errors: error.errors } : {}),
    ...error.extensions,
  };
  return new Response(JSON.stringify(body), {
    status: error.status,
    headers: { 'content-type': 'application/problem+json', ...error.headers },
  });
}

export function zodProblems(error: ZodError, target: string): FieldProblem[] {
  return error.issues.map((issue) => {
    const segments = issue.path.map(String);
    // Unknown keys are reported on the parent; name the key itself, since that is the bad field.
    if (issue.code === 'unrecognized_keys') {
      return { path: [...segments, issue.keys.join(',')].join('.'), message: `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}` };
    }
    const path = segments.length ? segments.join('.') : target;
    return { path, message: issue.message };
  });
}

export function validationError(error: ZodError, target: string): HubError {
  const errors = zodProblems(error, target);
  const where = target === 'json' ? 'body' : target;
  return badRequest(`the request ${where} is invalid: ${errors.map((e) => e.path).join(', ')}`, errors);
}

/** Maps anything thrown in a handler; unknown errors are logged and answered 500 without detail. */
export function toHubError(error: unknown): HubError | undefined {
  if (error instanceof HubError) return error;
  if (error instanceof HTTPException) {
    if (error.status === 400) return badRequest(error.message || 'malformed request', [{ path: 'body', message: error.message }]);
    return new HubError(error.status, error.status === 413 ? 'Content Too Large' : 'Error', error.message);
  }
  return undefined;
}

export function sendProblem(c: Context, error: HubError): Response {
  void c;
  return problemResponse(error);
}
