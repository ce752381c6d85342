import type { Context } from 'hono';
import type { StaffSession } from '../../services/staff.js';
import type { ConsoleEnv } from './session.js';

/** Re-renders a form, filled in with `values` (as posted, the CSRF token left out), for `session`, saying `notice` (why it is back). */
export type ResumeRender = (c: Context<ConsoleEnv>, session: StaffSession, values: Record<string, string>, path: string, notice: string) => Response | Promise<Response>;

/** Carried fields travel through the sign-in form under this prefix, so they cannot collide with its own. */
export const CARRIED_PREFIX = 'carried.';

/**
 * The console forms that survive a session ending while they were open. A post that arrives
 * without a live session is answered with the sign-in page, the posted fields carried in its
 * hidden fields (never stored, never in an address or a log); once signed in again, the page that
 * holds the form is rendered filled in, with the new session's CSRF token: nothing is sent that
 * the person has not sent again. The same goes for a form opened in a session that has since been
replaced by a new sign-in (another tab): its token is stale, so it is shown again, not sent. Each
form's page registers here how it is re-rendered.
 */
export class ResumableForms {
  private readonly forms: { pattern: RegExp; role: string; render: ResumeRender }[] = [];

  add(pattern: RegExp, role: string, render: ResumeRender): void {
    this.forms.push({ pattern, role, render });
  }

  /** Whether a post to `path` is a form some role can be given back. */
  accepts(path: string): boolean {
    return this.forms.some((f) => f.pattern.test(path));
  }

  find(path: string, role: string): ResumeRender | undefined {
    return this.forms.find((f) => f.role === role && f.pattern.test(path))?.render;
  }
}

/** The carried fields back out of the sign-in form. */
export function uncarried(form: Record<string, string>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(form)) if (key.startsWith(CARRIED_PREFIX)) values[key.slice(CARRIED_PREFIX.length)] = value;
  return values;
}
