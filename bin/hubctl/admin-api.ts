import { CliError, networkReason } from './errors.js';
import { requestToken, signAssertion } from './token.js';

const TIMEOUT_MS = 15_000;

/** Who hubctl acts as for admin calls: the admin client and its key, at the hub's URL. */
export interface AdminOptions {
  client: string;
  key: string;
  url: string;
}

/**
 * One call to the admin API, signed in as the admin client: the same checks and audit entries as
 * any other admin call, and no database access from here. A refusal becomes one line naming the
 * fields the hub named.
 */
export async function adminCall<T>(opts: AdminOptions, method: string, path: string, body: unknown, what: string, expected: number[]): Promise<T | undefined> {
  const token = await requestToken(await signAssertion(opts.client, opts.key, opts.url), opts.url);
  let response: Response;
  try {
    response = await fetch(`${opts.url.replace(/\/$/, '')}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new CliError(`cannot reach the hub at ${opts.url}: ${networkReason(error)}`);
  }
  const text = await response.text();
  const parsed = (() => {
    try {
      return text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      return undefined;
    }
  })() as (T & { detail?: string; errors?: { path: string; message: string }[] }) | undefined;
  if (!expected.includes(response.status)) {
    const fields = parsed?.errors?.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new CliError(`the hub refused ${what} (HTTP ${response.status}): ${fields || parsed?.detail || 'no reason given'}`);
  }
  return parsed;
}
