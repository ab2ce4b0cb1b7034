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
import { uid } from '../support/ids.ts';

/**
 * A 1022 call from someone who called before, in Chromium, with the keyboard alone: as the phone is
 * typed the caller's earlier case appears under it; as the problem is typed the open case it may
 * repeat is shown; the clerk saves all the same.
 */
let browser: Browser;
let served: ServedConsole;
let clerk: { username: string; password: string };
let categoryName: string;
let earlier: CaseJson;

beforeAll(async () => {
  browser = await launchBrowser();
  served = await serveConsole();
  const ward = await createWard(served.t, { staff: 'none' });
  categoryName = `Chiếu sáng ${uid()}`;
  const category = await createCategory<{ code: string }>(served.t, {
    name: categoryName,
    defaultDepartmentCode: 'ktht',
  });
  const made = await createStaff(served.t, 'intake', { wardId: ward.id, fullName: 'Phạm Thị Lan' });
  clerk = made;
  earlier = await postCase(
    served.t.app,
    bearer(made.token),
    caseBody(ward.code, {
      channel: 'hotline_1022',
      categoryCode: category.code,
      title: 'Đèn đường ngõ 8 hỏng',
      description: 'Đèn đường trước nhà số 20 ngõ 8 Lê Lợi bị hỏng, tối không nhìn thấy đường.',
      reporter: { name: 'Đỗ Văn Bình', phone: '+84903555111', confidential: false },
      location: { address: 'Số 20 ngõ 8 Lê Lợi', residentialGroup: 'Tổ 9' },
    }),
  );
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

describe('a call from someone who called before', () => {
  test('their earlier case under the phone, the likely duplicate before saving, saved with the keyboard alone', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await signIn(page, served.base, clerk);
      await Promise.all([page.waitForURL('**/console/intake/new'), page.keyboard.press('n')]);
      await expect(page.locator('#phone:focus').count()).resolves.toBe(1);

      // The number as the caller says it; the earlier case appears under it.
      await page.keyboard.type('0903 555 111');
      const summary = page.locator('#caller-history summary');
      await summary.waitFor();
      await expect(summary.textContent()).resolves.toBe(
        `Người gọi đã có 1 phản ánh trước đây (mới nhất: ${earlier.code}, Đã chuyển xử lý).`,
      );
      // One stop for Tab: Enter opens the list, whose link opens the case in a new tab.
      await page.keyboard.press('Tab');
      await expect(page.locator('#caller-history summary:focus').count()).resolves.toBe(1);
      await page.keyboard.press('Enter');
      const link = page.locator('#caller-history a', { hasText: earlier.code });
      await link.waitFor({ state: 'visible' });
      await expect(link.getAttribute('target')).resolves.toBe('_blank');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await expect(page.locator('#name:focus').count()).resolves.toBe(1);

      await page.keyboard.type('Đỗ Văn Bình');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Đèn đường trước nhà số 20 ngõ 8 vẫn hỏng, gọi lần hai.');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await expect(page.locator('#category:focus').count()).resolves.toBe(1);
      await page.keyboard.type(categoryName.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase());
      await page.keyboard.press('Tab');
      await page.keyboard.type('20 ngõ 8 Lê Lợi');
      await page.keyboard.press('Tab');
      await expect(page.locator('#residentialGroup:focus').count()).resolves.toBe(1);
      await page.keyboard.type('tổ 9');

      // The open case this call may repeat, before it is saved.
      const duplicates = page.locator('#duplicates');
      await duplicates.locator('h2').waitFor();
      await expect(duplicates.locator('h2').textContent()).resolves.toBe('Có thể trùng với');
      const original = duplicates.locator('a', { hasText: earlier.code });
      await expect(original.getAttribute('target')).resolves.toBe('_blank');
      // Shown once the text was typed; the group, typed last, adds its reason when its turn comes.
      await duplicates.locator('li', { hasText: 'cùng tổ dân phố' }).waitFor();
      await expect(duplicates.locator('li').count()).resolves.toBe(1);
      await expectAccessible(page, 'the 1022 call form with the caller’s history and a likely duplicate');
      await screenshot(page, 'intake-call-helpers');

      // The clerk saves all the same: Ctrl+Enter, a new case.
      await Promise.all([page.waitForURL(/\/console\/cases\/\d+$/), page.keyboard.press('Control+Enter')]);
      const code = (await page.locator('h1').textContent())?.split(' ')[0] ?? '';
      expect(code).toMatch(/-\d{6}-\d{4,}$/);
      expect(code).not.toBe(earlier.code);
      const facts = await page.locator('.facts').first().textContent();
      expect(facts).toContain(categoryName);
      expect(facts).toContain('Tổ 9'.toLowerCase());
    } finally {
      await context.close();
    }
  });
});
