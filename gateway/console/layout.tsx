import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import type { StaffSession } from '../../services/staff.js';

/** Where each role starts its day. */
export const HOME: Record<string, string> = { partner: '/console/inbox', planner: '/console/caseload', compliance: '/console', admin: '/console' };

/** Every console page: one stylesheet, no script, a skip link and landmarks for keyboard and screen-reader users. */
/**
 * `refreshTo`: a page that moves on by itself (no script: a meta refresh, with a link for anyone
 * whose browser does not follow it).
 */
export function Layout(props: { title: string; session?: StaffSession | undefined; refreshTo?: string; children?: Child }) {
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
        <a class="skip" href="#main">Skip to content</a>
        <header class="bar">
          <a href="/console">Referral hub</a>
          {session ? (
            <>
              <nav aria-label="Main">
                <ul>
                  {session.staff.role === 'partner' ? <li><a href="/console/inbox">Inbox</a></li> : null}
                  {session.staff.role === 'planner' ? <><li><a href="/console/caseload">Caseload</a></li><li><a href="/console/participants/new">Enrol a participant</a></li></> : null}
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
        </header>
        <main id="main">{props.children}</main>
      </body>
    </html>
    </>
  );
}

/** A field's error, next to the field and tied to it with aria-describedby. */
export function FieldError(props: { id: string; message?: string | undefined }) {
  return props.message ? <p class="error" id={props.id}>{props.message}</p> : null;
}
