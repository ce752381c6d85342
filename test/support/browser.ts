import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { TestHub } from './hub.js';

/** Debian's Chromium (`.ci/run` installs the package when it is missing). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}

/** A fresh browser profile: its own cookies, as another person at another desk. */
export async function newVisitor(browser: Browser, baseURL: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL });
  return { context, page: await context.newPage() };
}

/** WCAG 2.2 AA, as axe-core checks it in the real browser: no violation on the page as shown. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(summary, page.url()).toEqual([]);
}

/**
 * The README shows these: taken by the tests, so they stay current. Written only when
 * UPDATE_SCREENSHOTS=1 (ids and times differ on every run, and a test run should not leave the
 * work tree changed); otherwise the page is still rendered to an image, which must not fail.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') {
    expect((await page.screenshot({ fullPage: true })).length).toBeGreaterThan(0);
    return;
  }
  const dir = path.resolve('docs/screenshots');
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/console/sign-in');
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The password every console test account is created with. */
export const PASSWORD = 'correct horse battery staple';

/** A console account, made by the hub's admin through `POST /v1/staff`, with the tests' password. */
export async function staffAccount(hub: TestHub, input: Record<string, unknown>): Promise<{ id: string; email: string }> {
  const created = await hub.api.request('POST', '/v1/staff', { token: hub.adminToken, body: { password: PASSWORD, ...input } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: string; email: string };
}
