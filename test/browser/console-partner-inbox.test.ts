import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../support/hub.js';
import { agency, deliveredReferral, portalPartner, type Agency } from '../support/scenario.js';
import { permitConsent } from '../support/fixtures.js';
import { expectAccessible, launchBrowser, newVisitor, screenshot, signIn, PASSWORD } from '../support/browser.js';

let hub: TestHub;
let browser: Browser;
let probation: Agency;
let housing: { id: string; token: string };
let clinic: { id: string; token: string };
/** The referral the partner worked on in the first test; the planner's pages read it after. */
let workedOn: string;

async function staff(organizationId: string, email: string, name: string) {
  const created = await hub.api.request('POST', '/v1/staff', { token: hub.adminToken, body: { organizationId, role: 'partner', name, email, password: PASSWORD } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: string };
}

const buttons = async (page: Page) => (await page.locator('.actions button').allTextContents()).sort();
const disclosuresOf = (referralId: string) =>
  hub.db.sql<{ channel: string; recipient: string }[]>`SELECT channel, recipient_org_id AS recipient FROM disclosures WHERE referral_id = ${referralId}`;

beforeAll(async () => {
  hub = await startTestHub();
  browser = await launchBrowser();
  probation = await agency(hub, 'County Probation');
  housing = await portalPartner(hub, 'Eastside Housing');
  clinic = await portalPartner(hub, 'Riverside Clinic');
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await hub?.db.drop();
});

describe('the partner inbox', () => {
  it('a partner accepts a referral in the inbox and posts a progress note, and the planner sees them on the timeline', async () => {
    // The reverse direction: housing may report housing notes back to probation.
    const back = await hub.api.request('POST', '/v1/consents', {
      token: probation.compliance,
      body: {
        ...permitConsent(probation.participantId, probation.id, []),
        provision: { type: 'permit', actors: [{ role: 'source', organizationId: housing.id }, { role: 'recipient', organizationId: probation.id }], purposes: ['care_coordination'], categories: ['housing'] },
      },
    });
    expect(back.status, JSON.stringify(back.body)).toBe(201);
    const referralId = await deliveredReferral(hub, probation, housing);
    workedOn = referralId;
    const before = (await disclosuresOf(referralId)).length;
    await staff(housing.id, 'dana@eastside.example', 'Dana Whitfield');

    const { context, page } = await newVisitor(browser, hub.running.url!);
    await signIn(page, 'dana@eastside.example', PASSWORD);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/console/inbox');
    const row = page.getByRole('row', { name: /Jordan Rivera/ });
    await expect(row.getByText('New').isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshot(page, 'partner-inbox');

    await page.getByRole('link', { name: 'Jordan Rivera' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Referral for Housing');
    // Only the consented sections: identity and housing, nothing of the other categories.
    await expect(page.locator('main h3').allTextContents()).resolves.toEqual(expect.arrayContaining(['Identity', 'Housing']));
    await expect(page.getByRole('heading', { name: 'Mental health' }).count()).resolves.toBe(0);
    expect(await page.content()).not.toContain('MARKER-MENTAL_HEALTH');
    // Each page shown is a read, recorded as a disclosure like the API's (the list and this page).
    expect((await disclosuresOf(referralId)).length).toBeGreaterThan(before + 1);

    // Only what the state machine allows now: a delivered referral can be received, not accepted or completed.
    expect(await buttons(page)).toEqual(expect.arrayContaining(['Mark received']));
    expect(await buttons(page)).not.toContain('Complete');
    await expectAccessible(page);
    await screenshot(page, 'partner-referral');

    await page.getByRole('button', { name: 'Mark received' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toBe('Recorded: Received.');
    await page.getByRole('button', { name: 'Accept', exact: true }).click();
    await expect(page.getByRole('status').textContent()).resolves.toBe('Recorded: Accepted.');
    expect(await buttons(page)).not.toContain('Accept');

    // A note without text is refused next to its field, and what was chosen is kept.
    await page.getByLabel('What it is about').selectOption('housing');
    await page.getByRole('button', { name: 'Post note' }).evaluate((b) => (b.closest('form')!.noValidate = true));
    await page.getByRole('button', { name: 'Post note' }).click();
    await expect(page.locator('#note-error').isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('What it is about').inputValue()).resolves.toBe('housing');
    await expectAccessible(page);

    await page.getByLabel('Note').fill('Viewed two units on the east side');
    await page.getByRole('button', { name: 'Post note' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toBe('Recorded: Progress note.');

    const timeline = await hub.api.request('GET', `/v1/referrals/${referralId}/timeline`, { token: probation.planner });
    expect(timeline.status).toBe(200);
    const types = timeline.body.items.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['received', 'accepted', 'progress_note']));
    expect(timeline.body.items.find((e: { type: string }) => e.type === 'progress_note').note).toEqual({ category: 'housing', text: 'Viewed two units on the east side' });
    const audit = await hub.db.sql<{ action: string }[]>`SELECT action FROM audit_log WHERE subject = ${referralId} AND actor LIKE 'staff:%'`;
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['referral.read', 'referral.event']));
    await context.close();
  });

  it("does not open another partner's referral (404), and shows that partner's inbox without it", async () => {
    const referralId = await deliveredReferral(hub, probation, housing);
    await staff(clinic.id, 'rae@riverside.example', 'Rae Olsen');
    const { context, page } = await newVisitor(browser, hub.running.url!);
    await signIn(page, 'rae@riverside.example', PASSWORD);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/console/inbox');
    await expect(page.getByText('No referrals have been delivered to your organisation yet.').isVisible()).resolves.toBe(true);
    const answer = await page.goto(`/console/referrals/${referralId}`);
    expect(answer?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Not found');
    const posted = await context.request.post(`/console/referrals/${referralId}/events`, { form: { type: 'accepted', csrf: 'x' }, maxRedirects: 0 });
    expect(posted.status()).toBe(403);
    expect((await disclosuresOf(referralId)).filter((d) => d.recipient === clinic.id)).toEqual([]);
    await context.close();
  });
});

describe("the planner's pages", () => {
  it('shows the caseload and the timeline with the partner’s note (permitted back), cancels a referral and enrols a participant', async () => {
    const created = await hub.api.request('POST', '/v1/staff', { token: hub.adminToken, body: { organizationId: probation.id, role: 'planner', name: 'Pat Moreno', email: 'pat@probation.example', password: PASSWORD } });
    expect(created.status).toBe(201);
    const { context, page } = await newVisitor(browser, hub.running.url!);
    await signIn(page, 'pat@probation.example', PASSWORD);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/console/caseload');
    // The README's picture of the caseload is taken at the end of the whole story (console-story.test.ts).
    await expectAccessible(page);

    await page.getByRole('link', { name: workedOn }).click();
    const timeline = page.locator('ol.card li');
    await expect(timeline.allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringContaining('Received'), expect.stringContaining('Accepted')]));
    await expect(page.getByText('Viewed two units on the east side').isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshot(page, 'planner-referral');

    await page.getByLabel(/Why/).fill('Moved out of county');
    await page.getByRole('button', { name: 'Cancel referral' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toBe('Recorded: Cancelled.');
    await expect(page.getByRole('button', { name: 'Cancel referral' }).count()).resolves.toBe(0);
    const read = await hub.api.request('GET', `/v1/referrals/${workedOn}`, { token: probation.planner });
    expect(read.body.status).toBe('cancelled');

    // Enrol: a birth date in the future is refused next to its field, the names typed kept.
    await page.getByRole('link', { name: 'Enrol a participant' }).click();
    await page.getByLabel('Given name(s)').fill('Casey Ann');
    await page.getByLabel('Family name').fill('Brooks');
    await page.getByLabel('Date of birth').fill('2999-01-01');
    await page.getByRole('button', { name: 'Enrol' }).click();
    await expect(page.locator('#birthDate-error').textContent()).resolves.toBe('a birth date in the past');
    await expect(page.getByLabel('Given name(s)').inputValue()).resolves.toBe('Casey Ann');
    await expectAccessible(page);
    await page.getByLabel('Date of birth').fill('2011-06-30');
    await page.getByRole('button', { name: 'Enrol' }).click();
    const enrolled = (await page.getByRole('status').locator('code').textContent())!;
    const participant = await hub.api.request('GET', `/v1/participants/${enrolled}`, { token: probation.planner });
    expect(participant.body).toMatchObject({ name: { given: ['Casey', 'Ann'], family: 'Brooks' }, birthDate: '2011-06-30', minor: true });
    await context.close();
  });
});
