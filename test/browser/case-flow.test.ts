import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  expectAccessible,
  launchBrowser,
  newContext,
  type ServedConsole,
  screenshot,
  serveConsole,
  signIn,
} from '../support/browser.ts';
import { createCategory, createStaff, createWard } from '../support/fixtures.ts';
import { uid } from '../support/ids.ts';

/**
 * A case's day in the console, in Chromium: the ward office logs a 1022 call with the keyboard alone;
 * the department head finds it, accepts it and answers it; two clerks act on the same case at once
 * and the second is told, not overwritten.
 */
let browser: Browser;
let served: ServedConsole;
let clerk: { username: string; password: string };
let otherClerk: { username: string; password: string };
let head: { username: string; password: string };
let categoryName: string;
let cultureId: string;

beforeAll(async () => {
  browser = await launchBrowser();
  served = await serveConsole();
  const ward = await createWard(served.t, { staff: 'none' });
  cultureId = ward.departments.culture?.id as string;
  // Unaccented, as a clerk types it to pick it: unique among the run's categories.
  categoryName = `Thoat nuoc ${uid()}`;
  await createCategory(served.t, { name: categoryName, defaultDepartmentCode: 'ktht' });
  [clerk, otherClerk, head] = await Promise.all([
    createStaff(served.t, 'intake', { wardId: ward.id, fullName: 'Phạm Thị Lan' }),
    createStaff(served.t, 'intake', { wardId: ward.id, fullName: 'Lê Văn Hải' }),
    createStaff(served.t, 'department_head', {
      wardId: ward.id,
      departmentId: ward.departments.infra?.id as string,
      fullName: 'Trần Văn Hùng',
    }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

async function signedIn(user: {
  username: string;
  password: string;
}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, served.base, user);
  return { context, page };
}

describe('a case from the call to the answer', () => {
  test('logged with the keyboard alone, found and answered by the department head', async () => {
    const office = await signedIn(clerk);
    const department = await signedIn(head);
    try {
      const { page } = office;
      // n: a new call; the phone field has the focus.
      await Promise.all([page.waitForURL('**/console/intake/new'), page.keyboard.press('n')]);
      await expect(page.locator('#phone:focus').count()).resolves.toBe(1);
      await page.keyboard.type('0903123456');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Trần Thị Mai');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Cống thoát nước ngõ 15 bị tắc, nước tràn ra đường khi mưa.');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Cống tắc ngõ 15');
      await page.keyboard.press('Tab');
      await expect(page.locator('#category:focus').count()).resolves.toBe(1);
      // The category's name as a clerk types it, without accents (the form offers the names as
      // suggestions; the server matches what was typed). Whole: other files' categories share the run.
      await page.keyboard.type(categoryName.toLowerCase());
      await expect(page.locator('#category').inputValue()).resolves.toBe(categoryName.toLowerCase());
      await page.keyboard.press('Tab');
      await expect(page.locator('#address:focus').count()).resolves.toBe(1);
      await page.keyboard.type('Ngõ 15 Lạch Tray');
      await expectAccessible(page, 'the 1022 call form');
      await screenshot(page, 'intake-call');
      // Ctrl+Enter saves, from whichever field has the focus.
      await Promise.all([page.waitForURL(/\/console\/cases\/\d+$/), page.keyboard.press('Control+Enter')]);
      const code = (await page.locator('h1').textContent())?.split(' ')[0] ?? '';
      expect(code).toMatch(/-\d{6}-\d{4,}$/);
      const facts = await page.locator('.facts').first().textContent();
      expect(facts).toContain('Tổng đài 1022');
      expect(facts).toContain(categoryName);
      expect(facts).toContain('Ngõ 15 Lạch Tray');
      await expect(page.locator('.case-title').textContent()).resolves.toBe('Cống tắc ngõ 15');
      await expect(page.locator('.description').textContent()).resolves.toBe(
        'Cống thoát nước ngõ 15 bị tắc, nước tràn ra đường khi mưa.',
      );
      await expect(page.locator('#time-left').textContent()).resolves.toMatch(/còn \d+ giờ/);

      // The head finds it in the list by its code, accepts it and answers it.
      const dp = department.page;
      await dp.goto(`${served.base}/console/cases`);
      await dp.keyboard.press('/');
      await expect(dp.locator('#q:focus').count()).resolves.toBe(1);
      await dp.keyboard.type(code);
      await Promise.all([dp.waitForURL(/q=/), dp.keyboard.press('Enter')]);
      await Promise.all([
        dp.waitForURL(/\/console\/cases\/\d+$/),
        dp.getByRole('link', { name: code }).click(),
      ]);
      await expectAccessible(dp, 'the case page');
      await screenshot(dp, 'case-page');
      await Promise.all([
        dp.waitForLoadState('load'),
        dp.getByRole('button', { name: 'Nhận xử lý' }).click(),
      ]);
      await dp.fill('#answer', 'Đã nạo vét cống ngõ 15 ngày 07/12; nước đã thoát.');
      await Promise.all([
        dp.waitForLoadState('load'),
        dp.getByRole('button', { name: 'Gửi trả lời' }).click(),
      ]);
      await expect(dp.locator('h1 .status').textContent()).resolves.toBe('Đã trả lời');
      await expect(dp.locator('.timeline').textContent()).resolves.toContain('Trả lời');
    } finally {
      await office.context.close();
      await department.context.close();
    }
  });

  test('two clerks dispatch the same case at once: the second is told it changed, and sees it as it is now', async () => {
    const first = await signedIn(clerk);
    const second = await signedIn(otherClerk);
    try {
      // A call logged without a category waits in "Chờ phân loại".
      const { page } = first;
      await page.goto(`${served.base}/console/intake/new`);
      await page.fill('#phone', '0903123999');
      await page.fill('#description', 'Loa phát thanh tổ 3 không hoạt động.');
      await Promise.all([
        page.waitForURL(/\/console\/cases\/\d+$/),
        page.press('#description', 'Control+Enter'),
      ]);
      const url = page.url();
      await second.page.goto(url);
      for (const p of [page, second.page]) await p.selectOption('#categoryCode', { label: categoryName });
      await page.selectOption('#departmentId', { value: cultureId });
      await Promise.all([
        page.waitForLoadState('load'),
        page.getByRole('button', { name: 'Chuyển xử lý' }).click(),
      ]);
      await expect(page.locator('h1 .status').textContent()).resolves.toBe('Đã chuyển xử lý');

      const answer = second.page.waitForResponse((r) => r.request().method() === 'POST');
      await second.page.getByRole('button', { name: 'Chuyển xử lý' }).click();
      expect((await answer).status()).toBe(412);
      await expect(second.page.getByRole('alert').textContent()).resolves.toMatch(
        /vừa được người khác thay đổi/,
      );
      await expect(second.page.locator('h1 .status').textContent()).resolves.toBe('Đã chuyển xử lý');
    } finally {
      await first.context.close();
      await second.context.close();
    }
  });
});
