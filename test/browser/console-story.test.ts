import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../support/hub.js';
import { expectAccessible, launchBrowser, newVisitor, screenshot, signIn } from '../support/browser.js';

/**
 * The whole story, as the people in it do it: a planner enrols a minor, the compliance officer
 * records their two-way consent, the planner refers them, the partner works the referral and
 * reports back, and the compliance officer accounts for every disclosure. Only the hub's setup
 * (organisations, staff accounts) goes through the admin API; every step after is the browser.
 */

const PASSWORD = 'correct horse battery staple';
const DAY = 86_400_000;
/** Three desks, about fifteen pages through axe, on a two-core machine shared with other tests. */
const STORY_MS = 240_000;

/** Text that must reach only where consent lets it: each is looked for where it must not be. */
const JUSTICE_TEXT = 'Curfew 8pm; court date STORY-JUSTICE-MARKER';
const PERMITTED_NOTE = 'Viewed two units on the east side';
const WITHHELD_NOTE = 'Mentions panic attacks STORY-MH-MARKER';

let hub: TestHub;
let browser: Browser;
let probation: { id: string };
let housing: { id: string };

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);
const h1 = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
const pathOf = (page: Page) => new URL(page.url()).pathname;

async function staff(organizationId: string, role: string, name: string, email: string) {
  const created = await hub.api.request('POST', '/v1/staff', { token: hub.adminToken, body: { organizationId, role, name, email, password: PASSWORD } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
}

/** A person at their desk: signed in through the form, on the page their role starts on. */
async function desk(email: string, home: string) {
  const visitor = await newVisitor(browser, hub.running.url!);
  // A step that fails names itself, instead of the whole test timing out.
  visitor.page.setDefaultTimeout(15_000);
  await signIn(visitor.page, email, PASSWORD);
  await expect.poll(() => pathOf(visitor.page)).toBe(home);
  return visitor;
}

beforeAll(async () => {
  hub = await startTestHub();
  browser = await launchBrowser();
  probation = await hub.organization({ name: 'County Probation', kind: 'probation', adapter: { type: 'portal' } });
  // A portal partner: it reads referrals in its inbox, so each read is the disclosure the accounting lists.
  housing = await hub.organization({ name: 'Eastside Housing', kind: 'housing', adapter: { type: 'portal' } });
  // Provides another service: the directory filtered by housing must leave it out.
  await hub.organization({ name: 'Riverside Clinic', kind: 'mental_health', adapter: { type: 'portal' } });
  await staff(probation.id, 'planner', 'Pat Moreno', 'pat@probation.example');
  await staff(probation.id, 'compliance', 'Robin Castillo', 'robin@probation.example');
  await staff(housing.id, 'partner', 'Dana Whitfield', 'dana@eastside.example');
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

describe('the whole story, in the browser', () => {
  it('a minor is enrolled, consents both ways with a guardian, is referred, the partner reports back, and every disclosure is accounted for', async () => {
    const birthDate = day(-16 * 365 - 40);

    // 1. The planner enrols the participant. The console's enrol page takes what this story needs:
    //    the birth date makes Casey a minor; the guardian signs on the consent form, not here.
    const planner = await desk('pat@probation.example', '/console/caseload');
    await expect(planner.page.getByText('Your organisation has not sent any referrals yet.').isVisible()).resolves.toBe(true);
    await expectAccessible(planner.page);
    await planner.page.getByRole('link', { name: 'Enrol a participant' }).click();
    await planner.page.getByLabel('Given name(s)').fill('Casey');
    await planner.page.getByLabel('Family name').fill('Brooks');
    await planner.page.getByLabel('Date of birth').fill(birthDate);
    await planner.page.getByRole('button', { name: 'Enrol' }).click();
    await expect(planner.page.getByRole('status').textContent()).resolves.toMatch(/^Enrolled Casey Brooks as /);
    const participantId = (await planner.page.getByRole('status').locator('code').textContent())!;
    await expectAccessible(planner.page);

    // 2. The compliance officer finds Casey and records the consent: Eastside may receive identity,
    //    contact and housing, and may report housing back; nothing else either way.
    const officer = await desk('robin@probation.example', '/console/participants');
    await expectAccessible(officer.page);
    await officer.page.getByLabel('Name (optional)').fill('Brooks');
    await officer.page.getByLabel('Date of birth').fill(birthDate);
    await officer.page.getByRole('button', { name: 'Search' }).click();
    await expect(officer.page.getByRole('heading', { name: '1 participant found' }).isVisible()).resolves.toBe(true);
    await expectAccessible(officer.page);
    await officer.page.getByRole('link', { name: 'Casey Brooks' }).click();
    await expect(h1(officer.page)).resolves.toBe('Consents and court orders');
    await expectAccessible(officer.page);
    await officer.page.getByRole('link', { name: 'Record a consent' }).click();
    await expect(h1(officer.page)).resolves.toBe('Record a consent for Casey Brooks');
    await expect(officer.page.locator('#minor-notice').textContent()).resolves.toContain('is a minor (age 16)');
    await officer.page.locator('#recipients').getByLabel('Eastside Housing').check();
    await officer.page.locator('#purposes').getByLabel('Coordinating services and care').check();
    for (const category of ['Identity', 'Contact details', 'Housing']) await officer.page.locator('#send').getByLabel(category, { exact: true }).check();
    await officer.page.locator('#back').getByLabel('Housing', { exact: true }).check();
    await officer.page.getByLabel('Expires on (optional)').fill(day(365));
    await officer.page.getByRole('button', { name: 'Review' }).click();
    // Without the guardian's signature: the warning, before anything is saved, with the choices kept.
    await expect(officer.page.getByRole('alert').textContent()).resolves.toContain('A guardian’s signature is missing');
    await expect(officer.page.locator('#guardianName-error').isVisible()).resolves.toBe(true);
    await expect(officer.page.locator('#back').getByLabel('Housing', { exact: true }).isChecked()).resolves.toBe(true);
    expect(await hub.db.sql`SELECT 1 FROM consents WHERE participant_id = ${participantId}`).toHaveLength(0);
    await expectAccessible(officer.page);
    await officer.page.getByLabel('Guardian’s name as signed').fill('Maria Brooks');
    await officer.page.getByLabel('Relationship to the participant').fill('mother');
    await officer.page.locator('#guardianSignedOn').fill(day(0));
    await officer.page.getByRole('button', { name: 'Review' }).click();
    await expect(h1(officer.page)).resolves.toBe('Review the consent for Casey Brooks');
    await expect(officer.page.locator('#look-at + ul').textContent()).resolves.toContain('Maria Brooks (mother) signs as guardian');
    await expect(officer.page.locator('ul.rules').textContent()).resolves.toContain('Eastside Housing may report to County Probation');
    expect(await hub.db.sql`SELECT 1 FROM consents WHERE participant_id = ${participantId}`).toHaveLength(0);
    await expectAccessible(officer.page);
    await officer.page.getByRole('button', { name: 'Record consent' }).click();
    await expect(officer.page.getByRole('status').textContent()).resolves.toContain('Consent recorded as');
    await expectAccessible(officer.page);

    // 3. The planner, still on the enrolment's confirmation, refers Casey to a housing partner.
    await planner.page.getByRole('link', { name: 'Refer Casey Brooks' }).click();
    await expect(h1(planner.page)).resolves.toBe('Refer Casey Brooks');
    await planner.page.getByLabel('Service needed').selectOption('housing');
    await planner.page.getByRole('button', { name: 'Show partners' }).click();
    await expect(planner.page.getByRole('radio', { name: /Riverside Clinic/ }).count()).resolves.toBe(0);
    await planner.page.getByRole('radio', { name: /Eastside Housing/ }).check();
    await planner.page.getByLabel('Reason for referral').fill('Needs stable housing before the release review');
    await planner.page.getByLabel(/^Identity:/).check();
    await planner.page.getByLabel('Contact', { exact: true }).fill('Lives with her mother; phone 555-0142');
    await planner.page.getByLabel('Housing', { exact: true }).fill('Family may lose its tenancy in March');
    // Justice involvement is in no consent Eastside has: it must stay at the hub.
    await planner.page.getByLabel('Justice', { exact: true }).fill(JUSTICE_TEXT);
    await expectAccessible(planner.page);
    await planner.page.getByRole('button', { name: 'Preview what the partner will see' }).click();
    await expect(planner.page.getByRole('heading', { name: 'What Eastside Housing will see' }).isVisible()).resolves.toBe(true);
    const preview = Object.fromEntries(await planner.page.locator('#preview-heading ~ table tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')!.textContent!, tr.querySelector('td')!.textContent!])));
    expect(preview).toMatchObject({ Identity: 'Will be shared', Contact: 'Will be shared', Housing: 'Will be shared' });
    // Withheld, with the consent decision's reason in words.
    expect(preview.Justice).toMatch(/^Withheld — \S/);
    await expect(planner.page.locator('#preview-heading').locator('..').textContent()).resolves.not.toContain('STORY-JUSTICE-MARKER');
    await expectAccessible(planner.page);
    await planner.page.getByRole('button', { name: 'Send referral' }).click();
    await expect(planner.page.getByRole('status').textContent()).resolves.toBe('Recorded: Sent.');
    const referralId = pathOf(planner.page).split('/').pop()!;
    await expectAccessible(planner.page);

    // 4. The partner's staff member: the referral arrives in the inbox once the hub has delivered it.
    const partner = await desk('dana@eastside.example', '/console/inbox');
    const row = partner.page.getByRole('row', { name: /Casey Brooks/ });
    await expect.poll(async () => {
      await partner.page.reload();
      return row.count();
    }, { timeout: 20_000 }).toBe(1);
    await expect(row.getByText('New').isVisible()).resolves.toBe(true);
    await expectAccessible(partner.page);
    await partner.page.getByRole('link', { name: 'Casey Brooks' }).click();
    await expect(h1(partner.page)).resolves.toBe('Referral for Housing');
    await expect(partner.page.locator('section[aria-labelledby^="section-"] h3').allTextContents()).resolves.toEqual(['Identity', 'Contact', 'Housing']);
    await expect(partner.page.getByText('Lives with her mother; phone 555-0142').isVisible()).resolves.toBe(true);
    expect(await partner.page.content()).not.toContain('STORY-JUSTICE-MARKER');
    await expectAccessible(partner.page);
    await partner.page.getByRole('button', { name: 'Mark received' }).click();
    await expect(partner.page.getByRole('status').textContent()).resolves.toBe('Recorded: Received.');
    await partner.page.getByRole('button', { name: 'Accept', exact: true }).click();
    await expect(partner.page.getByRole('status').textContent()).resolves.toBe('Recorded: Accepted.');
    // One note of a category the reverse consent permits (housing), one it does not (mental health).
    await partner.page.getByLabel('What it is about').selectOption('housing');
    await partner.page.getByLabel('Note').fill(PERMITTED_NOTE);
    await partner.page.getByRole('button', { name: 'Post note' }).click();
    await expect(partner.page.getByRole('status').textContent()).resolves.toBe('Recorded: Progress note.');
    await partner.page.getByLabel('What it is about').selectOption('mental_health');
    await partner.page.getByLabel('Note').fill(WITHHELD_NOTE);
    await partner.page.getByRole('button', { name: 'Post note' }).click();
    await expect(partner.page.getByRole('status').textContent()).resolves.toBe('Recorded: Progress note.');

    // 5. The planner's referral page: accepted, the housing note in full, the other note's entry without its text.
    await planner.page.getByRole('link', { name: 'Caseload', exact: true }).click();
    await planner.page.getByRole('link', { name: referralId }).click();
    const facts = await planner.page.locator('main > dl.fields').evaluate((dl) =>
      Object.fromEntries([...dl.querySelectorAll('dt')].map((dt) => [dt.textContent!, dt.nextElementSibling!.textContent!])));
    // The partner by its name, as the planner chose it (the page once showed only its id).
    expect(facts).toMatchObject({ Status: 'Accepted', Partner: `Eastside Housing (${housing.id})` });
    const timeline = await planner.page.locator('ol.card li').allTextContents();
    expect(timeline).toEqual(expect.arrayContaining([expect.stringContaining('Accepted'), expect.stringContaining(`Housing ${PERMITTED_NOTE}`)]));
    const notes = timeline.filter((entry) => entry.includes('Progress note'));
    expect(notes).toHaveLength(2);
    expect(notes[1]).toContain('A note was posted; no consent lets your organisation see it.');
    expect(await planner.page.content()).not.toContain('STORY-MH-MARKER');
    await expectAccessible(planner.page);

    // 6. The compliance officer's accounting: what Eastside read (as the consent allowed) and the note shown back.
    await officer.page.getByRole('link', { name: 'Back to the participant' }).click();
    await officer.page.getByRole('link', { name: 'Accounting of disclosures' }).click();
    await expect(officer.page.getByRole('row', { name: /Read by the partner/ }).first().textContent()).resolves.toContain('Eastside Housing');
    await expect(officer.page.getByRole('row', { name: /A partner’s report shown to the referrer/ }).count()).resolves.toBe(1);
    await expectAccessible(officer.page);
    const [download] = await Promise.all([officer.page.waitForEvent('download'), officer.page.getByRole('link', { name: 'Download as CSV' }).click()]);
    const csv = await readFile((await download.path())!, 'utf8');
    const [header, ...lines] = csv.trim().split('\r\n');
    expect(header).toBe('at,recipientOrganizationId,referralId,channel,purpose,categories,basisIds,basisKinds');
    const rows = lines.map((line) => {
      const [, recipient, referral, channel, purpose, categories] = line.split(',');
      return { recipient, referral, channel, purpose, categories: categories!.split(' ').sort() };
    });
    // A portal partner pulls: its delivery is its reading the referral, recorded as it reads.
    const toPartner = rows.filter((r) => r.recipient === housing.id);
    expect(toPartner.length).toBeGreaterThan(0);
    for (const r of toPartner) {
      expect(r).toMatchObject({ referral: referralId, channel: 'read', purpose: 'care_coordination' });
      expect(['contact', 'housing', 'identity']).toEqual(expect.arrayContaining(r.categories));
    }
    // The referral page itself showed identity, contact and housing; justice never went.
    expect(toPartner.map((r) => r.categories.join(' '))).toContain('contact housing identity');
    // The reverse disclosure: the housing note shown to probation, and only it.
    expect(rows.filter((r) => r.recipient === probation.id)).toEqual([
      { recipient: probation.id, referral: referralId, channel: 'status', purpose: 'care_coordination', categories: ['housing'] },
    ]);

    // The planner's caseload at the end of the day, as the README shows it.
    await planner.page.getByRole('link', { name: 'Caseload', exact: true }).click();
    await expect(planner.page.getByRole('row', { name: new RegExp(referralId) }).getByRole('cell', { name: 'Accepted' }).count()).resolves.toBe(1);
    await expectAccessible(planner.page);
    await screenshot(planner.page, 'planner-caseload');

    for (const visitor of [planner, officer, partner]) await visitor.context.close();
  }, STORY_MS);
});
