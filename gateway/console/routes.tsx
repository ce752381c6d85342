import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { isDatabaseUnavailable } from '../../db/errors.js';
import { HubError } from '../../lib/errors.js';
import type { Hub } from '../../services/hub.js';
import { auditConsoleAction, callerFor, csrfMatches, formWasRenderedFor, signIn, signOut, type StaffSession } from '../../services/staff.js';
import { toHubError } from '../problem.js';
import { HOME } from './layout.js';
import { ErrorPage } from './pages/errors.js';
import { HomePage } from './pages/home.js';
import { SignInPage, type CarriedForm } from './pages/sign-in.js';
import { registerReferralForm } from './refer.js';
import { ResumableForms, uncarried } from './resume.js';
import {
  checkCsrf, clearSessionCookie, cookieOptions, csrfRefused, loadSession, readForm, requireSession, safeNext, setSessionCookie,
  SIGN_IN_CSRF_COOKIE, type ConsoleEnv,
} from './session.js';
import { registerCompliancePages } from './compliance.js';
import { registerDashboardPages } from './dashboard.js';
import { registerConsentPages } from './consent-pages.js';
import { registerPartnerPages } from './partner.js';
import { registerPlannerPages } from './planner.js';

export const CONSOLE_PATH = '/console';

/**
 * No script at all, styles only from the hub's own stylesheet, forms only to the hub, and no
 * framing (clickjacking): the console needs nothing more, so nothing more is allowed.
 */
const CSP = "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

const stylesheet = readFileSync(new URL('./assets/console.css', import.meta.url), 'utf8');

