import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bearer } from '../support/app.ts';
import {
  expectAccessible,
  launchBrowser,
  newContext,
  type ServedConsole,
  screenshot,
  serveConsole,
  signIn,
} from '../support/browser.ts';
import { caseBody } from '../support/case-body.ts';
import { type CaseJson, postCase } from '../support/cases.ts';
import { createCategory, createStaff, createWard } from '../support/fixtures.ts';

/**
 * The ward office's bulk dispatch, in Chromium: on "Chờ phân loại" a clerk moves down the rows with j,
 * checks two with x, dispatches them to a department in one go, and reads the result row by row
 * (htmx swaps it into the page) — the queue page and the result each scanned by axe.
 */
let browser: Browser;
let served: ServedConsole;
let clerk: { username: string; password: string; token: string };
let infraId: string;
const cases: CaseJson[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  served = await serveConsole();
  const ward = await createWard(served.t, { staff: 'none' });
  infraId = ward.departments.infra?.id as string;
  // No default department: the cases wait for the ward office, classified.
  const cat = await createCategory<{ code: string }>(served.t, { name: 'Vệ sinh môi trường (thử)' });
  clerk = await createStaff(served.t, 'intake', { wardId: ward.id, fullName: 'Phạm Thị Lan' });
  for (const description of [
    'Rác thải tập kết sai nơi quy định ở đầu ngõ 12.',
    'Rác ùn ứ trước chợ Lạch Tray từ sáng.',
    'Cống thoát nước ngõ 15 bốc mùi.',
  ])
    cases.push(
      await postCase(
        served.t.app,
        bearer(clerk.token),
        caseBody(ward.code, { channel: 'hotline_1022', categoryCode: cat.code, description }),
      ),
    );
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

describe('bulk dispatch on "Chờ phân loại"', () => {
  test('two rows checked with the keyboard, dispatched together, a result per row', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    try {
      await signIn(page, served.base, clerk);
      await page.goto(`${served.base}/console/queue?view=triage`);
      await expect(page.locator('nav.tabs a[aria-current=page]').textContent()).resolves.toBe(
        'Chờ phân loại (3)',
      );
      await expectAccessible(page, 'the triage queue');
      const [first, second, third] = cases as [CaseJson, CaseJson, CaseJson];
      // j to the first row, x to check it; j to the second, x again.
      await page.keyboard.press('j');
      await expect(page.locator('table.queue tbody tr:first-child a:focus').count()).resolves.toBe(1);
      await page.keyboard.press('x');
      await page.keyboard.press('j');
      await expect(page.locator('table.queue tbody tr:nth-child(2) a:focus').count()).resolves.toBe(1);
      await page.keyboard.press('x');
      await expect(page.getByLabel(`Chọn phản ánh ${first.code}`).isChecked()).resolves.toBe(true);
      await expect(page.getByLabel(`Chọn phản ánh ${second.code}`).isChecked()).resolves.toBe(true);
      await expect(page.getByLabel(`Chọn phản ánh ${third.code}`).isChecked()).resolves.toBe(false);
      // x again unchecks: the row under the focus is the one toggled.
      await page.keyboard.press('x');
      await expect(page.getByLabel(`Chọn phản ánh ${second.code}`).isChecked()).resolves.toBe(false);
      await page.keyboard.press('x');
      await screenshot(page, 'queue-triage');

      await page.getByLabel('Đơn vị xử lý').selectOption(infraId);
      await page.getByRole('button', { name: 'Phân công', exact: true }).click();
      const result = page.locator('table.bulk-result');
      await result.waitFor();
      await expect(page.locator('h1').textContent()).resolves.toBe('Kết quả xử lý');
      await expect(page.locator('[role=status]').textContent()).resolves.toBe(
        'Đã xử lý 2 trong 2 phản ánh đã chọn.',
      );
      await expect(result.locator('tbody td:first-child').allTextContents()).resolves.toEqual([
        first.code,
        second.code,
      ]);
      const outcomes = await result.locator('tbody td:nth-child(2)').allTextContents();
      expect(outcomes.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual([
        '✓ Xong: Đã phân công cho Phòng Kinh tế – Hạ tầng – Đô thị',
        '✓ Xong: Đã phân công cho Phòng Kinh tế – Hạ tầng – Đô thị',
      ]);
      await expectAccessible(page, 'the bulk result');
      await screenshot(page, 'bulk-result');

      // Back to the queue: only the third case still waits.
      await Promise.all([
        page.waitForURL('**/console/queue?view=triage'),
        page.getByRole('link', { name: 'Về hàng “Chờ phân loại”' }).click(),
      ]);
      await expect(page.locator('table.queue tbody tr a').allTextContents()).resolves.toEqual([third.code]);
    } finally {
      await context.close();
    }
  });
});
