import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { permitConsent } from '../support/fixtures.js';
import { portalPartner, referralInput } from '../support/scenario.js';
import { expectAccessible, launchBrowser, newVisitor, screenshot, signIn, PASSWORD, staffAccount } from '../support/browser.js';

const CONNECTED = ['received', 'accepted', 'in_progress'];
const FIELDS = ['referred', 'connected', 'completed', 'rejected', 'slaBreaches'] as const;

/**
 * Housing referrals over three months of 2025, each person referred once: March 12 people, all
 * connected; April 3 men, all connected (a small month); May 15 people, 13 connected. June has
 * nobody. The referrals go through the API; only their creation day is moved into the past.
 */
const MONTHS = [
  { day: '2025-03-14T10:00:00Z', people: Array.from({ length: 12 }, () => ({ gender: 'female', events: CONNECTED })) },
  { day: '2025-04-09T10:00:00Z', people: Array.from({ length: 3 }, () => ({ gender: 'male', events: CONNECTED })) },
  { day: '2025-05-20T10:00:00Z', people: Array.from({ length: 15 }, (_, i) => ({ gender: 'female', events: i < 13 ? CONNECTED : ['received'] })) },
];
const PERIOD = { from: '2025-03', to: '2025-06' };
const BIRTH_DATE = '1988-02-29';

let hub: TestHub;
let browser: Browser;
let manager: string;
let probationId: string;
const participantIds: string[] = [];

const staff = (input: Record<string, unknown>) => staffAccount(hub, input);

const apiReport = (from: string, to: string, groupBy = 'none', headers: Record<string, string> = {}) =>
  hub.api.request('GET', `/v1/reports/indicators?from=${from}&to=${to}&groupBy=${groupBy}`, { token: manager, headers });

/** The table's body rows as text, keyed by their row header. */
async function tableRows(page: Page, selector: string): Promise<Map<string, string[]>> {
  const rows = await page.locator(`${selector} tbody tr, ${selector} tfoot tr`).evaluateAll((trs) =>
    trs.map((tr) => [tr.querySelector('th')!.textContent!.trim(), [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())] as const));
  return new Map(rows.map(([k, v]) => [k, [...v]]));
}
const shown = (value: number | null) => (value === null ? 'suppressed' : value.toLocaleString('en-US'));

