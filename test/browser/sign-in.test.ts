import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  expectAccessible,
  launchBrowser,
  newContext,
  type ServedConsole,
  screenshot,
  serveConsole,
} from '../support/browser.ts';
import { createStaff, createWard } from '../support/fixtures.ts';

/** Signing in to the console and out again, in Chromium, with the keyboard (console.md, Sessions). */

const cookieName = '__Host-pakn_session';
const fullName = 'Phạm Thị Lan';

let browser: Browser;
let served: ServedConsole;
let user: { username: string; password: string };

beforeAll(async () => {
  // The browser first: without one the file fails at once, before anything else is started.
  browser = await launchBrowser();
  served = await serveConsole();
  const ward = await createWard(served.t, { staff: 'none', departments: [] });
  user = await createStaff(served.t, 'intake', { wardId: ward.id, fullName });
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

const path = (page: Page) => new URL(page.url()).pathname;

/** Presses Tab until the element `selector` has the focus (at most `max` times); fails otherwise. */
async function tabTo(page: Page, selector: string, max = 15): Promise<void> {
  for (let i = 0; i <= max; i++) {
    if ((await page.locator(`${selector}:focus`).count()) === 1) return;
    await page.keyboard.press('Tab');
  }
  const focused = await page
    .locator(':focus')
    .evaluateAll((els) => els.map((el) => el.outerHTML.slice(0, 120)));
  throw new Error(
    `${max} presses of Tab never reached ${selector}; the focus is on ${focused[0] ?? 'the page'}`,
  );
}

/** Fills the sign-in form as a person at a keyboard does, and submits it with Enter on the button. */
async function signInByKeyboard(page: Page, username: string, password: string) {
  await tabTo(page, 'input[name="username"]');
  await page.keyboard.type(username);
  await tabTo(page, 'input[name="password"][type="password"]');
  await page.keyboard.type(password);
  await tabTo(page, 'form[action="/console/sign-in"] button[type="submit"]');
  expect((await page.locator('button[type="submit"]:focus').textContent())?.trim()).toBe('Đăng nhập');
  const posted = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/console/sign-in',
  );
  // The page's `load` of the document the form's answer leads to (the old one is loaded already).
  const loaded = page.waitForEvent('load');
  await page.keyboard.press('Enter');
  const [response] = await Promise.all([posted, loaded]);
  return response;
}

describe('the console in a browser: sign-in and sign-out', () => {
  test('a member of staff signs in with the keyboard only, sees the inbox, and signs out', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    try {
      const first = await page.goto(`${served.base}/console/sign-in`);
      expect(first?.status()).toBe(200);
      const form = page.locator('form[method="post"][action="/console/sign-in"]');
      await expect(form.locator('input[type="hidden"][name="_csrf"]').count()).resolves.toBe(1);
      await expectAccessible(page, 'the sign-in page');
      await screenshot(page, 'sign-in');

      const posted = await signInByKeyboard(page, user.username, user.password);
      expect(posted.status()).toBe(303);
      expect(path(page)).toBe('/console');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Hộp thư');
      const nav = page.getByRole('navigation', { name: 'Chính' });
      await expect(nav.getByText(fullName).count()).resolves.toBeGreaterThan(0);
      const signOut = nav.locator('form[method="post"][action="/console/sign-out"]');
      await expect(signOut.getByRole('button', { name: 'Đăng xuất' }).count()).resolves.toBe(1);

      // The session cookie as console.md names it — accepted by Chromium over plain HTTP on loopback —
      // and out of the page's scripts' reach.
      const session = (await context.cookies()).find((c) => c.name === cookieName);
      expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
      expect(await page.evaluate('document.cookie')).not.toContain(cookieName);

      await expectAccessible(page, 'the inbox');
      await screenshot(page, 'inbox');

      const signedOut = page.waitForResponse(
        (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/console/sign-out',
      );
      const loaded = page.waitForEvent('load');
      await signOut.getByRole('button', { name: 'Đăng xuất' }).press('Enter');
      expect((await signedOut).status()).toBe(303);
      await loaded;
      expect(path(page)).toBe('/console/sign-in');

      // Signed out: the inbox leads to the sign-in page, in this browser…
      await page.goto(`${served.base}/console`);
      expect(path(page)).toBe('/console/sign-in');
      await expect(page.locator('input[name="password"]').count()).resolves.toBe(1);
      // …and the old cookie, replayed by a browser that kept it, is worth nothing: the session ended
      // on the server, not only in this browser.
      const replay = await newContext(browser);
      try {
        if (!session) throw new Error('no session cookie');
        await replay.addCookies([session]);
        const other = await replay.newPage();
        await other.goto(`${served.base}/console`);
        expect(path(other)).toBe('/console/sign-in');
      } finally {
        await replay.close();
      }
    } finally {
      await context.close();
    }
  });

  test('on a phone (360 px): sign-in and the inbox fit the width, nothing to scroll sideways', async () => {
    const context = await newContext(browser, 'phone');
    const page = await context.newPage();
    const fits = async () =>
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    try {
      await page.goto(`${served.base}/console/sign-in`);
      await fits();
      await screenshot(page, 'sign-in-phone', 'phone');
      expect((await signInByKeyboard(page, user.username, user.password)).status()).toBe(303);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Hộp thư');
      await fits();
      await expectAccessible(page, 'the inbox on a phone');
      await screenshot(page, 'inbox-phone', 'phone');
    } finally {
      await context.close();
    }
  });

  test('a wrong password: the same page again, 401, with the reason announced as an alert', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    try {
      await page.goto(`${served.base}/console/sign-in`);
      const posted = await signInByKeyboard(page, user.username, `${user.password}-wrong`);
      expect(posted.status()).toBe(401);
      expect(path(page)).toBe('/console/sign-in');

      const alert = page.getByRole('alert');
      await expect(alert.count()).resolves.toBe(1);
      await expect(alert.textContent()).resolves.toBe('Tên đăng nhập hoặc mật khẩu không đúng.');
      await expect(alert.isVisible()).resolves.toBe(true);
      // It has the focus, so a screen reader reads it out at once.
      await expect(page.locator('[role="alert"]:focus').count()).resolves.toBe(1);
      // The form is there to try again, and no session was made.
      await expect(
        page.locator('form[action="/console/sign-in"] input[name="password"]').count(),
      ).resolves.toBe(1);
      expect((await context.cookies()).some((c) => c.name === cookieName)).toBe(false);
      await expectAccessible(page, 'the sign-in page with its error');
    } finally {
      await context.close();
    }
  });
});
