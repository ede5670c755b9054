// Helpers of the browser tests: the page's text and waiting for it, clicking a button by its
// label, logging in, screenshots (KEELSON_UI_SCREENSHOTS) and the console problems that count.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import type { PageProblems } from '../../harness/browser.ts';
import { REPO_ROOT } from '../../harness/kube.ts';

// Screenshots into .keelson/screenshots; KEELSON_UI_SCREENSHOTS=docs refreshes docs/screenshots, =0 skips them.
export const SHOTS_SETTING = process.env.KEELSON_UI_SCREENSHOTS;
export const SHOTS =
  SHOTS_SETTING === '0'
    ? undefined
    : join(REPO_ROOT, ...(SHOTS_SETTING === 'docs' ? ['docs'] : ['.keelson']), 'screenshots');
export const DESKTOP = { width: 1280, height: 900 };

/** The page's visible text. */
export const text = (page: Page) => page.evaluate('document.body.innerText') as Promise<string>;

/** Waits until the page's text matches. */
export async function waitForText(page: Page, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await text(page);
    if (pattern.test(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`the page never showed ${pattern}; it shows:\n${last.slice(0, 2000)}`);
}

/** Waits until the text of the first element `selector` matches. */
export async function waitForElementText(
  page: Page,
  selector: string,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (await page.evaluate(`document.querySelector(${JSON.stringify(selector)})?.innerText ?? ''`)) as string;
    if (pattern.test(last)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${selector} never showed ${pattern}; it shows:\n${last.slice(0, 2000)}`);
}

/** Clicks the first button whose text is `label`. */
export async function clickButton(page: Page, label: string): Promise<void> {
  const clicked = await page.evaluate(
    `(() => { const b = [...document.querySelectorAll('button')].find((x) => x.textContent.trim() === ${JSON.stringify(label)} && !x.disabled); if (b) b.click(); return Boolean(b); })()`,
  );
  assert.ok(clicked, `no enabled button "${label}"`);
}

/** The overview's rows, as the text of each. */
export const rows = (page: Page) =>
  page.evaluate(
    `[...document.querySelectorAll('tbody tr')].map((tr) => tr.innerText.replace(/\\s+/g, ' '))`,
  ) as Promise<string[]>;

export async function login(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/ui/`);
  await page.waitForSelector('#token');
  await page.type('#token', token);
  await page.click('button[type=submit]');
  await waitForText(page, /Environments/);
}

export async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Problems but the 401s a page sees before it has a session (GET /ui/api/session). */
export const unexpected = (problems: PageProblems) =>
  problems.errors.filter((e) => !(/401/.test(e) && /\/ui\/api\/session/.test(e)));
