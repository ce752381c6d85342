import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sweepSla } from '../../services/sla-breaches.js';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { agency, type Agency } from '../support/scenario.js';
import { permitConsent } from '../support/fixtures.js';
import { expectAccessible, launchBrowser, newVisitor, screenshot, signIn, PASSWORD } from '../support/browser.js';

const HOUR = 3_600_000;
/** Each test drives many pages, with axe checks, on a machine other test files share. */
const BROWSER_TEST_MS = 90_000;
let hub: TestHub;
let browser: Browser;
let probation: Agency;
let housing: { id: string; token: string };
let clinic: { id: string; token: string };
let planner: { id: string };
/** The referral the first test sent; the SLA test lets its partner miss its timer. */
let sent: string;

const formUrl = () => `/console/referrals/new?participant=${probation.participantId}`;
const referralsOf = async (participantId: string) =>
  (await hub.db.sql<{ id: string }[]>`SELECT id FROM referrals WHERE participant_id = ${participantId}`).map((r) => r.id);

/** Each row of the preview's table: the part, and what happens to it. */
async function previewRows(page: Page): Promise<Record<string, string>> {
  const rows = await page.locator('#preview-heading ~ table tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')!.textContent!, tr.querySelector('td')!.textContent!]));
  return Object.fromEntries(rows);
}

/** The form as the browser would post it, for a second post of the same form (a double click). */
const formFields = (page: Page) =>
  page.locator('form[aria-label="Referral"]').evaluate((form) => {
    const fields: Record<string, string> = {};
    for (const el of form.querySelectorAll('input, select, textarea')) {
      const control = el as unknown as { name: string; value: string; type: string; checked: boolean };
      if (control.name && !((control.type === 'radio' || control.type === 'checkbox') && !control.checked)) fields[control.name] = control.value;
    }
    return fields;
  });

async function signedInPlanner(): Promise<{ context: BrowserContext; page: Page }> {
  const visitor = await newVisitor(browser, hub.running.url!);
  await signIn(visitor.page, 'pat@probation.example', PASSWORD);
  await expect.poll(() => new URL(visitor.page.url()).pathname).toBe('/console/caseload');
  return visitor;
}

