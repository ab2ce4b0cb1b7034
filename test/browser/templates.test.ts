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
 * Answer templates in Chromium: the head writes one on "Mẫu trả lời", then on a case inserts it after
 * what they typed (htmx swaps the answer box, placeholders filled) and sends the answer.
 */
let browser: Browser;
let served: ServedConsole;
let head: { username: string; password: string };
let kase: CaseJson;
let categoryName: string;

beforeAll(async () => {
  browser = await launchBrowser();
  served = await serveConsole();
  const t = served.t;
  const ward = await createWard(t, { staff: 'none' });
  const category = await createCategory(t, { defaultDepartmentCode: 'ktht' });
  categoryName = `Lĩnh vực ${category.code}`;
  const [intake, h] = await Promise.all([
    createStaff(t, 'intake', { wardId: ward.id }),
    createStaff(t, 'department_head', { departmentId: ward.departments.infra?.id as string }),
  ]);
  head = h;
  kase = await postCase(
    t.app,
    bearer(intake.token),
    caseBody(ward.code, {
      channel: 'walk_in',
      categoryCode: category.code,
      reporter: { name: 'Vũ Thị Mai', phone: '0912777888', confidential: false },
    }),
  );
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

describe('answer templates', () => {
  test('written by the head, inserted into an answer with its placeholders filled', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    try {
      await signIn(page, served.base, head);
      await Promise.all([
        page.waitForLoadState('load'),
        page.getByRole('link', { name: 'Mẫu trả lời' }).click(),
      ]);
      await expectAccessible(page, 'the answer templates page');
      await page.selectOption('#tpl-categoryCode', { label: categoryName });
      await page.fill('#tpl-title', 'Đã sửa đèn');
      await page.fill(
        '#tpl-body',
        'Kính gửi {{ten_nguoi_phan_anh}}: phản ánh {{ma_phan_anh}} đã được xử lý.',
      );
      await Promise.all([
        page.waitForURL(/done=created/),
        page.getByRole('button', { name: 'Thêm mẫu' }).click(),
      ]);
      await expect(page.locator('[role=status]').textContent()).resolves.toBe('Đã thêm mẫu trả lời.');
      await expectAccessible(page, 'the answer templates page with a template');

      await page.goto(`${served.base}/console/cases/${kase.id}`);
      await expectAccessible(page, 'the case page with the template picker');
      await page.fill('#answer', 'Dòng đã gõ.');
      await page.selectOption('#templateId', { label: 'Đã sửa đèn' });
      const url = page.url();
      await page.getByRole('button', { name: 'Chèn' }).click();
      await expect
        .poll(() => page.inputValue('#answer'))
        .toBe(`Dòng đã gõ.\n\nKính gửi Vũ Thị Mai: phản ánh ${kase.code} đã được xử lý.`);
      await screenshot(page, 'answer-template');
      // htmx swapped the box alone: the page did not reload.
      expect(page.url()).toBe(url);
      await Promise.all([
        page.waitForLoadState('load'),
        page.getByRole('button', { name: 'Gửi trả lời' }).click(),
      ]);
      await expect(page.locator('h1 .status').textContent()).resolves.toBe('Đã trả lời');
    } finally {
      await context.close();
    }
  });
});
