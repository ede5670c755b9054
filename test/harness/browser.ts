// A headless Chromium (Debian's, /usr/bin/chromium) driven by puppeteer-core, for the web
// UI's tests: pages that record console errors, failed requests and Content-Security-Policy
// violations, so a test can assert there were none.
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/** Debian's launcher script; KEELSON_CHROMIUM overrides it. */
export const CHROMIUM = process.env.KEELSON_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Flags for a container, where the tests run as root without a GPU or a display; `headless:
 * true` adds --headless=new.
 */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'];

/**
 * How long Chromium may take to start: puppeteer's 30 s was not enough on two cores busy with a
 * control plane and a benchmark (the browser tests were cancelled waiting for it).
 */
export const CHROMIUM_LAUNCH_TIMEOUT_MS = 120_000;

export function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: CHROMIUM_LAUNCH_TIMEOUT_MS,
  });
}

export interface PageProblems {
  /**
   * console.error messages (with the URL: Chromium logs every 4xx answer, such as the 401 of
   * GET /ui/api/session before login), uncaught exceptions and failed requests.
   */
  readonly errors: string[];
  /** securitypolicyviolation events: the directive and what it blocked. */
  readonly csp: string[];
}

/** A page of the given viewport that records its problems. */
export async function watchedPage(
  browser: Browser,
  viewport: { width: number; height: number },
): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  const problems: PageProblems = { errors: [], csp: [] };
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location().url;
    problems.errors.push(`console: ${msg.text()}${where ? ` (${where})` : ''}`);
  });
  page.on('pageerror', (err) => problems.errors.push(`exception: ${String(err)}`));
  page.on('requestfailed', (req) => {
    // A closed event stream on navigation is not a failure.
    if (req.failure()?.errorText !== 'net::ERR_ABORTED') problems.errors.push(`request failed: ${req.url()}`);
  });
  await page.exposeFunction('__keelsonCspViolation', (text: string) => problems.csp.push(text));
  // As source text: this file is type-checked without the DOM library.
  await page.evaluateOnNewDocument(`document.addEventListener('securitypolicyviolation', (e) =>
    window.__keelsonCspViolation(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') +
      ' (' + e.sourceFile + ':' + e.lineNumber + ')'));`);
  return { page, problems };
}
