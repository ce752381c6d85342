import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { Id } from '../../schemas/common.js';
import { isDatabaseUnavailable } from '../../db/errors.js';
import { HubError } from '../../lib/errors.js';
import type { Hub } from '../../services/hub.js';
import { auditConsoleAction, callerFor, csrfMatches, formWasRenderedFor, signIn, signOut, type StaffSession } from '../../services/staff.js';
import { identityProviderForEmail, oidcSignInPath } from '../../services/identity-providers.js';
import { finishOidcSignIn, OIDC_FLOW_SECONDS, startOidcSignIn, type OidcFailure } from '../../services/oidc-sign-in.js';
import { toHubError } from '../problem.js';
import { HOME } from './layout.js';
import { ErrorPage } from './pages/errors.js';
import { HomePage } from './pages/home.js';
import { SignInPage, type CarriedForm, type SignInProps } from './pages/sign-in.js';
import { ProviderChoicePage, SignedInPage } from './pages/sign-in-oidc.js';
import { registerReferralForm } from './refer.js';
import { ResumableForms, uncarried } from './resume.js';
import {
  checkCsrf, clearOidcFlowCookie, clearSessionCookie, cookieOptions, csrfRefused, loadSession, OIDC_FLOW_COOKIE, readForm, requireSession, safeNext,
  setOidcFlowCookie, setSessionCookie, SIGN_IN_CSRF_COOKIE, type ConsoleEnv,
} from './session.js';
import { registerCompliancePages } from './compliance.js';
import { registerDashboardPages } from './dashboard.js';
import { registerConsentPages } from './consent-pages.js';
import { registerPartnerPages } from './partner.js';
import { registerPlannerPages } from './planner.js';

export const CONSOLE_PATH = '/console';

/** Why a sign-in through an identity provider did not end in a session, in words for the person, with its status. */
function oidcRefusal(failure: OidcFailure, organizationName = 'Your organisation'): { message: string; status: 401 | 403 | 404 | 502 } {
  switch (failure.reason) {
    case 'no_provider':
      return { message: 'That organisation does not sign its staff in through an identity provider. Sign in with your password.', status: 404 };
    case 'expired':
      return { message: 'The sign-in through your organisation took too long, or was started again in another window. Start it again.', status: 401 };
    case 'provider':
      return { message: `${organizationName}'s identity provider did not complete the sign-in: ${failure.message}. Try again, or sign in with your password.`, status: 502 };
    case 'email_unverified':
      return { message: `${organizationName}'s identity provider did not confirm a verified e-mail address for ${failure.identity}, so no account can be matched. Ask your administrator.`, status: 403 };
    case 'wrong_domain':
      return { message: `${failure.identity} is not an address of ${organizationName}'s own mail domain, so no account can be matched. Ask your administrator.`, status: 403 };
    case 'no_account':
      return { message: `${organizationName}'s identity provider signed you in as ${failure.identity}, but there is no console account for you at ${organizationName}. Ask your administrator to create one.`, status: 403 };
    case 'disabled':
      return { message: `Your console account at ${organizationName} is disabled. Ask your administrator if you should have access.`, status: 403 };
  }
}

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
  const signInPage = (c: Context<ConsoleEnv>, props: Omit<SignInProps, 'csrf'>, status: 200 | 400 | 401 | 403 | 404 | 429 | 502 = 200) => {
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
      if (result.reason === 'disabled') return signInPage(c, { email, next, carried, error: 'This account is disabled. Ask your administrator if you should have access.' }, 401);
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

  // Sign-in through the organisation's identity provider: find it by the work address's domain…
  app.get('/sign-in/sso', async (c) => {
    const email = (c.req.query('email') ?? '').trim();
    const next = safeNext(c.req.query('next'));
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) return signInPage(c, { next, ssoEmail: email, ssoError: 'Enter your work e-mail, such as name@your-agency.example.' }, 400);
    const found = await identityProviderForEmail(hub, email);
    if (!found) {
      const domain = email.split('@').pop();
      return signInPage(c, { next, ssoEmail: email, ssoError: `No organisation on this hub signs in its staff with addresses of ${domain} through an identity provider. Sign in with your password, or ask your administrator for your organisation's sign-in link.` }, 404);
    }
    const query = new URLSearchParams({ hint: email, ...(next ? { next } : {}) });
    return c.html(<ProviderChoicePage organizationName={found.organizationName} startUrl={`${oidcSignInPath(found.organizationId)}?${query}`} />);
  });

  // …come back from it (registered before the organisation route, whose id it is not)…
  app.get('/sign-in/oidc/callback', async (c) => {
    const result = await finishOidcSignIn(hub, getCookie(c, OIDC_FLOW_COOKIE), new URL(c.req.url).search);
    clearOidcFlowCookie(c, hub);
    if (!result.ok) {
      const { message, status } = oidcRefusal(result, result.organizationName);
      return signInPage(c, { ssoError: message }, status);
    }
    setSessionCookie(c, hub, result.sessionId, result.expiresAt);
    return c.html(<SignedInPage name={result.staff.name} to={result.next ?? HOME[result.staff.role] ?? '/console'} />);
  });

  // …or start at it directly: the link an organisation puts on its intranet.
  app.get('/sign-in/oidc/:orgId', async (c) => {
    const orgId = c.req.param('orgId');
    if (!Id.safeParse(orgId).success) return c.html(<ErrorPage status={404} message="There is no such page." />, 404);
    const hint = c.req.query('hint');
    const result = await startOidcSignIn(hub, orgId, { next: safeNext(c.req.query('next')), loginHint: hint && hint.length <= 320 ? hint : undefined });
    if (!result.ok) {
      const { message, status } = oidcRefusal(result, result.organizationName);
      return signInPage(c, { ssoError: message }, status);
    }
    setOidcFlowCookie(c, hub, result.flow, OIDC_FLOW_SECONDS);
    return c.redirect(result.redirectTo, 302);
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
