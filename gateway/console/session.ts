import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { HubError } from '../../lib/errors.js';
import type { Hub } from '../../services/hub.js';
import { csrfMatches, resumeSession, type StaffSession } from '../../services/staff.js';

export interface ConsoleEnv {
  Variables: { session: StaffSession | undefined; sessionId: string | undefined; form: Record<string, string> };
}

export const SESSION_COOKIE = 'hub_session';
/** The sign-in form's double-submit token: there is no session yet to hold a synchronizer token. */
export const SIGN_IN_CSRF_COOKIE = 'hub_sign_in_csrf';

/**
 * HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Secure except
 * in development, where the hub is reached over plain http://localhost.
 */
export function cookieOptions(hub: Hub, maxAgeSeconds?: number) {
  return {
    httpOnly: true, sameSite: 'Strict' as const, secure: hub.config.NODE_ENV !== 'development', path: '/console',
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  };
}

/** What an identity-provider sign-in must check when the browser comes back (services/oidc-sign-in.ts). */
export const OIDC_FLOW_COOKIE = 'hub_oidc_flow';
const OIDC_FLOW_PATH = '/console/sign-in/oidc';

/**
 * SameSite=Lax, unlike the session: the browser comes back from the provider on a navigation the
 * provider's site started, and a Strict cookie would not be sent with it. Only the OIDC paths see
 * it, for ten minutes at most; its contents are encrypted and authenticated by the hub.
 */
export function setOidcFlowCookie(c: Context, hub: Hub, flow: string, maxAgeSeconds: number) {
  setCookie(c, OIDC_FLOW_COOKIE, flow, { ...cookieOptions(hub, maxAgeSeconds), sameSite: 'Lax', path: OIDC_FLOW_PATH });
}

export function clearOidcFlowCookie(c: Context, hub: Hub) {
  deleteCookie(c, OIDC_FLOW_COOKIE, { ...cookieOptions(hub), sameSite: 'Lax', path: OIDC_FLOW_PATH });
}

export function setSessionCookie(c: Context, hub: Hub, sessionId: string, expiresAt: Date) {
  setCookie(c, SESSION_COOKIE, sessionId, cookieOptions(hub, Math.floor((expiresAt.getTime() - Date.now()) / 1000)));
}

export function clearSessionCookie(c: Context, hub: Hub) {
  deleteCookie(c, SESSION_COOKIE, cookieOptions(hub));
}

/** Loads the session behind the cookie, if it is still live; a dead cookie is dropped. */
export function loadSession(hub: Hub): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const sessionId = getCookie(c, SESSION_COOKIE);
    const session = sessionId ? await resumeSession(hub, sessionId) : undefined;
    if (sessionId && !session) clearSessionCookie(c, hub);
    c.set('session', session);
    c.set('sessionId', session ? sessionId : undefined);
    await next();
  };
}

/** Only paths of the console itself are followed after sign-in: never another site (an open redirect). */
export function safeNext(next: string | undefined): string | undefined {
  return next && /^\/console(\/[A-Za-z0-9_\-/]*)?$/.test(next) ? next : undefined;
}

/**
 * Pages behind sign-in: a browser without a live session is sent to sign in, and brought back after.
 * A form posted without one is answered before this, with the sign-in page carrying what was typed
 * (routes.tsx, resume.ts).
 */
export const requireSession: MiddlewareHandler<ConsoleEnv> = async (c, next) => {
  if (!c.get('session')) {
    const back = c.req.method === 'GET' ? safeNext(c.req.path) : undefined;
    return c.redirect(`/console/sign-in${back && back !== '/console' ? `?next=${encodeURIComponent(back)}` : ''}`, 303);
  }
  await next();
};

export const csrfRefused = () => new HubError(403, 'Forbidden', 'the form was not sent from this console (its security token is missing or stale); reload the page and try again');

/**
 * Every POST carries the session's synchronizer token in the form (OWASP CSRF prevention): a
 * page on another site cannot read it, so it cannot forge the post. The parsed form is kept for
 * the handler.
 */
export const checkCsrf: MiddlewareHandler<ConsoleEnv> = async (c, next) => {
  const form = await readForm(c);
  c.set('form', form);
  const session = c.get('session');
  if (!session || !csrfMatches(session.csrfToken, form.csrf)) throw csrfRefused();
  await next();
};

/** The url-encoded form as strings; anything else (files, repeated keys) is reduced to its first text value. */
export async function readForm(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody({ all: false });
  const form: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) if (typeof value === 'string') form[key] = value;
  return form;
}