beforeAll(async () => {
  hub = await startTestHub();
  browser = await launchBrowser();
  probation = await agency(hub, 'County Probation');
  // Eastside must acknowledge within an hour of delivery; the clinic provides mental-health services, not housing.
  housing = await hub.organization({ name: 'Eastside Housing', kind: 'housing', adapter: { type: 'portal' }, sla: { acknowledgeWithinHours: 1 } }, 'partner');
  clinic = await hub.organization({ name: 'Riverside Clinic', kind: 'mental_health', adapter: { type: 'portal' } }, 'partner');
  // Eastside may see identity, housing and substance use; nothing else (justice, mental health) for this participant.
  const consent = await hub.api.request('POST', '/v1/consents', { token: probation.compliance, body: permitConsent(probation.participantId, housing.id, ['identity', 'housing', 'substance_use']) });
  expect(consent.status, JSON.stringify(consent.body)).toBe(201);
  const created = await hub.api.request('POST', '/v1/staff', { token: hub.adminToken, body: { organizationId: probation.id, role: 'planner', name: 'Pat Moreno', email: 'pat@probation.example', password: PASSWORD } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  planner = created.body;
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await hub?.db.drop();
});

describe("the planner's referral form", () => {
  it('picks a partner by service, previews what consent lets it see piece by piece, and sends exactly that, once', async () => {
    const { context, page } = await signedInPlanner();
    await page.goto(formUrl());
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Refer Jordan Rivera');
    await page.getByLabel('Service needed').selectOption('housing');
    await page.getByRole('button', { name: 'Show partners' }).click();
    // The directory filtered by service: the housing provider, not the clinic, and never the planner's own agency.
    await expect(page.getByRole('radio', { name: /Eastside Housing/ }).count()).resolves.toBe(1);
    await expect(page.getByRole('radio', { name: /Riverside Clinic/ }).count()).resolves.toBe(0);
    await expect(page.getByRole('radio', { name: /County Probation/ }).count()).resolves.toBe(0);

    // Nothing chosen and no reason: refused next to the fields, what was typed kept.
    await page.getByLabel('Housing', { exact: true }).fill('Couch-surfing since March');
    await page.getByRole('button', { name: 'Preview what the partner will see' }).evaluate((b) => (b.closest('form')!.noValidate = true));
    await page.getByRole('button', { name: 'Preview what the partner will see' }).click();
    await expect(page.locator('#partnerId-error').textContent()).resolves.toBe('Choose the partner to refer to.');
    await expect(page.locator('#reason-error').textContent()).resolves.toBe('Say why the participant is referred.');
    await expect(page.getByLabel('Housing', { exact: true }).inputValue()).resolves.toBe('Couch-surfing since March');
    await expectAccessible(page);

    await page.getByRole('radio', { name: /Eastside Housing/ }).check();
    await page.getByLabel('Reason for referral').fill('Needs stable housing before the release review');
    await page.getByLabel('Justice', { exact: true }).fill('Medium supervision; court date in June');
    await page.getByLabel('Substance use', { exact: true }).fill('In an outpatient program since May');
    await page.getByLabel('Note 1 is about').selectOption('housing');
    await page.getByLabel('Note 1', { exact: true }).fill('Prefers the east side, near work');
    await page.getByLabel('Note 2 is about').selectOption('mental_health');
    await page.getByLabel('Note 2', { exact: true }).fill('Anxiety; sees a counsellor weekly');
    await expect(page.getByText('Clinical detail (diagnoses, treatment, substance use) belongs in a categorised note').isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshot(page, 'planner-referral-form');

    await page.getByRole('button', { name: 'Preview what the partner will see' }).click();
    await expect(page.getByRole('heading', { name: 'What Eastside Housing will see' }).isVisible()).resolves.toBe(true);
    // Each piece with the decision's own reason, as the compliance officer's access decision gives it.
    const access = await hub.api.request('GET', `/v1/participants/${probation.participantId}/access?recipient=${housing.id}&purpose=care_coordination`, { token: probation.compliance });
    const why = (category: string) => (access.body.denied as { category: string; reason: string }[]).find((d) => d.category === category)!.reason;
    expect(await previewRows(page)).toEqual({
      'Reason for referral': 'Will be shared',
      Identity: 'Will be shared',
      Justice: `Withheld — ${why('justice')}`,
      'Substance use': 'Will be shared',
      Housing: 'Will be shared',
      'Note 1 (Housing)': 'Will be shared',
      'Note 2 (Mental health)': `Withheld — ${why('mental_health')}`,
    });
    // Substance-use data goes: so does the Part 2 redisclosure notice.
    await expect(page.getByRole('note').filter({ hasText: 'Part 2 notice' }).textContent()).resolves.toContain('42 CFR part 2');
    const previewText = (await page.locator('#preview-heading').locator('..').textContent())!;
    expect(previewText).not.toContain('court date in June');
    expect(previewText).not.toContain('Anxiety');
    // The preview is no disclosure: nothing left the hub.
    expect((await hub.db.sql`SELECT 1 FROM disclosures WHERE participant_id = ${probation.participantId}`).length).toBe(0);
    await expectAccessible(page);
    await screenshot(page, 'planner-referral-preview');

    const posted = await formFields(page);
    await page.getByRole('button', { name: 'Send referral' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toBe('Recorded: Sent.');
    sent = new URL(page.url()).pathname.split('/').pop()!;
    // The same form posted again (a double click): the same referral, not a second one.
    const again = await context.request.post(formUrl(), { form: { ...posted, step: 'send' }, maxRedirects: 0 });
    expect(again.status()).toBe(303);
    expect(again.headers().location).toBe(`/console/referrals/${sent}?done=sent`);
    expect(await referralsOf(probation.participantId)).toEqual([sent]);
    // A post that says for whom nothing is: the form's mistake named (400), not "no such participant".
    const { participantId: _p, ...nobody } = posted;
    const unnamed = await context.request.post('/console/referrals/new', { form: { ...nobody, step: 'preview' }, maxRedirects: 0 });
    expect(unnamed.status()).toBe(400);
    expect(await unnamed.text()).toContain('say which participant to refer');
    // Each page shown is one audited read of the participant, as one GET /v1/participants/{id} is.
    const reads = async () => (await hub.db.sql`SELECT 1 FROM audit_log WHERE actor = ${`staff:${planner.id}`} AND action = 'participant.read'`).length;
    const before = await reads();
    expect((await context.request.post(formUrl(), { form: { ...posted, step: 'preview' }, maxRedirects: 0 })).status()).toBe(200);
    expect(await reads()).toBe(before + 1);

    // What the partner is shown is exactly what the preview said would be shared.
    const view = await eventually(async () => {
      const read = await hub.api.request('GET', `/v1/referrals/${sent}`, { token: housing.token });
      return read.status === 200 ? read.body : undefined;
    }, 10_000, 'delivery');
    expect(view.reason).toBe('Needs stable housing before the release review');
    expect(Object.keys(view.caseFile).sort()).toEqual(['housing', 'identity', 'notes', 'substance_use']);
    expect(view.caseFile.housing).toEqual({ summary: 'Couch-surfing since March' });
    expect(view.caseFile.identity).toMatchObject({ name: { given: ['Jordan'], family: 'Rivera' }, birthDate: '1990-04-12' });
    expect(view.caseFile.notes).toEqual([{ category: 'housing', text: 'Prefers the east side, near work' }]);
    expect(view.withheld.count).toBe(2);
    expect(view.notices.map((n: { code: string }) => n.code)).toEqual(['42CFR2.32']);
    await context.close();
  }, BROWSER_TEST_MS);

  it('keeps what was typed when the session ends before the form is sent, and gives it back after signing in', async () => {
    const { context, page } = await signedInPlanner();
    await page.goto(`${formUrl()}&service=housing`);
    await page.getByRole('radio', { name: /Eastside Housing/ }).check();
    await page.getByLabel('Reason for referral').fill('Second referral: TYPED-BEFORE-EXPIRY');
    await page.getByLabel('Note 1 is about').selectOption('employment');
    await page.getByLabel('Note 1', { exact: true }).fill('Line one of the note\nLine two TYPED-BEFORE-EXPIRY');
    // The working day is over while the form is open.
    await hub.db.sql`UPDATE staff_sessions SET expires_at = now() - interval '1 second' WHERE staff_id = ${planner.id}`;
    await page.getByRole('button', { name: 'Preview what the partner will see' }).click();

    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in');
    await expect(page.getByText('Your session ended before the form was sent, so nothing was sent.').isVisible()).resolves.toBe(true);
    expect(page.url()).not.toContain('TYPED');
    await expectAccessible(page);
    // A wrong password first: the form still travels with the retry.
    await page.getByLabel('E-mail address').fill('pat@probation.example');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('#sign-in-error').isVisible()).resolves.toBe(true);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Refer Jordan Rivera');
    await expect(page.getByRole('status').textContent()).resolves.toBe('You are signed in again. Nothing was sent: check the form and send it.');
    await expect(page.getByLabel('Reason for referral').inputValue()).resolves.toBe('Second referral: TYPED-BEFORE-EXPIRY');
    await expect(page.getByLabel('Note 1', { exact: true }).inputValue()).resolves.toBe('Line one of the note\nLine two TYPED-BEFORE-EXPIRY');
    await expect(page.getByLabel('Note 1 is about').inputValue()).resolves.toBe('employment');
    await expect(page.getByRole('radio', { name: /Eastside Housing/ }).isChecked()).resolves.toBe(true);
    // Nothing was sent, and the form works with the new session's token.
    expect(await referralsOf(probation.participantId)).toEqual([sent]);
    await page.getByRole('button', { name: 'Preview what the partner will see' }).click();
    await expect(page.getByRole('heading', { name: 'What Eastside Housing will see' }).isVisible()).resolves.toBe(true);
    // Signed out and in again in another tab: this tab's form carries the earlier session's token, and comes back instead of being refused.
    await page.getByLabel('Reason for referral').fill('Third version: TYPED-BEFORE-EXPIRY');
    const tab = await context.newPage();
    await tab.goto('/console/caseload');
    await tab.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => tab.getByText('You are signed out.').isVisible()).toBe(true);
    await signIn(tab, 'pat@probation.example', PASSWORD);
    await expect.poll(() => new URL(tab.url()).pathname).toBe('/console/caseload');
    await page.getByRole('button', { name: 'Preview again' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toBe('You signed in again since this form was opened, so it was not sent: check it and send it again.');
    await expect(page.getByLabel('Reason for referral').inputValue()).resolves.toBe('Third version: TYPED-BEFORE-EXPIRY');
    await expectAccessible(page);
    // The typed text went nowhere but the browser: not the audit log, not the session table.
    expect((await hub.db.sql`SELECT 1 FROM audit_log WHERE detail::text LIKE '%TYPED-BEFORE-EXPIRY%'`).length).toBe(0);
    expect((await hub.db.sql`SELECT 1 FROM staff_sessions WHERE csrf_token LIKE '%TYPED%'`).length).toBe(0);
    await context.close();
  }, BROWSER_TEST_MS);

  it('does not give back a carried form that was not shown to the person signing in (another site cannot plant one)', async () => {
    const { context } = await newVisitor(browser, hub.running.url!);
    const planted = await context.request.post(formUrl(), { form: { csrf: 'made-up-elsewhere', participantId: probation.participantId, service: 'housing', reason: 'PLANTED' }, maxRedirects: 0 });
    expect(planted.status()).toBe(401);
    const html = await planted.text();
    const csrf = html.match(/name="csrf" value="([^"]+)"/)![1]!;
    expect(html).toContain('name="carried.reason" value="PLANTED"');
    const signedIn = await context.request.post('/console/sign-in', {
      form: { csrf, email: 'pat@probation.example', password: PASSWORD, resume: '/console/referrals/new', 'carried.csrf': 'made-up-elsewhere', 'carried.reason': 'PLANTED', 'carried.participantId': probation.participantId },
      maxRedirects: 0,
    });
    expect(signedIn.status()).toBe(303);
    expect(signedIn.headers().location).toBe('/console/caseload');
    await context.close();
  }, BROWSER_TEST_MS);

  it('flags a referral whose partner missed its service-level timer first on the caseload, and links to refer again', async () => {
    // An older referral that waits on consent (the clinic may see nothing), so there is another flag to come after it.
    const waiting = await hub.api.request('POST', '/v1/referrals', {
      token: probation.planner,
      body: { participantId: probation.participantId, partnerId: clinic.id, service: 'mental_health', purpose: 'treatment', reason: 'counselling', caseFile: {} },
    });
    expect(waiting.body.status).toBe('awaiting_consent');
    // Eastside never acknowledges: an hour after delivery the real sweep records the breach.
    hub.clock.advance(2 * HOUR);
    await eventually(async () => ((await sweepSla(hub.running.hub)).breached === 1 ? true : undefined), 10_000, 'the SLA breach');

    const { context, page } = await signedInPlanner();
    const firstRow = page.locator('tbody tr').first();
    await expect(firstRow.getByRole('link', { name: sent }).count()).resolves.toBe(1);
    await expect(firstRow.locator('.badge').textContent()).resolves.toBe('SLA breached (acknowledge)');
    // The breach comes first although the waiting referral is newer and flagged too.
    await expect(page.getByRole('row', { name: new RegExp(waiting.body.id) }).locator('.badge').textContent()).resolves.toBe('Awaiting consent');
    await expectAccessible(page);
    await firstRow.getByRole('link', { name: 'Refer' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Refer Jordan Rivera');
    await context.close();
  }, BROWSER_TEST_MS);
});

describe('the partner inbox', () => {
  it('offers Resume on a referral on hold, and resuming returns it to the status it left', async () => {
    await hub.api.request('POST', `/v1/referrals/${sent}/events`, { token: housing.token, body: { type: 'accepted' } });
    const held = await hub.api.request('POST', `/v1/referrals/${sent}/events`, { token: housing.token, body: { type: 'on_hold' } });
    expect(held.body.status, JSON.stringify(held.body)).toBe('on_hold');
    const created = await hub.api.request('POST', '/v1/staff', { token: hub.adminToken, body: { organizationId: housing.id, role: 'partner', name: 'Dana Whitfield', email: 'dana@eastside.example', password: PASSWORD } });
    expect(created.status).toBe(201);
    const { context, page } = await newVisitor(browser, hub.running.url!);
    await signIn(page, 'dana@eastside.example', PASSWORD);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/console/inbox');
    const row = page.getByRole('row', { name: /Jordan Rivera/ });
    await expect(row.getByText('On hold').isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await row.getByRole('button', { name: /^Resume/ }).click();
    await expect(page.getByRole('status').textContent()).resolves.toBe('Recorded: Resumed.');
    const read = await hub.api.request('GET', `/v1/referrals/${sent}`, { token: housing.token });
    expect(read.body.status).toBe('accepted');
    await page.goto('/console/inbox');
    await expect(page.getByRole('row', { name: /Jordan Rivera/ }).getByRole('button', { name: /^Resume/ }).count()).resolves.toBe(0);
    await context.close();
  }, BROWSER_TEST_MS);
});
