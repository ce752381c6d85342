import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../support/hub.js';
import { agency, type Agency } from '../support/scenario.js';
import { expectAccessible, launchBrowser, newVisitor, screenshot, signIn, PASSWORD } from '../support/browser.js';

const DAY = 86_400_000;
let hub: TestHub;
let browser: Browser;
let probation: Agency;
let recovery: { id: string };
let minorId: string;

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);
const consentsOf = async (participantId: string) => {
  const listed = await hub.api.request('GET', `/v1/consents?participantId=${participantId}`, { token: probation.compliance });
  expect(listed.status).toBe(200);
  return listed.body.items as { id: string; status: string; provision: unknown; signatures: { signer: string; name: string }[] }[];
};
/** The browser's own validation would stop an empty required field; the server's answer is what is tested. */
const skipBrowserValidation = (page: Page, button: string) => page.getByRole('button', { name: button }).evaluate((b) => (b.closest('form')!.noValidate = true));

beforeAll(async () => {
  hub = await startTestHub();
  browser = await launchBrowser();
  probation = await agency(hub, 'County Probation');
  recovery = await hub.organization({ name: 'Riverside Recovery', kind: 'sud_treatment', part2Program: true, adapter: { type: 'portal' } });
  await hub.organization({ name: 'Eastside Housing', kind: 'housing', adapter: { type: 'portal' } });
  const minor = await hub.api.request('POST', '/v1/participants', {
    token: probation.planner,
    body: { name: { given: ['Casey'], family: 'Brooks' }, birthDate: day(-15 * 365 - 30), guardians: [{ name: 'Maria Brooks', relationship: 'mother' }] },
  });
  expect(minor.status, JSON.stringify(minor.body)).toBe(201);
  minorId = minor.body.id;
  const staff = await hub.api.request('POST', '/v1/staff', {
    token: hub.adminToken, body: { organizationId: probation.id, role: 'compliance', name: 'Robin Castillo', email: 'robin@probation.example', password: PASSWORD },
  });
  expect(staff.status, JSON.stringify(staff.body)).toBe(201);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

describe("the compliance officer's consent pages", () => {
  it('warns that a minor’s consent lacks the guardian’s signature before saving, then records both directions, prints and revokes it', async () => {
    const { context, page } = await newVisitor(browser, hub.running.url!);
    page.setDefaultTimeout(10_000);
    await signIn(page, 'robin@probation.example', PASSWORD);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/console/participants');
    await page.goto(`/console/participants/${minorId}`);
    await page.getByRole('link', { name: 'Record a consent' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Record a consent for Casey Brooks');
    await expect(page.locator('#minor-notice').textContent()).resolves.toContain('is a minor (age 15)');

    // Riverside Recovery may receive identity and substance use information, and report substance use back.
    await page.locator('#recipients').getByLabel('Riverside Recovery').check();
    await page.locator('#purposes').getByLabel('Treatment').check();
    await page.locator('#purposes').getByLabel('Reports to the court or supervising officer').check();
    await page.locator('#send').getByLabel('Identity').check();
    await page.locator('#send').getByLabel(/Substance use disorder information/).check();
    await page.locator('#back').getByLabel(/Substance use disorder information/).check();
    await page.getByLabel('Expires on (optional)').fill(day(180));
    await page.getByRole('button', { name: 'Review' }).click();

    // No guardian's signature: said in words next to the field, before anything is saved.
    await expect(page.getByRole('alert').textContent()).resolves.toContain('A guardian’s signature is missing');
    await expect(page.locator('#guardianName-error').textContent()).resolves.toContain("a parent's or legal guardian's signature");
    await expect(page.getByLabel('Guardian’s name as signed').getAttribute('aria-describedby')).resolves.toContain('guardianName-error');
    await expect(page.locator('#recipients').getByLabel('Riverside Recovery').isChecked()).resolves.toBe(true);
    await expect(page.locator('#back').getByLabel(/Substance use disorder information/).isChecked()).resolves.toBe(true);
    expect(await consentsOf(minorId)).toEqual([]);
    await expectAccessible(page);
    await screenshot(page, 'compliance-consent-form');

    await page.getByLabel('Guardian’s name as signed').fill('Maria Brooks');
    await page.getByLabel('Relationship to the participant').fill('mother');
    await page.locator('#guardianSignedOn').fill(day(0));
    await page.getByRole('button', { name: 'Review' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Review the consent for Casey Brooks');
    await expect(page.locator('#look-at + ul').textContent()).resolves.toContain('42 CFR Part 2');
    await expect(page.locator('ul.rules').textContent()).resolves.toContain('Riverside Recovery may report to County Probation');
    expect(await consentsOf(minorId)).toEqual([]);
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Record consent' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Consent recorded as');
    const consentId = new URL(page.url()).pathname.split('/').at(-1)!;
    const [recorded] = await consentsOf(minorId);
    expect(recorded!.id).toBe(consentId);
    expect(recorded!.signatures.map((s) => [s.signer, s.name])).toEqual([['participant', 'Casey Brooks'], ['guardian', 'Maria Brooks']]);
    expect(recorded!.provision).toEqual({
      type: 'deny',
      provisions: [
        { type: 'permit', actors: [{ role: 'recipient', organizationId: recovery.id }], purposes: ['treatment', 'court_reporting'], categories: ['identity', 'substance_use'] },
        { type: 'permit', actors: [{ role: 'source', organizationId: recovery.id }, { role: 'recipient', organizationId: probation.id }], purposes: ['treatment', 'court_reporting'], categories: ['substance_use'] },
      ],
    });
    const audit = await hub.db.sql<{ action: string }[]>`SELECT action FROM audit_log WHERE subject = ${consentId} AND actor LIKE 'staff:%'`;
    expect(audit.map((a) => a.action)).toContain('consent.created');

    // The paper form, with the elements of 42 CFR 2.31(a).
    await page.getByRole('link', { name: 'Print' }).click();
    const form = (await page.locator('article.printable').textContent())!;
    for (const element of ['Casey Brooks', 'Who may share the information', 'County Probation', 'Riverside Recovery', 'Purpose', 'treatment',
      'The right to revoke', 'I may revoke this consent at any time', 'This consent expires on', 'Signature of the patient', 'Date', '42 CFR part 2']) {
      expect(form, element).toContain(element);
    }
    await expect(page.locator('#sud-description').textContent()).resolves.toContain('This includes substance use disorder information');
    await expect(page.locator('#guardian-line').textContent()).resolves.toContain('Signature of the parent or legal guardian');
    await expectAccessible(page);
    await screenshot(page, 'compliance-consent-print');
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('header.bar').isVisible()).resolves.toBe(false);
    await page.emulateMedia({ media: 'screen' });

    // Revoke: a reason is required, said next to the field; then it is revoked.
    await page.goto(`/console/consents/${consentId}`);
    await page.getByRole('link', { name: 'Revoke' }).click();
    await skipBrowserValidation(page, 'Revoke consent');
    await page.getByRole('button', { name: 'Revoke consent' }).click();
    await expect(page.locator('#reason-error').textContent()).resolves.toContain('enter why the consent is revoked');
    await expect(page.getByLabel('Reason for revoking').getAttribute('aria-describedby')).resolves.toBe('reason-error');
    expect((await consentsOf(minorId))[0]!.status).toBe('active');
    await expectAccessible(page);
    await page.getByLabel('Reason for revoking').fill('Casey and her mother withdrew consent in writing');
    await page.getByRole('button', { name: 'Revoke consent' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Consent revoked');
    expect((await consentsOf(minorId))[0]!.status).toBe('revoked');
    const revokedBy = await hub.db.sql<{ action: string }[]>`SELECT action FROM audit_log WHERE subject = ${consentId} AND actor LIKE 'staff:%'`;
    expect(revokedBy.map((a) => a.action)).toEqual(expect.arrayContaining(['consent.created', 'console.consent.printed', 'consent.revoked']));
    await page.goto(`/console/consents/${consentId}/revoke`);
    await expect(page.locator('#refusal').textContent()).resolves.toContain('already revoked');
    await context.close();
  }, 120_000);

  it('records an irrevocable 42 CFR 2.35 consent, then refuses to revoke it and says why', async () => {
    const { context, page } = await newVisitor(browser, hub.running.url!);
    page.setDefaultTimeout(10_000);
    await signIn(page, 'robin@probation.example', PASSWORD);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/console/participants');
    // The criminal-justice consent: Riverside Recovery reports substance use information back to probation.
    await page.goto(`/console/participants/${probation.participantId}/consents/new`);
    await expect(page.locator('#minor-notice').count()).resolves.toBe(0);
    await page.locator('#recipients').getByLabel('Riverside Recovery').check();
    await page.locator('#purposes').getByLabel('Reports to the court or supervising officer').check();
    await page.locator('#back').getByLabel(/Substance use disorder information/).check();
    await page.getByLabel('Expires on (optional)').fill(day(365));
    await page.getByLabel(/may not be revoked until the event below/).check();
    await page.getByRole('button', { name: 'Review' }).click();
    await expect(page.locator('#irrevocableEvent-error').textContent()).resolves.toContain('state the event');
    await page.getByLabel('Until which event').fill('the final disposition of case 26-CR-0114');
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByRole('button', { name: 'Record consent' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Consent recorded as');
    const consentId = new URL(page.url()).pathname.split('/').at(-1)!;
    const read = await hub.api.request('GET', `/v1/consents/${consentId}`, { token: probation.compliance });
    expect(read.body.irrevocable).toEqual({ event: 'the final disposition of case 26-CR-0114' });

    await page.getByRole('link', { name: 'Revoke' }).click();
    const refusal = (await page.locator('#refusal').textContent())!;
    expect(refusal).toContain('42 CFR 2.35');
    expect(refusal).toContain('may not be revoked until the final disposition of case 26-CR-0114');
    await expect(page.getByRole('button', { name: 'Revoke consent' }).count()).resolves.toBe(0);
    await expectAccessible(page);

    // A post made anyway (a stale page) is refused by the service with the same words.
    const csrf = (await page.locator('input[name=csrf]').first().getAttribute('value'))!;
    const posted = await context.request.post(`/console/consents/${consentId}/revoke`, { form: { csrf, reason: 'wants out' }, maxRedirects: 0 });
    expect(posted.status()).toBe(409);
    expect(await posted.text()).toContain('may not be revoked until the final disposition');
    expect((await consentsOf(probation.participantId)).find((c) => c.id === consentId)!.status).toBe('active');
    await context.close();
  }, 120_000);

  it("keeps the pages to compliance officers, and another organisation's participant is not found", async () => {
    const other = await agency(hub, 'Northside Probation');
    for (const [role, email] of [['planner', 'pat@probation.example'], ['compliance', 'kim@northside.example']] as const) {
      const organizationId = role === 'planner' ? probation.id : other.id;
      const made = await hub.api.request('POST', '/v1/staff', { token: hub.adminToken, body: { organizationId, role, name: email, email, password: PASSWORD } });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
    }
    const { context, page } = await newVisitor(browser, hub.running.url!);
    await signIn(page, 'pat@probation.example', PASSWORD);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/console/caseload');
    expect((await page.goto(`/console/participants/${minorId}/consents/new`))?.status()).toBe(403);
    await context.close();

    const northside = await newVisitor(browser, hub.running.url!);
    await signIn(northside.page, 'kim@northside.example', PASSWORD);
    await expect.poll(() => new URL(northside.page.url()).pathname).toBe('/console/participants');
    expect((await northside.page.goto(`/console/participants/${minorId}/consents/new`))?.status()).toBe(404);
    const [consent] = await consentsOf(minorId);
    expect((await northside.page.goto(`/console/consents/${consent!.id}/print`))?.status()).toBe(404);
    await northside.context.close();
  }, 120_000);
});