/** The web console: one more transport over the services, for people instead of systems. */
export function createConsole(hub: Hub) {
  const app = new Hono<ConsoleEnv>();

  app.onError((error, c) => {
    const known = toHubError(error) ?? (isDatabaseUnavailable(error) ? new HubError(503, 'Service Unavailable', 'the hub cannot reach its database right now; try again in a moment') : undefined);
    if (!known) hub.logger.error({ err: { message: (error as Error).message, stack: (error as Error).stack }, path: c.req.path }, 'unhandled console error');
    const status = known?.status ?? 500;
    const message = known?.message ?? 'something went wrong on the hub; it has been logged';
    return c.html(<ErrorPage status={status} message={message} session={c.get('session')} />, status as 400);
  });
  app.notFound((c) => c.html(<ErrorPage status={404} message="There is no such page." session={c.get('session')} />, 404));

  app.use('*', async (c, next) => {
    await next();
    c.header('content-security-policy', CSP);
    // Pages carry case data: no browser or proxy keeps a copy.
    if (!c.req.path.startsWith('/console/assets/')) c.header('cache-control', 'no-store');
  });
  app.get('/assets/console.css', (c) => c.body(stylesheet, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' }));
  app.use('*', loadSession(hub));

  const resumable = new ResumableForms();
  const signInPage = (c: Context<ConsoleEnv>, props: { email?: string; error?: string; next?: string | undefined; notice?: string; carried?: CarriedForm | undefined }, status: 200 | 401 | 429 = 200) => {
    const csrf = randomBytes(32).toString('base64url');
    setCookie(c, SIGN_IN_CSRF_COOKIE, csrf, cookieOptions(hub, 3600));
    return c.html(<SignInPage csrf={csrf} {...props} />, status);
  };

  app.get('/sign-in', (c) => {
    const session = c.get('session');
    const next = safeNext(c.req.query('next'));
    if (session) return c.redirect(next ?? HOME[session.staff.role] ?? '/console', 303);
    return signInPage(c, { next, ...(c.req.query('signed-out') !== undefined ? { notice: 'You are signed out.' } : {}) });
  });

  app.post('/sign-in', async (c) => {
    const form = await readForm(c);
    if (!csrfMatches(getCookie(c, SIGN_IN_CSRF_COOKIE) ?? '', form.csrf)) throw csrfRefused();
    const email = (form.email ?? '').trim();
    const next = safeNext(form.next);
    // A form whose session ended keeps travelling with every retry of the sign-in.
    const carried = form.resume && resumable.accepts(form.resume) ? { resume: form.resume, fields: uncarried(form) } : undefined;
    if (!email || !form.password) return signInPage(c, { email, next, carried, error: 'Enter your e-mail address and password.' }, 401);
    const result = await signIn(hub, email, form.password);
    if (!result.ok) {
      if (result.reason === 'locked') {
        const minutes = Math.ceil(result.retryAfterSeconds / 60);
        c.header('retry-after', String(result.retryAfterSeconds));
        return signInPage(c, { email, next, carried, error: `Too many failed sign-ins: this account is locked for ${result.retryAfterSeconds < 120 ? `${result.retryAfterSeconds} seconds` : `${minutes} minutes`}. Try again then.` }, 429);
      }
      return signInPage(c, { email, next, carried, error: 'That e-mail address and password do not match an account.' }, 401);
    }
    setSessionCookie(c, hub, result.sessionId, result.expiresAt);
    if (carried) {
      const render = resumable.find(carried.resume, result.staff.role);
      const { csrf: shownWith, ...values } = carried.fields;
      if (render && (await formWasRenderedFor(hub, result.staff.id, shownWith))) {
        const session: StaffSession = { staff: result.staff, caller: callerFor(result.staff), csrfToken: result.csrfToken, expiresAt: result.expiresAt };
        c.set('session', session);
        await auditConsoleAction(hub, session, 'form.restored', undefined, { path: carried.resume });
        return render(c, session, values, carried.resume, 'You are signed in again. Nothing was sent: check the form and send it.');
      }
    }
    return c.redirect(next ?? HOME[result.staff.role] ?? '/console', 303);
  });

  // A form posted after its session ended: the sign-in page, carrying what was typed (see resume.ts).
  app.post('*', async (c, next) => {
    if (c.get('session') || !resumable.accepts(c.req.path)) return next();
    return signInPage(c, { carried: { resume: c.req.path, fields: await readForm(c) } }, 401);
  });

  app.post('/sign-out', checkCsrf, async (c) => {
    await signOut(hub, c.get('session')!, c.get('sessionId')!);
    clearSessionCookie(c, hub);
    return c.redirect('/console/sign-in?signed-out', 303);
  });

  app.use('*', requireSession);
  // A form opened in an earlier session of the same person (signed in again meanwhile, in another
  // tab): shown again with this session's token rather than refused with what was typed lost.
  app.post('*', async (c, next) => {
    const session = c.get('session')!;
    const form = await readForm(c);
    if (csrfMatches(session.csrfToken, form.csrf)) return next();
    const render = resumable.find(c.req.path, session.staff.role);
    if (!render || !(await formWasRenderedFor(hub, session.staff.id, form.csrf))) return next();
    const { csrf: _stale, ...values } = form;
    await auditConsoleAction(hub, session, 'form.restored', undefined, { path: c.req.path });
    return render(c, session, values, c.req.path, 'You signed in again since this form was opened, so it was not sent: check it and send it again.');
  });
  app.post('*', checkCsrf);

  app.get('/', (c) => {
    const session = c.get('session')!;
    if (session.staff.role === 'partner') return c.redirect('/console/inbox', 303);
    if (session.staff.role === 'planner') return c.redirect('/console/caseload', 303);
    if (session.staff.role === 'compliance') return c.redirect('/console/participants', 303);
    if (session.staff.role === 'manager') return c.redirect('/console/dashboard', 303);
    return c.html(<HomePage session={session} />);
  });
  // Before the referral pages: `/referrals/new` is not a referral id.
  registerReferralForm(app, hub, resumable);
  registerPartnerPages(app, hub, resumable);
  registerPlannerPages(app, hub, resumable);
  registerCompliancePages(app, hub);
  registerDashboardPages(app, hub);
  registerConsentPages(app, hub);
  return app;
}
