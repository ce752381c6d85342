import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DATA_CATEGORIES } from '../../schemas/vocabulary.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { agency, portalPartner, referralInput, type Agency } from '../support/scenario.js';
import { permitConsent } from '../support/fixtures.js';
import { webhookPartner, type WebhookPartner } from '../support/delivery.js';
import { eventually } from '../support/hub.js';
import { expectAccessible, launchBrowser, newVisitor, screenshot, signIn, PASSWORD } from '../support/browser.js';

let hub: TestHub;
let browser: Browser;
let probation: Agency;
/** Another agency, whose participant happens to share Jordan Rivera's name and birth date. */
let metro: Agency;
/** A partner the hub pushes referrals to, so each delivery is a disclosure of its own. */
let housing: WebhookPartner;
/** A portal partner no basis names. */
let clinic: { id: string; token: string };
let referralId: string;

async function compliance(organizationId: string, email: string, name: string) {
  const created = await hub.api.request('POST', '/v1/staff', { token: hub.adminToken, body: { organizationId, role: 'compliance', name, email, password: PASSWORD } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: string };
}

type Decision = { permitted: string[]; denied: { category: string; reason: string }[]; bases: Record<string, string[]> };

/** What a matrix cell says, as the verdict and the explanation under it. */
async function cell(page: Page, direction: 'receive' | 'reportBack', organizationId: string, category: string) {
  const td = page.locator(`td[data-direction="${direction}"][data-organization="${organizationId}"][data-category="${category}"]`);
  return { verdict: await td.locator('.verdict').textContent(), why: (await td.locator('.why').textContent())?.trim() };
}

/** The cell the API's decision calls for: permitted under its bases, or denied with its reason. */
const expectedCell = (decision: Decision, category: string) =>
  decision.permitted.includes(category)
    ? { verdict: '✓ Permitted', why: `under ${decision.bases[category]!.join(', ')}` }
    : { verdict: '✕ Denied', why: decision.denied.find((d) => d.category === category)!.reason };

beforeAll(async () => {
  hub = await startTestHub();
  browser = await launchBrowser();
  probation = await agency(hub, 'County Probation');
  metro = await agency(hub, 'Metro Probation');
  housing = await webhookPartner(hub, 'Eastside Housing');
  clinic = await portalPartner(hub, 'Riverside Clinic');
  // The reverse direction: housing may report housing notes back to probation.
  const back = await hub.api.request('POST', '/v1/consents', {
    token: probation.compliance,
    body: {
      ...permitConsent(probation.participantId, probation.id, []),
      provision: { type: 'permit', actors: [{ role: 'source', organizationId: housing.id }, { role: 'recipient', organizationId: probation.id }], purposes: ['care_coordination'], categories: ['housing'] },
    },
  });
  expect(back.status, JSON.stringify(back.body)).toBe(201);
  const consent = await hub.api.request('POST', '/v1/consents', { token: probation.compliance, body: permitConsent(probation.participantId, housing.id, ['identity', 'housing']) });
  expect(consent.status, JSON.stringify(consent.body)).toBe(201);
  const created = await hub.api.request('POST', '/v1/referrals', { token: probation.planner, body: referralInput(probation.participantId, housing.id) });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  referralId = created.body.id;
  await eventually(async () => ((await hub.api.request('GET', `/v1/referrals/${referralId}`, { token: probation.planner })).body.status === 'delivered' ? true : undefined), 10_000, 'delivery');
});
afterAll(async () => {
  await browser?.close();
  await housing?.receiver.close();
  await hub?.stop();
  await hub?.db.drop();
});

describe("the compliance officer's pages", () => {
  it('finds the participant, shows their bases, an access matrix that is the API’s decision, the accounting as CSV and on paper, and the audit chain', async () => {
    const officer = await compliance(probation.id, 'robin@probation.example', 'Robin Hale');
    const { context, page } = await newVisitor(browser, hub.running.url!);
    // A step that fails names itself, instead of the whole test timing out.
    page.setDefaultTimeout(15_000);
    await signIn(page, 'robin@probation.example', PASSWORD);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/console/participants');
    await expectAccessible(page);

    // A name alone is not searched (names are encrypted): the error is next to the date field.
    await page.getByLabel('Name (optional)').fill('jordan');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.locator('#birthDate-error').textContent()).resolves.toContain('add the date of birth');
    await expect(page.getByLabel('Name (optional)').inputValue()).resolves.toBe('jordan');
    await expectAccessible(page);

    // Metro's Jordan Rivera has the same name and birth date, and is not among the results.
    await page.getByLabel('Date of birth').fill('1990-04-12');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByRole('heading', { name: '1 participant found' }).isVisible()).resolves.toBe(true);
    // What was typed is posted, never put in the address (history, proxy logs).
    expect(new URL(page.url()).search).toBe('');
    expect(page.url()).not.toContain('1990-04-12');
    await expect(page.getByRole('link', { name: 'Jordan Rivera' }).getAttribute('href')).resolves.toBe(`/console/participants/${probation.participantId}`);
    await page.getByRole('link', { name: 'Jordan Rivera' }).click();

    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Consents and court orders');
    const consents = await hub.api.request('GET', `/v1/consents?participantId=${probation.participantId}`, { token: probation.compliance });
    const ids = (consents.body.items as { id: string }[]).map((c) => c.id);
    expect(ids).toHaveLength(2);
    await expect(page.locator('section[aria-labelledby="consents"] article').count()).resolves.toBe(2);
    for (const id of ids) {
      await expect(page.getByRole('link', { name: `Revoke consent ${id}` }).getAttribute('href')).resolves.toBe(`/console/consents/${id}/revoke`);
    }
    await expect(page.getByRole('link', { name: 'Record a consent' }).getAttribute('href')).resolves.toBe(`/console/participants/${probation.participantId}/consents/new`);
    // The directions in words: the reverse consent names housing as the one reporting back.
    await expect(page.getByText('(data they report back)').count()).resolves.toBe(1);
    await expectAccessible(page);
    await screenshot(page, 'compliance-participant');

    await page.getByRole('link', { name: 'Access matrix' }).click();
    await expect(page.getByRole('table', { name: /may receive from County Probation/ }).isVisible()).resolves.toBe(true);
    const receive = (await hub.api.request('GET', `/v1/participants/${probation.participantId}/access?recipient=${housing.id}&purpose=care_coordination`, { token: probation.compliance })).body as Decision;
    const reportBack = (await hub.api.request('GET', `/v1/participants/${probation.participantId}/access?recipient=${probation.id}&source=${housing.id}&purpose=care_coordination`, { token: probation.compliance })).body as Decision;
    expect(receive.permitted.sort()).toEqual(['housing', 'identity']);
    expect(reportBack.permitted).toEqual(['housing']);
    for (const category of DATA_CATEGORIES) {
      expect(await cell(page, 'receive', housing.id, category), category).toEqual(expectedCell(receive, category));
      expect(await cell(page, 'reportBack', housing.id, category), category).toEqual(expectedCell(reportBack, category));
    }
    await expectAccessible(page);
    await screenshot(page, 'compliance-access-matrix');

    // An organisation no basis names can be asked about by its id: everything is denied to it.
    await page.getByLabel(/Also ask about an organisation/).fill(clinic.id);
    await page.getByRole('button', { name: 'Show' }).click();
    const toClinic = (await hub.api.request('GET', `/v1/participants/${probation.participantId}/access?recipient=${clinic.id}&purpose=care_coordination`, { token: probation.compliance })).body as Decision;
    expect(toClinic.permitted).toEqual([]);
    expect(await cell(page, 'receive', clinic.id, 'identity')).toEqual(expectedCell(toClinic, 'identity'));
    await page.getByLabel(/Also ask about an organisation/).fill('org_NoSuchOrganization0000');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect(page.locator('#also-error').textContent()).resolves.toBe('no organisation has this id');
    await expectAccessible(page);

    // Another purpose is another decision: nothing permits court reporting.
    await page.getByLabel(/Also ask about an organisation/).fill('');
    await page.getByLabel('Purpose').selectOption('court_reporting');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect(cell(page, 'receive', housing.id, 'identity')).resolves.toMatchObject({ verdict: '✕ Denied' });

    await page.getByRole('link', { name: 'Accounting of disclosures' }).click();
    const delivery = page.getByRole('row', { name: /Sent with a referral/ });
    await expect(delivery.textContent()).resolves.toContain(referralId);
    await expect(delivery.textContent()).resolves.toContain('Eastside Housing');
    await expectAccessible(page);
    await screenshot(page, 'compliance-disclosures');
    // The API's filters: a channel nothing went through shows nothing; dates the wrong way round are refused next to the field.
    await page.getByLabel('How').selectOption('read');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page.getByText('No disclosure matches these filters.').isVisible()).resolves.toBe(true);
    await page.getByLabel('From (date)').fill('2030-01-02');
    await page.getByLabel('To (date, included)').fill('2030-01-01');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page.locator('#to-error').textContent()).resolves.toBe('the end date is before the start date');
    await expectAccessible(page);
    await page.getByLabel('From (date)').fill('');
    await page.getByLabel('To (date, included)').fill(new Date().toISOString().slice(0, 10));
    await page.getByLabel('How').selectOption('delivery');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page.getByRole('row', { name: /Sent with a referral/ }).count()).resolves.toBe(1);

    // The CSV is the API's, for the same filter, as a download.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download as CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`disclosures-${probation.participantId}.csv`);
    const csv = await readFile((await download.path())!, 'utf8');
    const api = await hub.api.request('GET', `/v1/participants/${probation.participantId}/disclosures?channel=delivery`, { token: probation.compliance, headers: { accept: 'text/csv' } });
    expect(csv).toBe(api.body);
    const lines = csv.trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`,${housing.id},${referralId},delivery,care_coordination,`);

    // The version for the participant: who keeps it, whose it is, the period; no console around it.
    await page.getByRole('link', { name: 'Version to print for the participant' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Accounting of disclosures');
    await expect(page.locator('main').textContent()).resolves.toContain('Kept byCounty Probation, on the Referral hub');
    await expect(page.getByRole('navigation').count()).resolves.toBe(0);
    await expect(page.getByRole('row', { name: /Sent with a referral/ }).count()).resolves.toBe(1);
    await expectAccessible(page);
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('.no-print').isVisible()).resolves.toBe(false);
    await page.emulateMedia({ media: 'screen' });

    await page.goto('/console/audit');
    await page.getByRole('button', { name: 'Verify now' }).click();
    await expect.poll(() => page.getByRole('definition').filter({ hasText: /, by you$/ }).count()).toBe(1);
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/^✓ Intact\. Every one of the \d+ chained entries/);
    const head = (await page.locator('dd code').textContent())!;
    // The head named is the newest chained entry's hash.
    expect(await hub.db.sql`SELECT 1 FROM audit_log WHERE hash = ${head}`).toHaveLength(1);
    await expectAccessible(page);
    await screenshot(page, 'compliance-audit');

    // A sealed entry changed behind the hub's back: the page still shows the last walk, with its
    // time and who ran it, and the next walk finds the break.
    const [tampered] = await hub.db.sql<{ seq: string; action: string }[]>`SELECT seq, action FROM audit_log WHERE hash IS NOT NULL ORDER BY chain_pos LIMIT 1 OFFSET 2`;
    const setAction = (action: string) =>
      hub.db.sql.begin(async (tx) => {
        await tx.unsafe('ALTER TABLE audit_log DISABLE TRIGGER audit_append_only');
        await tx`UPDATE audit_log SET action = ${action} WHERE seq = ${tampered!.seq}`;
        await tx.unsafe('ALTER TABLE audit_log ENABLE TRIGGER audit_append_only');
      });
    await setAction('nothing.to.see');
    await page.goto('/console/audit');
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/^✓ Intact\./);
    await page.getByRole('button', { name: 'Verify now' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain(`The chain breaks at entry ${tampered!.seq}`);
    await screenshot(page, 'compliance-audit-broken');
    // Put back as it was, for the pages after this one: the entry's hash holds again.
    await setAction(tampered!.action);
    await page.getByRole('button', { name: 'Verify now' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/^✓ Intact\./);

    // Every page was audited under the officer's name, as the API audits the same reads.
    const audit = await hub.db.sql<{ action: string }[]>`SELECT DISTINCT action FROM audit_log WHERE actor = ${`staff:${officer.id}`}`;
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['participants.searched', 'participant.read', 'console.access.viewed', 'disclosures.read', 'console.audit.verified']));
    // The search is recorded with the criteria used, never the name typed.
    const searches = await hub.db.sql<{ detail: { criteria: string[] } }[]>`SELECT detail FROM audit_log WHERE actor = ${`staff:${officer.id}`} AND action = 'participants.searched'`;
    expect(searches.map((s) => s.detail.criteria)).toContainEqual(['name', 'birthDate']);
    expect(JSON.stringify(searches)).not.toContain('jordan');
    await context.close();
    // Eight pages through axe on a shared two-core machine: more than the default 30 s.
  }, 120_000);

  it("does not show another organisation's participant to its compliance officer (404), nor find them", async () => {
    await compliance(metro.id, 'sam@metro.example', 'Sam Ortiz');
    const { context, page } = await newVisitor(browser, hub.running.url!);
    await signIn(page, 'sam@metro.example', PASSWORD);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/console/participants');
    for (const path of ['', '/access', '/disclosures']) {
      const answer = await page.goto(`/console/participants/${probation.participantId}${path}`);
      expect(answer?.status(), path).toBe(404);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Not found');
    }
    expect((await context.request.get(`/console/participants/${probation.participantId}/disclosures.csv`)).status()).toBe(404);
    await page.goto('/console/participants');
    await page.getByLabel('Case number or participant id').fill(probation.participantId);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByRole('heading', { name: 'No participant matches' }).isVisible()).resolves.toBe(true);
    await page.getByLabel('Case number or participant id').fill('');
    await page.getByLabel('Date of birth').fill('1990-04-12');
    await page.getByLabel('Name (optional)').fill('Rivera');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByRole('link', { name: 'Jordan Rivera' }).getAttribute('href')).resolves.toBe(`/console/participants/${metro.participantId}`);
    await context.close();
  });

  it('keeps its pages to compliance officers (a partner is refused in words); the audit check also to admins, as the API does', async () => {
    await hub.api.request('POST', '/v1/staff', { token: hub.adminToken, body: { organizationId: clinic.id, role: 'partner', name: 'Rae Olsen', email: 'rae@riverside.example', password: PASSWORD } });
    const { context, page } = await newVisitor(browser, hub.running.url!);
    await signIn(page, 'rae@riverside.example', PASSWORD);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/console/inbox');
    const answer = await page.goto(`/console/participants/${probation.participantId}/access`);
    expect(answer?.status()).toBe(403);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('compliance officers');
    expect((await page.goto('/console/audit'))?.status()).toBe(403);
    await context.close();

    // As GET /v1/audit/verify, an admin may check the chain too.
    await hub.api.request('POST', '/v1/staff', { token: hub.adminToken, body: { role: 'admin', name: 'Alex Admin', email: 'alex@hub.example', password: PASSWORD } });
    const admin = await newVisitor(browser, hub.running.url!);
    await signIn(admin.page, 'alex@hub.example', PASSWORD);
    await expect.poll(() => new URL(admin.page.url()).pathname).not.toBe('/console/sign-in');
    expect((await admin.page.goto('/console/audit'))?.status()).toBe(200);
    await expect(admin.page.getByRole('status').textContent()).resolves.toMatch(/^✓ Intact\./);
    await admin.context.close();
  });
});
