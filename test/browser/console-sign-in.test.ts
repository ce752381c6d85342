import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestHub, type TestHub } from '../support/hub.js';
import { expectAccessible, launchBrowser, newVisitor, screenshot, signIn, PASSWORD, staffAccount } from '../support/browser.js';

let hub: TestHub;
let browser: Browser;
let partnerOrg: string;

const staff = (input: Record<string, unknown>) => staffAccount(hub, input);

async function auditActions(subject: string): Promise<string[]> {
  const rows = await hub.db.sql<{ action: string }[]>`SELECT action FROM audit_log WHERE subject = ${subject} ORDER BY seq`;
  return rows.map((r) => r.action);
}

beforeAll(async () => {
  hub = await startTestHub();
  browser = await launchBrowser();
  partnerOrg = (await hub.organization({ name: 'Eastside Housing', kind: 'housing', adapter: { type: 'portal' } }, 'partner')).id;
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await hub?.db.drop();
});

describe('staff accounts through the API', () => {
  it('refuses bad input with problem+json naming each field, and a taken address with 409', async () => {
    const bad = await hub.api.request('POST', '/v1/staff', { token: hub.adminToken, body: { role: 'planner', name: 'X', email: 'not-an-address', password: 'short' } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['email', 'organizationId', 'password']);

    await staff({ organizationId: partnerOrg, role: 'partner', name: 'Sam Ortiz', email: 'sam@eastside.example' });
    const again = await hub.api.request('POST', '/v1/staff', { token: hub.adminToken, body: { organizationId: partnerOrg, role: 'partner', name: 'Sam', email: 'SAM@eastside.example', password: PASSWORD } });
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual([{ path: 'email', message: 'already in use' }]);
  });

  it('lets only an admin create staff', async () => {
    const partnerToken = await hub.client(partnerOrg, 'partner');
    const refused = await hub.api.request('POST', '/v1/staff', { token: partnerToken, body: { organizationId: partnerOrg, role: 'partner', name: 'Eve', email: 'eve@eastside.example', password: PASSWORD } });
    expect(refused.status).toBe(403);
  });
});

describe('signing in to the console', () => {
  it('sends a browser at / to the sign-in page, signs in with a strict session cookie, and signs out', async () => {
    const dana = await staff({ organizationId: partnerOrg, role: 'partner', name: 'Dana Whitfield', email: 'dana@eastside.example' });
    const { context, page } = await newVisitor(browser, hub.running.url!);
    const answer = await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    expect(answer?.headers()['content-security-policy']).toContain("default-src 'self'");
    await expectAccessible(page);
    await screenshot(page, 'sign-in');

    await signIn(page, 'dana@eastside.example', PASSWORD);
    await expect.poll(() => new URL(page.url()).pathname).not.toBe('/console/sign-in');
    await expect(page.getByText('Dana Whitfield (partner)').isVisible()).resolves.toBe(true);
    const cookie = (await context.cookies()).find((c) => c.name === 'hub_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: true, path: '/console' });
    // Only a hash of the session id is stored.
    const stored = await hub.db.sql`SELECT 1 FROM staff_sessions WHERE id_hash = sha256(${Buffer.from(cookie.value)})`;
    expect(stored.length).toBe(1);
    const raw = await hub.db.sql`SELECT 1 FROM staff_sessions WHERE encode(id_hash, 'escape') = ${cookie.value}`;
    expect(raw.length).toBe(0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByText('You are signed out.').isVisible()).toBe(true);
    await page.goto('/console');
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    expect(await auditActions(dana.id)).toEqual(expect.arrayContaining(['staff.created', 'staff.signed_in', 'staff.signed_out']));
    await context.close();
  });

  it('says in words, next to the fields, when the password is wrong, and keeps the address typed', async () => {
    await staff({ organizationId: partnerOrg, role: 'partner', name: 'Lee Park', email: 'lee@eastside.example' });
    const { context, page } = await newVisitor(browser, hub.running.url!);
    await signIn(page, 'lee@eastside.example', 'not the password at all');
    const error = page.locator('#sign-in-error');
    await expect(error.textContent()).resolves.toBe('That e-mail address and password do not match an account.');
    await expect(page.getByLabel('E-mail address').inputValue()).resolves.toBe('lee@eastside.example');
    await expect(page.getByLabel('Password').getAttribute('aria-describedby')).resolves.toBe('sign-in-error');
    await expectAccessible(page);
    await context.close();
  });

  it('locks an account after five failed sign-ins in a row, even against the right password, and audits each failure', async () => {
    const kim = await staff({ organizationId: partnerOrg, role: 'partner', name: 'Kim Lo', email: 'kim@eastside.example' });
    const { context, page } = await newVisitor(browser, hub.running.url!);
    for (let i = 0; i < 4; i++) {
      await signIn(page, 'kim@eastside.example', `wrong guess ${i}`);
      await expect(page.locator('#sign-in-error').textContent()).resolves.toContain('do not match');
    }
    await signIn(page, 'kim@eastside.example', 'wrong guess 5');
    await expect(page.locator('#sign-in-error').textContent()).resolves.toMatch(/locked for \d+ seconds/);
    await signIn(page, 'kim@eastside.example', PASSWORD);
    await expect(page.locator('#sign-in-error').textContent()).resolves.toMatch(/locked/);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    const actions = await auditActions(kim.id);
    expect(actions.filter((a) => a === 'staff.sign_in_failed')).toHaveLength(5);
    expect(actions).toContain('staff.sign_in_refused');
    expect(actions).not.toContain('staff.signed_in');
    await context.close();
  });

  it('refuses a form posted without its CSRF token', async () => {
    await staff({ organizationId: partnerOrg, role: 'partner', name: 'Ana Ruiz', email: 'ana@eastside.example' });
    const { context, page } = await newVisitor(browser, hub.running.url!);
    await signIn(page, 'ana@eastside.example', PASSWORD);
    await expect.poll(() => new URL(page.url()).pathname).not.toBe('/console/sign-in');
    // The browser's own cookies, but a form without the token: as a forged cross-site post would be.
    const forged = await context.request.post('/console/sign-out', { form: { nothing: 'here' }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('security token');
    const signIn2 = await context.request.post('/console/sign-in', { form: { email: 'ana@eastside.example', password: PASSWORD }, maxRedirects: 0 });
    expect(signIn2.status()).toBe(403);
    // Still signed in: the forged sign-out did nothing.
    await page.goto('/console');
    expect(new URL(page.url()).pathname).not.toBe('/console/sign-in');
    await context.close();
  });

  it('ends every session of a staff member when an admin revokes them', async () => {
    const jo = await staff({ organizationId: partnerOrg, role: 'partner', name: 'Jo Chen', email: 'jo@eastside.example' });
    const desk = await newVisitor(browser, hub.running.url!);
    const phone = await newVisitor(browser, hub.running.url!);
    for (const { page } of [desk, phone]) {
      await signIn(page, 'jo@eastside.example', PASSWORD);
      await expect.poll(() => new URL(page.url()).pathname).not.toBe('/console/sign-in');
    }
    const revoked = await hub.api.request('DELETE', `/v1/staff/${jo.id}/sessions`, { token: hub.adminToken });
    expect(revoked).toMatchObject({ status: 200, body: { revoked: 2 } });
    for (const { page } of [desk, phone]) {
      await page.goto('/console');
      expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    }
    expect(await auditActions(jo.id)).toContain('staff.sessions_revoked');
    expect((await hub.api.request('DELETE', `/v1/staff/stf_AAAAAAAAAAAAAAAAAAAAAA/sessions`, { token: hub.adminToken })).status).toBe(404);
    await desk.context.close();
    await phone.context.close();
  });
});
