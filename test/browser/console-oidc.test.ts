import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../dev/proc.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { expectAccessible, launchBrowser, newVisitor, screenshot, PASSWORD, staffAccount } from '../support/browser.js';
import { startIdentityProvider, type TestIdentityProvider } from '../support/oidc-provider.js';

/**
 * Staff of an agency sign in to the console through the agency's own OpenID Connect provider: a
 * real one (oidc-provider), on another site than the hub (localhost against 127.0.0.1), so the
 * cookies behave as they would between an agency's login page and a hosted hub.
 */

let hub: TestHub;
let idp: TestIdentityProvider;
let browser: Browser;
let eastside: string;
let probation: string;
let dana: { id: string };

const staff = (input: Record<string, unknown>) => staffAccount(hub, input);

async function connectProvider(organizationId: string, body: Record<string, unknown>, expected = [200, 201]) {
  const put = await hub.api.request('PUT', `/v1/organizations/${organizationId}/identity-provider`, { token: hub.adminToken, body: { issuer: idp.issuer, clientId: idp.clientId, ...body } });
  expect(expected, JSON.stringify(put.body)).toContain(put.status);
}

/** The provider's own pages: its sign-in form (any password), then its consent screen. */
async function signInAtProvider(page: Page, login: string) {
  await page.waitForURL((url) => url.href.startsWith(idp.issuer));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('anything');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** The refusal the console shows beside the organisation sign-in, once the browser is back from the provider. */
async function refusal(page: Page): Promise<string> {
  const error = page.locator('#sso-error');
  await error.waitFor();
  expect(new URL(page.url()).origin).toBe(new URL(hub.running.url!).origin);
  return (await error.textContent()) ?? '';
}

async function failures(reason: string) {
  return hub.db.sql<{ detail: Record<string, unknown> }[]>`SELECT detail FROM audit_log WHERE action = 'staff.sign_in_failed' AND detail->>'method' = 'oidc' AND detail->>'reason' = ${reason}`;
}

beforeAll(async () => {
  const port = await freePort();
  const hubUrl = `http://127.0.0.1:${port}`;
  idp = await startIdentityProvider({
    redirectUri: `${hubUrl}/console/sign-in/oidc/callback`,
    accounts: {
      dana: { email: 'dana@eastside.example', name: 'Dana W.' },
      newcomer: { email: 'newcomer@eastside.example' },
      pat: { email: 'pat@probation.example' },
    },
  });
  hub = await startTestHub({ PORT: String(port), HUB_PUBLIC_URL: hubUrl });
  browser = await launchBrowser();
  eastside = (await hub.organization({ name: 'Eastside Housing', kind: 'housing', adapter: { type: 'portal' } })).id;
  probation = (await hub.organization({ name: 'County Probation', kind: 'probation', adapter: { type: 'portal' } })).id;
  dana = await staff({ organizationId: eastside, role: 'partner', name: 'Dana Whitfield', email: 'dana@eastside.example' });
  await staff({ organizationId: probation, role: 'planner', name: 'Pat Reyes', email: 'pat@probation.example' });
  await connectProvider(eastside, { clientSecret: idp.clientSecret, matchBy: 'email', emailDomain: 'eastside.example' });
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await idp?.stop();
});

describe('signing in through the organisation’s identity provider', () => {
  it('finds Eastside’s provider from a work address, signs Dana in there, and lands on the partner inbox as Dana', async () => {
    const { context, page } = await newVisitor(browser, hub.running.url!);
    await page.goto('/console/sign-in');
    await page.getByLabel('Your work e-mail').fill('dana@eastside.example');
    await page.getByRole('button', { name: 'Continue with my organisation' }).click();
    await expectAccessible(page);
    await screenshot(page, 'sign-in-organisation');
    const authorization = page.waitForRequest((request) => request.url().startsWith(`${idp.issuer}/auth?`));
    await page.getByRole('link', { name: 'Sign in with Eastside Housing\'s identity provider' }).click();

    // The flow's secrets stay in an HttpOnly cookie; the URL carries only what the protocol sends.
    const flow = (await context.cookies()).find((c) => c.name === 'hub_oidc_flow')!;
    expect(flow).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/console/sign-in/oidc' });
    const authorize = new URL((await authorization).url());
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${new URL(hub.running.url!).origin}/console/sign-in/oidc/callback`);
    expect(authorize.href).not.toContain(flow.value);
    expect(authorize.searchParams.get('login_hint')).toBe('dana@eastside.example');

    await signInAtProvider(page, 'dana');
    await page.waitForURL((url) => url.pathname === '/console/inbox');
    await expect(page.getByText('Dana Whitfield (partner)').isVisible()).resolves.toBe(true);
    const session = (await context.cookies()).find((c) => c.name === 'hub_session')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
    expect((await context.cookies()).some((c) => c.name === 'hub_oidc_flow')).toBe(false);

    const [signedIn] = await hub.db.sql<{ actor: string; detail: Record<string, unknown> }[]>`
      SELECT actor, detail FROM audit_log WHERE action = 'staff.signed_in' AND subject = ${dana.id}`;
    expect(signedIn).toEqual({ actor: `staff:${dana.id}`, detail: { method: 'oidc', organizationId: eastside, issuer: idp.issuer } });
    await context.close();
  });

  it('refuses, in words, a person the provider knows but who has no console account', async () => {
    const { context, page } = await newVisitor(browser, hub.running.url!);
    await page.goto(`/console/sign-in/oidc/${eastside}`);
    await signInAtProvider(page, 'newcomer');
    expect(await refusal(page)).toContain('Eastside Housing\'s identity provider signed you in as newcomer@eastside.example, but there is no console account for you at Eastside Housing');
    await expectAccessible(page);
    expect((await context.cookies()).some((c) => c.name === 'hub_session')).toBe(false);
    expect(await failures('no_account')).toEqual([expect.objectContaining({ detail: expect.objectContaining({ organizationId: eastside }) })]);
    await context.close();
  });

  it('never signs anyone in to another organisation’s account, even with the same verified address', async () => {
    // Eastside's provider, without a domain rule, vouches for pat@probation.example: Pat's account is County Probation's.
    await connectProvider(eastside, { matchBy: 'email' });
    const { context, page } = await newVisitor(browser, hub.running.url!);
    await page.goto(`/console/sign-in/oidc/${eastside}`);
    await signInAtProvider(page, 'pat');
    expect(await refusal(page)).toContain('signed you in as pat@probation.example, but there is no console account for you at Eastside Housing');
    expect((await context.cookies()).some((c) => c.name === 'hub_session')).toBe(false);
    await context.close();
    await connectProvider(eastside, { matchBy: 'email', emailDomain: 'eastside.example' });
  });

  it('matches by the subject recorded on the account, within the organisation only', async () => {
    await connectProvider(eastside, { matchBy: 'sub' });
    expect((await hub.api.request('PATCH', `/v1/staff/${dana.id}`, { token: hub.adminToken, body: { oidcSubject: 'dana' } })).status).toBe(200);
    // County Probation's Pat has the subject "pat" at another provider: Eastside's "pat" is someone else.
    const pat = (await hub.db.sql<{ id: string }[]>`SELECT id FROM staff WHERE email = 'pat@probation.example'`)[0]!;
    expect((await hub.api.request('PATCH', `/v1/staff/${pat.id}`, { token: hub.adminToken, body: { oidcSubject: 'pat' } })).status).toBe(200);

    const first = await newVisitor(browser, hub.running.url!);
    await first.page.goto(`/console/sign-in/oidc/${eastside}`);
    await signInAtProvider(first.page, 'dana');
    await first.page.waitForURL((url) => url.pathname === '/console/inbox');
    await expect(first.page.getByText('Dana Whitfield (partner)').isVisible()).resolves.toBe(true);
    await first.context.close();

    const second = await newVisitor(browser, hub.running.url!);
    await second.page.goto(`/console/sign-in/oidc/${eastside}`);
    await signInAtProvider(second.page, 'pat');
    expect(await refusal(second.page)).toContain('no console account for you at Eastside Housing');
    await second.context.close();
    await connectProvider(eastside, { matchBy: 'email', emailDomain: 'eastside.example' });
  });

  it('refuses a callback that no sign-in of this browser started', async () => {
    const { context, page } = await newVisitor(browser, hub.running.url!);
    const answer = await page.goto('/console/sign-in/oidc/callback?code=stolen&state=guessed');
    expect(answer?.status()).toBe(401);
    expect(await refusal(page)).toContain('took too long, or was started again in another window');
    expect((await context.cookies()).some((c) => c.name === 'hub_session')).toBe(false);
    await context.close();
  });

  it('refuses a disabled account, and says why', async () => {
    expect((await hub.api.request('PATCH', `/v1/staff/${dana.id}`, { token: hub.adminToken, body: { disabled: true } })).status).toBe(200);
    const { context, page } = await newVisitor(browser, hub.running.url!);
    await page.goto(`/console/sign-in/oidc/${eastside}`);
    await signInAtProvider(page, 'dana');
    expect(await refusal(page)).toContain('Your console account at Eastside Housing is disabled');
    expect(await failures('disabled')).toHaveLength(1);
    await context.close();
    expect((await hub.api.request('PATCH', `/v1/staff/${dana.id}`, { token: hub.adminToken, body: { disabled: false } })).status).toBe(200);
  });

  it('shows the provider’s refusal when the person cancels at the provider', async () => {
    const { context, page } = await newVisitor(browser, hub.running.url!);
    await page.goto(`/console/sign-in/oidc/${eastside}`);
    await page.waitForURL((url) => url.href.startsWith(idp.issuer));
    await page.getByRole('link', { name: '[ Cancel ]' }).click();
    expect(await refusal(page)).toContain('Eastside Housing\'s identity provider did not complete the sign-in: End-User aborted interaction (access_denied)');
    expect(await failures('provider')).toEqual([expect.objectContaining({ detail: expect.objectContaining({ providerError: 'End-User aborted interaction (access_denied)' }) })]);
    await context.close();
  });

  it('says so when an address’s domain has no identity provider on the hub', async () => {
    const { context, page } = await newVisitor(browser, hub.running.url!);
    await page.goto('/console/sign-in');
    await page.getByLabel('Your work e-mail').fill('someone@elsewhere.example');
    await page.getByRole('button', { name: 'Continue with my organisation' }).click();
    await expect(page.getByText('No organisation on this hub signs in its staff with addresses of elsewhere.example').isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Your work e-mail').getAttribute('aria-invalid')).resolves.toBe('true');
    await context.close();
  });
});
