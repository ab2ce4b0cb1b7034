import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
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
import { postCase } from '../support/cases.ts';
import { createCategory, createStaff, createWard, type Ward } from '../support/fixtures.ts';

/**
 * The console's other main pages in Chromium — the department's queue, the case list, the chairman's
 * board — each scanned by axe (no serious or critical violation), the board and a case page also at
 * 360 px (nothing to scroll sideways), and pictured for the README.
 */
let browser: Browser;
let served: ServedConsole;
let ward: Ward;
let head: { username: string; password: string };
let chairman: { username: string; password: string };
let lateId: string;

beforeAll(async () => {
  browser = await launchBrowser();
  served = await serveConsole();
  ward = await createWard(served.t);
  const cat = await createCategory<{ code: string }>(served.t, {
    name: 'Chiếu sáng công cộng (thử)',
    defaultDepartmentCode: 'ktht',
  });
  [head, chairman] = await Promise.all([
    createStaff(served.t, 'department_head', {
      wardId: ward.id,
      departmentId: ward.departments.infra.id,
      fullName: 'Vũ Đức Thắng',
    }),
    createStaff(served.t, 'chairman', { wardId: ward.id, fullName: 'Nguyễn Văn Chủ' }),
  ]);
  const texts = [
    'Đèn đường trước nhà số 12 tổ dân phố 5 bị hỏng ba ngày nay.',
    'Cột đèn ngõ 7 Lạch Tray nghiêng sau bão, có nguy cơ đổ.',
    'Đèn chiếu sáng công viên tắt cả tuần.',
  ];
  const cases = [];
  for (const description of texts)
    cases.push(
      await postCase(
        served.t.app,
        bearer(ward.tokens.intake),
        caseBody(ward.code, { channel: 'hotline_1022', categoryCode: cat.code, description }),
      ),
    );
  lateId = cases[1]?.id as string;
  await served.t.container.db
    .updateTable('cases')
    .set({ due_at: new Date(Date.now() - 5 * 3_600_000), version: sql<number>`version + 1` })
    .where('id', '=', lateId)
    .execute();
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

const fits = async (page: Page) =>
  expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);

describe('the console’s main pages', () => {
  test('the department’s queue: the late case first, said in words; j moves down the rows', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    try {
      await signIn(page, served.base, head);
      await page.goto(`${served.base}/console/queue`);
      const first = page.locator('table.queue tbody tr').first();
      await expect(first.textContent()).resolves.toMatch(/quá hạn \d+ (giờ|phút)( \d+ phút)? làm việc/);
      await page.keyboard.press('j');
      await expect(page.locator('table.queue tbody tr:first-child a:focus').count()).resolves.toBe(1);
      await page.keyboard.press('j');
      await expect(page.locator('table.queue tbody tr:nth-child(2) a:focus').count()).resolves.toBe(1);
      await expectAccessible(page, 'the department queue');
      await screenshot(page, 'queue');
      await page.goto(`${served.base}/console/cases`);
      await expectAccessible(page, 'the case list');
    } finally {
      await context.close();
    }
  });

  test('the chairman’s board, on a desk and on a phone', async () => {
    for (const viewport of ['desktop', 'phone'] as const) {
      const context = await newContext(browser, viewport);
      const page = await context.newPage();
      try {
        await signIn(page, served.base, chairman);
        await page.goto(`${served.base}/console/board`);
        const row = page.locator('table.board tbody tr', { hasText: 'Phòng Kinh tế – Hạ tầng – Đô thị' });
        await expect(row.textContent()).resolves.toContain('Vũ Đức Thắng');
        await expectAccessible(page, `the board (${viewport})`);
        if (viewport === 'phone') {
          await fits(page);
          await page.goto(`${served.base}/console/cases/${lateId}`);
          await fits(page);
          await expectAccessible(page, 'a case page on a phone');
          await screenshot(page, 'case-phone', 'phone');
        } else await screenshot(page, 'board');
      } finally {
        await context.close();
      }
    }
  });
});
