import type { Browser } from 'playwright-core';
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
import { createStaff, createWard, type Ward } from '../support/fixtures.ts';

/**
 * Administration, part 2, in Chromium: the ward calendar (its deadline check answered by htmx in
 * place), the escalation ladder saved from its form, and the audit trail that then shows the change —
 * each page scanned by axe (no serious or critical violation).
 */
let browser: Browser;
let served: ServedConsole;
let ward: Ward;
let admin: { username: string; password: string };

beforeAll(async () => {
  browser = await launchBrowser();
  served = await serveConsole();
  ward = await createWard(served.t);
  admin = await createStaff(served.t, 'admin', { fullName: 'Trần Quản Trị' });
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

describe('administration of a ward’s deadlines', () => {
  test('the calendar, its deadline check, the ladder and the audit trail', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    try {
      await signIn(page, served.base, admin);
      await page.goto(`${served.base}/console/admin/calendar?wardId=${ward.id}`);
      await expect(page.locator('#h1_0_start').inputValue()).resolves.toBe('07:30');
      await page.fill('#from', '2026-06-12T16:00');
      await page.fill('#duration', 'PT4H');
      await page.click('#deadline-tool button[type=submit]');
      await page.locator('#deadline-result', { hasText: 'Hạn:' }).waitFor();
      await expect(page.locator('#deadline-result').textContent()).resolves.toContain(
        'Hạn: Thứ Hai, 15/06/2026 10:30',
      );
      // htmx answered in place: still the calendar page, not the tool's own URL.
      expect(page.url()).toBe(`${served.base}/console/admin/calendar?wardId=${ward.id}`);
      await expectAccessible(page, 'the ward calendar');
      await screenshot(page, 'admin-calendar');

      await page.goto(`${served.base}/console/admin/escalation-policy?wardId=${ward.id}`);
      await page.fill('#offset1', '-P2D');
      await Promise.all([page.waitForURL(/saved=1/), page.click('form.ladder button[type=submit]')]);
      await expect(page.locator('.ladder-words').textContent()).resolves.toContain(
        '2 ngày làm việc trước hạn trả lời: báo Trưởng phòng.',
      );
      await expectAccessible(page, 'the escalation ladder');
      await screenshot(page, 'admin-ladder');

      await page.goto(`${served.base}/console/admin/audit?objectType=escalation_policy&objectId=${ward.id}`);
      const row = page.locator('table.audit tbody tr').first();
      await expect(row.textContent()).resolves.toContain('Thang cảnh báo: sửa');
      await expect(row.textContent()).resolves.toContain('-P2D');
      await expectAccessible(page, 'the audit trail');
      await screenshot(page, 'admin-audit');
    } finally {
      await context.close();
    }
  });
});
