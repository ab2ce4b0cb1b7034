import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from './app.ts';

/**
 * The real browser for the console's tests: playwright-core driving Debian's chromium-headless-shell
 * (no browser is downloaded; playwright-core is pinned to the release whose Chromium matches Debian's),
 * against the application listening on a free port of 127.0.0.1.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

export const chromiumPath = () => process.env.PAKN_CHROMIUM ?? '/usr/lib/chromium/chromium-headless-shell';

/**
 * Launches Chromium headless. A missing browser fails the test, with how to install it: this project
 * has no test that skips itself, on CI or anywhere else.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath))
    throw new Error(
      `No Chromium at ${executablePath}. Install Debian's headless shell ` +
        '(`sudo apt-get install chromium-headless-shell`; .ci/run does it on CI), ' +
        'or set PAKN_CHROMIUM to a Chromium that matches playwright-core (package.json).',
    );
  // Playwright starts Chromium without its sandbox by default (chromiumSandbox: false), which is what
  // lets it run as root in CI containers.
  return chromium.launch({ executablePath });
}

/** The viewports screenshots and layout checks use: an office PC and a small phone. */
export const viewports = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 360, height: 740 },
} as const;
export type ViewportName = keyof typeof viewports;

/** A fresh context (cookies of its own) in Vietnamese and the ward's time zone, at one of `viewports`. */
export async function newContext(
  browser: Browser,
  viewport: ViewportName = 'desktop',
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: viewports[viewport],
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    ...(viewport === 'phone' ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  // Every page records what the content security policy blocked (expectAccessible fails on any): a
  // blocked inline style or script is a part of the page that silently does not work.
  await context.addInitScript(`
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(
      e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' (' + e.sourceFile + ':' + e.lineNumber + ')'));
  `);
  return context;
}

export type ServedConsole = { t: TestApp; base: string; close: () => Promise<void> };

/**
 * A test app (createTestApp: the run's database, a Redis prefix of its own, an admin) listening on a
 * free port of 127.0.0.1; `base` is its URL (`http://127.0.0.1:<port>`).
 */
export async function serveConsole(env: Record<string, string> = {}): Promise<ServedConsole> {
  const t = await createTestApp(env);
  try {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
  } catch (err) {
    await t.close();
    throw err;
  }
  const address = t.app.server.address();
  if (address === null || typeof address === 'string') throw new Error(`unexpected address ${address}`);
  return { t, base: `http://127.0.0.1:${address.port}`, close: () => t.close() };
}

/** axe's "Fix any of the following:\n  A\n  B" on one line: "Fix any of the following: A; B". */
const summary = (text: string | undefined) => {
  const [head = '', ...items] = (text ?? '').split('\n').map((line) => line.trim());
  return `${head} ${items.filter(Boolean).join('; ')}`.trim();
};

/** Runs axe on the page as it is and fails, listing each serious or critical violation, if there is any. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const blocked = (await page.evaluate('window.__cspViolations ?? []')) as string[];
  if (blocked.length > 0)
    throw new Error(`${what} (${page.url()}): the content security policy blocked ${blocked.join('; ')}`);
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length === 0) return;
  const lines = bad.map((v) => {
    const nodes = v.nodes
      .slice(0, 5)
      .map((n) => `      ${n.target.join(' ')}: ${summary(n.failureSummary)}`)
      .join('\n');
    const more = v.nodes.length > 5 ? `\n      … and ${v.nodes.length - 5} more` : '';
    return `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}${more}`;
  });
  throw new Error(
    `${what} (${page.url()}): ${bad.length} serious or critical accessibility violation(s)\n${lines.join('\n')}`,
  );
}

/** Whether this run writes screenshots (`npm run screenshots` sets PAKN_SCREENSHOTS=1). */
export const screenshotsWanted = () => process.env.PAKN_SCREENSHOTS === '1';

/**
 * Saves the page as docs/screenshots/<name>.png when PAKN_SCREENSHOTS=1, at the viewport named (the
 * page is resized to it for the picture, then back; a phone view also wants a context from
 * `newContext(browser, 'phone')`, for touch and the device scale). Does nothing otherwise. Returns the
 * file written, if any.
 */
export async function screenshot(
  page: Page,
  name: string,
  viewport: ViewportName = 'desktop',
): Promise<string | undefined> {
  if (!screenshotsWanted()) return undefined;
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`screenshot name ${name}: use a-z, 0-9 and -`);
  const dir = `${root}docs/screenshots`;
  await mkdir(dir, { recursive: true });
  const before = page.viewportSize();
  await page.setViewportSize(viewports[viewport]);
  const path = `${dir}/${name}.png`;
  try {
    // No caret, no running animation: the same screen gives the same picture; one pixel per CSS pixel
    // (1280×800, 360×740), whatever the device scale.
    await page.screenshot({ path, animations: 'disabled', caret: 'hide', scale: 'css' });
  } finally {
    if (before) await page.setViewportSize(before);
  }
  return path;
}

/** Signs in through the console's form (the pointer way; sign-in.test.ts does it by keyboard). */
export async function signIn(page: Page, base: string, user: { username: string; password: string }) {
  await page.goto(`${base}/console/sign-in`);
  await page.fill('#username', user.username);
  await page.fill('#password', user.password);
  await Promise.all([page.waitForURL(`${base}/console`), page.press('#password', 'Enter')]);
}
