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

/** A NUL, or a UTF-16 surrogate without its other half (`"\ud800"` is valid JSON, but not text). */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * PostgreSQL text and jsonb cannot hold U+0000, which JSON allows (`"\u0000"`), and jsonb refuses
 * a lone surrogate (`"\ud800"`). Refused here, after the schema and naming the field, rather than
 * as a 500 from the INSERT.
 */
export function rejectNulCharacters(value: unknown): void {
  const paths: string[] = [];
  const walk = (node: unknown, path: string[]) => {
    if (typeof node === 'string') {
      if (UNSTORABLE.test(node)) paths.push(path.join('.'));
    } else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (UNSTORABLE.test(key)) paths.push([...path, JSON.stringify(key)].join('.'));
        else walk(child, [...path, key]);
      }
    }
  };
  walk(value, []);
  if (paths.length > 0) {
    throw badRequest(
      `text may not contain NUL characters or unpaired surrogates: ${paths.join(', ')}`,
      paths.map((path) => ({ path: path || 'body', message: 'contains a NUL character or an unpaired surrogate' })),
    );
  }
}

/**
 * JSON nests at most this deep in any body the API takes (a FHIR Consent with provisions nested the
 * allowed 8 levels is about 25). Deeper bodies are refused before they are parsed and validated:
 * recursive validation and serialization of a 1 MiB `[[[[...]]]]` would overflow the stack (a 500).
 */
export const MAX_JSON_DEPTH = 64;

/** True when `text` opens more than `limit` arrays and objects at once; one pass, strings skipped. */
export function jsonNestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Maps anything thrown in a handler; unknown errors are logged and answered 500 without detail. */
export function toHubError(error: unknown): HubError | undefined {
  if (error instanceof HubError) return error;
  if (error instanceof HTTPException) {
    if (error.status === 400) return badRequest(error.message || 'malformed request', [{ path: 'body', message: error.message }]);
    if (error.status === 415) {
      return new HubError(415, 'Unsupported Media Type', 'the request body must be sent as application/json', [{ path: 'content-type', message: 'expected application/json' }]);
    }
    return new HubError(error.status, error.status === 413 ? 'Content Too Large' : 'Error', error.message);
  }
  return undefined;
}