beforeAll(async () => {
  hub = await startTestHub();
  browser = await launchBrowser();
  const probation = await hub.organization({ name: 'County Probation', kind: 'probation', adapter: { type: 'portal' } }, 'planner');
  probationId = probation.id;
  const compliance = await hub.client(probation.id, 'compliance');
  manager = await hub.client(probation.id, 'manager');
  const partner = await portalPartner(hub, 'Eastside Housing');
  let n = 0;
  for (const month of MONTHS) {
    for (const person of month.people) {
      const enrolled = await hub.api.request('POST', '/v1/participants', {
        token: probation.token, body: { name: { given: [`Quill${n++}`], family: 'Zephyrine' }, birthDate: BIRTH_DATE, gender: person.gender, race: ['white'] },
      });
      expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(201);
      participantIds.push(enrolled.body.id);
      expect((await hub.api.request('POST', '/v1/consents', { token: compliance, body: permitConsent(enrolled.body.id, partner.id, ['identity', 'housing']) })).status).toBe(201);
      const referral = await hub.api.request('POST', '/v1/referrals', { token: probation.token, body: referralInput(enrolled.body.id, partner.id) });
      expect(referral.status, JSON.stringify(referral.body)).toBe(201);
      const id = referral.body.id as string;
      await eventually(async () => ((await hub.api.request('GET', `/v1/referrals/${id}`, { token: partner.token })).status === 200 ? true : undefined), 10_000, 'delivery');
      for (const type of person.events) expect((await hub.api.request('POST', `/v1/referrals/${id}/events`, { token: partner.token, body: { type } })).status).toBe(201);
      await hub.db.sql`UPDATE referrals SET created_at = ${month.day}::timestamptz WHERE id = ${id}`;
    }
  }
  const target = await hub.api.request('POST', '/v1/targets', { token: manager, body: { service: 'housing', period: { start: '2025-01-01', end: '2026-01-01' }, baseline: 40, target: 60 } });
  expect(target.status, JSON.stringify(target.body)).toBe(201);
  await staff({ organizationId: probation.id, role: 'manager', name: 'Mo Grant', email: 'mo@probation.example' });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

describe('the program manager’s dashboard', () => {
  it('shows each month as the API reports that month, withholds the small month, and draws it as no zero', async () => {
    const { context, page } = await newVisitor(browser, hub.running.url!);
    await signIn(page, 'mo@probation.example', PASSWORD);
    // A manager starts the day on the dashboard.
    await expect.poll(() => new URL(page.url()).pathname).toBe('/console/dashboard');
    await page.getByLabel('From (month)').fill(PERIOD.from);
    await page.getByLabel('To (month, included)').fill(PERIOD.to);
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('from')).toBe(PERIOD.from);

    const rows = await tableRows(page, '#table-housing');
    expect([...rows.keys()]).toEqual(['March 2025', 'April 2025', 'May 2025', 'June 2025', 'Whole period']);
    const monthBounds = [['2025-03-01', '2025-04-01'], ['2025-04-01', '2025-05-01'], ['2025-05-01', '2025-06-01'], ['2025-06-01', '2025-07-01']] as const;
    const companions: string[] = [];
    for (const [i, [from, to]] of monthBounds.entries()) {
      const api = (await apiReport(from, to)).body.rows.find((r: { service: string }) => r.service === 'housing');
      const cells = rows.get([...rows.keys()][i]!)!;
      for (const [f, field] of FIELDS.entries()) {
        const expected = api ? api[field] : 0;
        // What the month's report withholds, the dashboard withholds; what it publishes, the
        // dashboard shows the same, unless withheld with another month (a companion).
        if (expected === null || cells[f] === shown(expected)) expect(cells[f], `${from} ${field}`).toBe(shown(expected));
        else {
          expect(cells[f], `${from} ${field}`).toBe('suppressed');
          companions.push(`${from} ${field}`);
        }
      }
    }
    // April's 3 people are withheld in both; March's 12 go with them, or April would be the period's total minus the rest.
    expect(rows.get('April 2025')!.slice(0, 2)).toEqual(['suppressed', 'suppressed']);
    expect(companions).toEqual(['2025-03-01 referred', '2025-03-01 connected']);
    expect(rows.get('May 2025')!.slice(0, 2)).toEqual(['15', '13']);
    expect(rows.get('June 2025')!.slice(0, 2)).toEqual(['0', '0']);

    // Connected so far: 12 after March, withheld after April (a rise of 3), then 28; the period's total is the API's.
    const period = (await apiReport('2025-03-01', '2025-07-01')).body.rows.find((r: { service: string }) => r.service === 'housing');
    expect(period).toMatchObject({ referred: 30, connected: 28, target: 60, baseline: 40 });
    expect([...rows.values()].map((r) => r[5])).toEqual(['12', 'suppressed', '28', '28', '28']);
    expect(rows.get('Whole period')!.slice(0, 2)).toEqual(['30', '28']);
    expect(rows.get('Whole period')![6]).toBe(`${((28 / 60) * 100).toFixed(1)}%`);

    // The charts: described images, with a hatched marker (not a bar of zero) for each withheld month.
    const bars = page.locator('svg[aria-labelledby^="chart-housing-monthly"]');
    await expect(bars.getAttribute('role')).resolves.toBe('img');
    await expect(page.locator('#chart-housing-monthly-title').textContent()).resolves.toBe('Housing: people connected per month');
    await expect(page.locator('#chart-housing-monthly-desc').textContent()).resolves.toContain('2 months are withheld');
    await expect(bars.locator('rect.withheld').count()).resolves.toBe(2);
    await expect(bars.locator('rect.bar').count()).resolves.toBe(2);
    const line = page.locator('svg[aria-labelledby^="chart-housing-so-far"]');
    await expect(line.locator('rect.withheld').count()).resolves.toBe(1);
    await expect(line.locator('.reference.target text').textContent()).resolves.toBe('Target 60');

    // Aggregates only: no participant's name, id or date of birth anywhere on the page.
    const html = await page.content();
    for (const id of participantIds) expect(html).not.toContain(id);
    for (const text of ['Zephyrine', 'Quill', 'Rivera', 'Jordan', BIRTH_DATE, '1990-04-12']) expect(html).not.toContain(text);
    await expect(page.getByText('Every count from 1 to 10 people is withheld', { exact: false }).first().isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshot(page, 'manager-dashboard');

    // Reading the dashboard is audited as the staff member, like the API's read.
    const [staffRow] = await hub.db.sql<{ id: string }[]>`SELECT id FROM staff WHERE email = 'mo@probation.example'`;
    const audited = await hub.db.sql<{ detail: Record<string, string> }[]>`SELECT detail FROM audit_log WHERE action = 'report.indicators.read' AND actor = ${`staff:${staffRow!.id}`}`;
    expect(audited.map((a) => a.detail)).toContainEqual({ from: '2025-03-01T00:00:00.000Z', to: '2025-07-01T00:00:00.000Z', groupBy: 'none', interval: 'month' });
    await context.close();
  });

  it('opens on this year by the hub’s clock, leaving the months not begun empty rather than zero', async () => {
    hub.clock.set(new Date('2025-05-10T12:00:00Z'));
    try {
      const { context, page } = await newVisitor(browser, hub.running.url!);
      await signIn(page, 'mo@probation.example', PASSWORD);
      await expect.poll(() => new URL(page.url()).pathname).toBe('/console/dashboard');
      await expect(page.getByLabel('From (month)').inputValue()).resolves.toBe('2025-01');
      await expect(page.getByLabel('To (month, included)').inputValue()).resolves.toBe('2025-12');
      const rows = await tableRows(page, '#table-housing');
      expect(rows.get('February 2025')!.slice(0, 2)).toEqual(['0', '0']);
      expect(rows.get('May 2025')!.slice(0, 2)).toEqual(['15', '13']);
      for (const month of ['June 2025', 'September 2025', 'December 2025']) expect(rows.get(month), month).toEqual(['not begun yet']);
      const bars = page.locator('svg[aria-labelledby^="chart-housing-monthly"]');
      // Five months begun: bars for January, February (both of height zero) and May, markers for March and April, nothing after.
      await expect(bars.locator('rect.bar').count()).resolves.toBe(3);
      await expect(bars.locator('rect.withheld').count()).resolves.toBe(2);
      await expect(page.locator('#chart-housing-monthly-desc').textContent()).resolves.toContain('The last 7 months have not begun');
      await context.close();
    } finally {
      hub.clock.reset();
    }
  });

  it('disaggregates by the grouping chosen, withholding the small group, and downloads the API’s CSV', async () => {
    const { context, page } = await newVisitor(browser, hub.running.url!);
    await signIn(page, 'mo@probation.example', PASSWORD);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/console/dashboard');
    await page.goto(`/console/dashboard?from=${PERIOD.from}&to=${PERIOD.to}`);
    await page.getByLabel('Disaggregate by').selectOption('gender');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('groupBy')).toBe('gender');

    const byGender = await tableRows(page, '#groups-housing');
    const api = new Map<string, Record<string, number | null>>((await apiReport('2025-03-01', '2025-07-01', 'gender')).body.rows.map((r: { group: string }) => [r.group, r]));
    // The 3 men are withheld (and the women with them, or the men would be the total minus the women).
    expect(byGender.get('Male')!.slice(0, 2)).toEqual(['suppressed', 'suppressed']);
    expect(byGender.get('Female')![0]).toBe('suppressed');
    for (const [group, label] of [['female', 'Female'], ['male', 'Male'], ['nonbinary', 'Nonbinary'], ['undisclosed', 'Undisclosed']] as const) {
      expect(byGender.get(label)!.slice(0, 5), group).toEqual(FIELDS.map((f) => shown(api.get(group)![f]!)));
    }

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('indicators-gender-2025-03-01-2025-07-01.csv');
    const csv = await readFile((await file.path())!, 'utf8');
    const fromApi = await apiReport('2025-03-01', '2025-07-01', 'gender', { accept: 'text/csv' });
    expect(csv).toBe(fromApi.body);
    expect(csv).toContain('housing,male,,,0,0,0,,,,,,referred connected');
    for (const id of participantIds) expect(csv).not.toContain(id);
    await expectAccessible(page);

    // Partners by name, as the manager may read the directory.
    await page.getByLabel('Disaggregate by').selectOption('partner');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('groupBy')).toBe('partner');
    expect((await tableRows(page, '#groups-housing')).get('Eastside Housing')!.slice(0, 2)).toEqual(['30', '28']);
    await context.close();
  });

  it('prints with the period, the protection rules, the charts and the tables, without the console around them', async () => {
    const { context, page } = await newVisitor(browser, hub.running.url!);
    await signIn(page, 'mo@probation.example', PASSWORD);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/console/dashboard');
    await page.goto(`/console/dashboard?from=${PERIOD.from}&to=${PERIOD.to}&groupBy=race&print=1`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Outcome indicators, March 2025 to June 2025');
    await expect(page.locator('header.bar').count()).resolves.toBe(0);
    await expect(page.locator('form').count()).resolves.toBe(0);
    await expect(page.getByText('alone or in combination', { exact: false }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('Every count from 1 to 10 people is withheld', { exact: false }).isVisible()).resolves.toBe(true);
    await expect(page.locator('svg.chart').count()).resolves.toBe(2);
    await expect(page.locator('#groups-housing caption').textContent()).resolves.toBe('Housing: by race and ethnicity');
    const byRace = await tableRows(page, '#groups-housing');
    expect([...byRace.keys()]).toEqual(expect.arrayContaining(['Black or African American', 'Middle Eastern or North African', 'Multiracial', 'Undisclosed']));
    expect(byRace.get('White')!.slice(0, 2)).toEqual(['30', '28']);
    await expectAccessible(page);
    // As printed: the PDF renders.
    expect((await page.pdf()).length).toBeGreaterThan(1000);
    await context.close();
  });

  it('says in words what is wrong with a period, and shows the dashboard to managers and compliance officers only, as the API lets them read the report', async () => {
    const { context, page } = await newVisitor(browser, hub.running.url!);
    await signIn(page, 'mo@probation.example', PASSWORD);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/console/dashboard');
    const bad = await page.goto('/console/dashboard?from=2025-06&to=2025-03');
    expect(bad?.status()).toBe(400);
    await expect(page.locator('#to-error').textContent()).resolves.toBe('The last month must be the first month or after it.');
    await expect(page.getByLabel('To (month, included)').getAttribute('aria-describedby')).resolves.toBe('to-error');
    await expect(page.locator('svg.chart').count()).resolves.toBe(0);
    expect((await page.goto('/console/dashboard?from=2023-01&to=2025-06'))?.status()).toBe(400);
    await expect(page.locator('#to-error').textContent()).resolves.toContain('at most 24 months');
    await expectAccessible(page);
    // A manager reads figures, never a person: every page about participants is refused, the enrolment form included.
    const [someone] = participantIds;
    for (const path of ['/console/participants/new', '/console/participants', `/console/participants/${someone}`, `/console/referrals/new?participant=${someone}`, '/console/caseload', '/console/inbox']) {
      expect((await page.goto(path))?.status(), path).toBe(403);
      await expect(page.locator('main').textContent()).resolves.not.toContain('Zephyrine');
    }
    await context.close();

    await staff({ organizationId: probationId, role: 'planner', name: 'Pat Field', email: 'pat@probation.example' });
    const planner = await newVisitor(browser, hub.running.url!);
    await signIn(planner.page, 'pat@probation.example', PASSWORD);
    await expect.poll(() => new URL(planner.page.url()).pathname).toBe('/console/caseload');
    expect((await planner.page.goto('/console/dashboard'))?.status()).toBe(403);
    expect((await planner.context.request.get(`/console/dashboard.csv?from=${PERIOD.from}&to=${PERIOD.to}`)).status()).toBe(403);
    await planner.context.close();

    // A compliance officer may read the report through the API, and so the dashboard (from the bar, since the day starts at Participants).
    await staff({ organizationId: probationId, role: 'compliance', name: 'Cam Audit', email: 'cam@probation.example' });
    const officer = await newVisitor(browser, hub.running.url!);
    await signIn(officer.page, 'cam@probation.example', PASSWORD);
    await expect.poll(() => new URL(officer.page.url()).pathname).toBe('/console/participants');
    await officer.page.getByRole('link', { name: 'Outcome indicators' }).click();
    await expect.poll(() => new URL(officer.page.url()).pathname).toBe('/console/dashboard');
    await expect(officer.page.locator('h1').textContent()).resolves.toBe('Outcome indicators');
    await officer.context.close();
  });
});
