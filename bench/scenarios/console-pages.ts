import { request } from 'undici';
import type { ConsoleRole, ConsoleSessions } from '../setup/staff.js';
import type { World } from '../setup/world.js';

/**
 * B7: the console's main pages, each fetched by a signed-in person one request at a time (someone
 * clicking through the console, not a load test), timed from send to the last byte of the page.
 * Every answer must be 200 and carry the page's own heading, so a broken page fails the run
 * instead of being timed as a fast error page.
 */
export interface ConsolePage {
  name: string;
  /** Who opens it; `undefined` for the sign-in page, opened before any session. */
  role: ConsoleRole | undefined;
  path: string;
  /** The start of the page's `<h1>`: what the person sees first. */
  heading: string;
  /** More text the answer must hold (the participant searched for, say). */
  contains?: string;
  /**
   * A form posted rather than a page opened: the fields, and the page that shows the empty form
   * (fetched first, untimed, for the session's CSRF token, as the person's browser had it).
   */
  post?: { fields: Record<string, string>; formPath: string };
}

/** The pages, on the bench's own data: its template referral and the first participant the API enrolled. */
export function consolePages(world: World): ConsolePage[] {
  const referral = world.templateReferralId;
  const participant = world.participantIds[0]!;
  return [
    { name: 'sign-in', role: undefined, path: '/console/sign-in', heading: 'Sign in' },
    { name: 'inbox', role: 'partner', path: '/console/inbox', heading: 'Referrals to your organisation' },
    { name: 'partner referral', role: 'partner', path: `/console/referrals/${referral}`, heading: 'Referral for ' },
    { name: 'caseload', role: 'planner', path: '/console/caseload', heading: 'Caseload' },
    { name: 'planner referral', role: 'planner', path: `/console/referrals/${referral}`, heading: 'Referral for ' },
    { name: 'referral form', role: 'planner', path: `/console/referrals/new?participant=${participant}`, heading: 'Refer ' },
    // The API's participants share a date of birth; the name narrows it to the one sought. A POST:
    // what is typed into a search stays out of addresses and logs.
    {
      name: 'participants search', role: 'compliance', path: '/console/participants/search', heading: 'Find a participant', contains: participant,
      post: { fields: { name: 'Jordan Rivera-0', birthDate: '1990-04-12' }, formPath: '/console/participants' },
    },
    { name: 'participant', role: 'compliance', path: `/console/participants/${participant}`, heading: 'Consents and court orders' },
    { name: 'access matrix', role: 'compliance', path: `/console/participants/${participant}/access`, heading: 'Access matrix' },
    { name: 'disclosures', role: 'compliance', path: `/console/participants/${participant}/disclosures`, heading: 'Accounting of disclosures' },
    { name: 'audit', role: 'compliance', path: '/console/audit', heading: 'Audit log' },
    { name: 'consent form', role: 'compliance', path: `/console/participants/${participant}/consents/new`, heading: 'Record a consent for ' },
    { name: 'dashboard', role: 'manager', path: '/console/dashboard', heading: 'Outcome indicators' },
  ];
}

/** One page fetched as its person: milliseconds to the last byte, and what is wrong with the answer if anything. */
export async function timePage(origin: string, sessions: ConsoleSessions, page: ConsolePage): Promise<{ ms: number; wrong: string | undefined }> {
  const cookie = page.role ? { cookie: sessions[page.role] } : {};
  const body = page.post ? new URLSearchParams({ csrf: await csrfOf(origin, cookie, page.post.formPath), ...page.post.fields }).toString() : undefined;
  const started = performance.now();
  const response = await request(`${origin}${page.path}`, {
    ...(body === undefined ? {} : { method: 'POST' as const, body }),
    headers: { ...cookie, ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }) },
    headersTimeout: 60_000,
    bodyTimeout: 60_000,
  });
  const html = await response.body.text();
  const ms = performance.now() - started;
  let wrong: string | undefined;
  if (response.statusCode !== 200) wrong = `HTTP ${response.statusCode}${response.headers.location ? ` to ${String(response.headers.location)}` : ''} ${headingOf(html)}`;
  else if (!html.includes(`<h1>${page.heading}`)) wrong = `no heading "${page.heading}…" (the page's heading: ${headingOf(html)})`;
  else if (page.contains && !html.includes(page.contains)) wrong = `no "${page.contains}" on the page`;
  return { ms, wrong: wrong && `${page.name} (${page.post ? 'POST' : 'GET'} ${page.path} as ${page.role ?? 'nobody'}): ${wrong}` };
}

/** The session's CSRF token, from the hidden field of a page that shows the form. */
async function csrfOf(origin: string, cookie: { cookie?: string }, path: string): Promise<string> {
  const response = await request(`${origin}${path}`, { headers: cookie });
  const html = await response.body.text();
  return /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
}

const headingOf = (html: string) => /<h1>(.*?)<\/h1>/s.exec(html)?.[1]?.slice(0, 200) ?? 'none';
