import { CliError, networkReason } from './errors.js';
import { requestToken, signAssertion } from './token.js';

const TIMEOUT_MS = 15_000;

export interface StaffOptions {
  role: string;
  name: string;
  email: string;
  organization?: string;
  password: string;
  client: string;
  key: string;
  url: string;
}

/**
 * Creates a console account through the API (POST /v1/staff) as the admin client: the same
 * checks, hashing and audit entry as any other admin call, and no database access from here.
 */
export async function createStaff(opts: StaffOptions): Promise<{ id: string; email: string; role: string }> {
  const token = await requestToken(await signAssertion(opts.client, opts.key, opts.url), opts.url);
  let response: Response;
  try {
    response = await fetch(`${opts.url.replace(/\/$/, '')}/v1/staff`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: opts.role, name: opts.name, email: opts.email, password: opts.password, ...(opts.organization ? { organizationId: opts.organization } : {}) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new CliError(`cannot reach the hub at ${opts.url}: ${networkReason(error)}`);
  }
  const body = (await response.json().catch(() => ({}))) as { id?: string; email?: string; role?: string; detail?: string; errors?: { path: string; message: string }[] };
  if (response.status !== 201) {
    const fields = body.errors?.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new CliError(`the hub refused the account (HTTP ${response.status}): ${fields || body.detail || 'no reason given'}`);
  }
  return body as { id: string; email: string; role: string };
}
