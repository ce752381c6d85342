import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import type { StaffSession } from '../../services/staff.js';

/** Where each role starts its day. */
export const HOME: Record<string, string> = { partner: '/console/inbox', planner: '/console/caseload', manager: '/console/dashboard', compliance: '/console/participants', admin: '/console' };

/** Roles that may read the outcome indicators (as `GET /v1/reports/indicators` allows). */
export const DASHBOARD_ROLES: readonly string[] = ['manager', 'compliance'];

/**
 * Every console page: one stylesheet, no script, a skip link and landmarks for keyboard and
 * screen-reader users. `print`: a page meant to be printed or saved as a document, without the
 * console's bar; `wide`: a page of charts and tables side by side; `refreshTo`: a page that moves on
 * by itself (no script: a meta refresh, with a link for anyone whose browser does not follow it).
 */
export function Layout(props: { title: string; session?: StaffSession | undefined; print?: boolean; wide?: boolean; refreshTo?: string; children?: Child }) {
  const { session } = props;
  return (
    <>
    {raw('<!DOCTYPE html>')}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Referral hub`}</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
        {props.refreshTo ? <meta http-equiv="refresh" content={`0;url=${props.refreshTo}`} /> : null}
      </head>
      <body>
        {props.print ? null : <a class="skip" href="#main">Skip to content</a>}
        {props.print ? null : <header class="bar">
          <a href="/console">Referral hub</a>
          {session ? (
            <>
              <nav aria-label="Main">
                <ul>
                  {session.staff.role === 'partner' ? <li><a href="/console/inbox">Inbox</a></li> : null}
                  {session.staff.role === 'planner' ? <><li><a href="/console/caseload">Caseload</a></li><li><a href="/console/participants/new">Enrol a participant</a></li></> : null}
                  {session.staff.role === 'compliance' ? <><li><a href="/console/participants">Participants</a></li><li><a href="/console/audit">Audit log</a></li></> : null}
                  {DASHBOARD_ROLES.includes(session.staff.role) ? <li><a href="/console/dashboard">Outcome indicators</a></li> : null}
                </ul>
              </nav>
              <div class="who">
                <span>{session.staff.name} ({session.staff.role})</span>
                <form method="post" action="/console/sign-out">
                  <input type="hidden" name="csrf" value={session.csrfToken} />
                  <button type="submit">Sign out</button>
                </form>
              </div>
            </>
          ) : null}
        </header>}
        <main id="main" class={props.wide || props.print ? 'wide' : undefined}>{props.children}</main>
      </body>
    </html>
    </>
  );
}

/** The attributes that tie a field to its error (`FieldError` with `id`), when it has one. */
export const described = (id: string, error?: string) => (error ? { 'aria-describedby': id, 'aria-invalid': 'true' } : {});

/** A field's error, next to the field and tied to it with aria-describedby. */
export function FieldError(props: { id: string; message?: string | undefined }) {
  return props.message ? <p class="error" id={props.id}>{props.message}</p> : null;
}
