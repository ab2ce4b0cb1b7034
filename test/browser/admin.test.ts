import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  expectAccessible,
  launchBrowser,
  newContext,
  type ServedConsole,
  screenshot,
  serveConsole,
  signIn,
} from '../support/browser.ts';
import { createStaff, createWard } from '../support/fixtures.ts';
import { uid } from '../support/ids.ts';

/**
 * The admin's directory pages in Chromium: an admin creates a user and an API client through the
 * forms, sees the key once, and deactivates the client behind its confirmation; the admin index, the
 * users page and the key page are scanned by axe (no serious or critical violation).
 */
let browser: Browser;
let served: ServedConsole;
let admin: { username: string; password: string };
let wardName: string;

beforeAll(async () => {
  browser = await launchBrowser();
  served = await serveConsole();
  const ward = await createWard(served.t, { staff: 'none', departments: [] });
  wardName = `Phường ${ward.code}`;
  admin = await createStaff(served.t, 'admin', { fullName: 'Đỗ Quản Trị' });
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

test('an admin creates a user and an API client; the key is shown once', async () => {
  const { base } = served;
  const context = await newContext(browser);
  const page = await context.newPage();
  try {
    await signIn(page, base, admin);
    await Promise.all([
      page.waitForURL(`${base}/console/admin`),
      page.getByRole('link', { name: 'Quản trị' }).click(),
    ]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Quản trị');
    await expectAccessible(page, 'the admin index');
    await screenshot(page, 'admin-index');

    // A user, by label as a person finds the fields.
    const username = `nv-${uid().toLowerCase()}`;
    await page.goto(`${base}/console/admin/users/new`);
    await page.getByLabel('Tên đăng nhập').fill(username);
    await page.getByLabel('Họ tên').fill('Hoàng Thị Mai');
    await page.getByLabel('Vai trò').selectOption({ label: 'Cán bộ tiếp nhận' });
    await page.getByLabel('Phường/xã').selectOption({ label: wardName });
    await page.getByLabel('Mật khẩu').fill('mat-khau-dai-1');
    await Promise.all([
      page.waitForURL(/\/console\/admin\/users\/\d+\?done=created$/),
      page.getByRole('button', { name: 'Tạo' }).click(),
    ]);
    await expect(page.getByRole('status').textContent()).resolves.toBe('Đã tạo.');
    await page.goto(`${base}/console/admin/users`);
    const row = page.getByRole('row').filter({ hasText: username });
    await expect(row.textContent()).resolves.toContain('Đang hoạt động');
    await expectAccessible(page, 'the users page');
    await screenshot(page, 'admin-users');

    // An API client: its key on a page of its own, once.
    await page.goto(`${base}/console/admin/api-clients/new`);
    await page.getByLabel('Tên ứng dụng').fill('Cổng dịch vụ công (thử)');
    await page.getByLabel('Kênh tiếp nhận').selectOption('web');
    await Promise.all([
      page.waitForResponse(
        (r) => r.request().method() === 'POST' && r.url().endsWith('/console/admin/api-clients'),
      ),
      page.getByRole('button', { name: 'Tạo' }).click(),
    ]);
    const key = await page.getByLabel('Khoá API của ứng dụng').inputValue();
    expect(key).toMatch(/^pakn_/);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('sẽ không hiển thị lại');
    await expectAccessible(page, 'the API key page');

    // Its page no longer shows the key; deactivating it asks first (no script needed).
    await Promise.all([
      page.waitForURL(/\/console\/admin\/api-clients\/\d+$/),
      page.getByRole('link', { name: 'Đã sao chép, về trang ứng dụng' }).click(),
    ]);
    expect(await page.content()).not.toContain(key);
    const confirm = page.getByRole('button', { name: 'Xác nhận ngừng hoạt động' });
    await expect(confirm.isVisible()).resolves.toBe(false);
    await page.getByText('Ngừng hoạt động…').click();
    await Promise.all([page.waitForURL(/\?done=deactivated$/), confirm.click()]);
    await expect(page.getByRole('status').textContent()).resolves.toBe('Đã ngừng hoạt động.');
    const refused = await page.request.get(`${base}/api/v1/categories`, { headers: { 'x-api-key': key } });
    expect(refused.status()).toBe(401);
  } finally {
    await context.close();
  }
});
