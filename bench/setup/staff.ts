import { request } from 'undici';
import type { BenchApi } from './api.js';
import type { World } from './world.js';

/** The console roles B7 signs in as, each at the organisation a person of that role works for. */
export const CONSOLE_ROLES = ['planner', 'partner', 'compliance', 'manager'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/** A signed-in console session: the cookie header a browser would send with every page. */
export type ConsoleSessions = Record<ConsoleRole, string>;

const password = (role: ConsoleRole) => `bench-console-${role}-password`;
const email = (role: ConsoleRole, stamp: string) => `bench.${role}.${stamp}@bench-hub.example`;

/**
 * One console account per role through `POST /v1/staff` (as an admin would make them), each
 * signed in over HTTP as a browser does: the sign-in page for its CSRF cookie and hidden field,
 * then the form posted with both, which answers 303 with the session cookie.
 */
export async function signInStaff(api: BenchApi, adminToken: string, world: World): Promise<ConsoleSessions> {
  const stamp = Date.now().toString(36);
  const orgOf: Record<ConsoleRole, string> = { planner: world.referrerId, partner: world.inboxId, compliance: world.referrerId, manager: world.referrerId };
  const sessions = {} as ConsoleSessions;
  for (const role of CONSOLE_ROLES) {
    const body = { organizationId: orgOf[role], role, name: `Bench ${role}`, email: email(role, stamp), password: password(role) };
    await api.call('POST', '/v1/staff', adminToken, body, 201);
    sessions[role] = await signIn(api.origin, body.email, body.password);
  }
  return sessions;
}

export async function signIn(origin: string, emailAddress: string, pass: string): Promise<string> {
  const form = await request(`${origin}/console/sign-in`);
  const page = await form.body.text();
  const csrfCookie = cookie(form.headers['set-cookie'], 'hub_sign_in_csrf');
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
  if (form.statusCode !== 200 || !csrfCookie || !csrf) throw new Error(`GET /console/sign-in: HTTP ${form.statusCode}, ${csrfCookie ? '' : 'no CSRF cookie, '}${csrf ? '' : 'no csrf field'}`);
  const signedIn = await request(`${origin}/console/sign-in`, {
    method: 'POST',
    headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, email: emailAddress, password: pass }).toString(),
  });
  const answer = await signedIn.body.text();
  const session = cookie(signedIn.headers['set-cookie'], 'hub_session');
  if (signedIn.statusCode !== 303 || !session) throw new Error(`POST /console/sign-in as ${emailAddress}: HTTP ${signedIn.statusCode}, no session cookie ${answer.slice(0, 300)}`);
  return session;
}

/** `name=value` of one cookie out of the Set-Cookie header(s), attributes dropped. */
function cookie(header: string | string[] | undefined, name: string): string | undefined {
  const lines = Array.isArray(header) ? header : header ? [header] : [];
  for (const line of lines) {
    const pair = line.split(';')[0]!.trim();
    if (pair.startsWith(`${name}=`) && pair.length > name.length + 1) return pair;
  }
  return undefined;
}
