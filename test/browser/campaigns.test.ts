import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { vietnamDayOf } from '../../src/shared/vietnam-day.ts';
import { bearer, call, req } from '../support/app.ts';
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
import { uid } from '../support/ids.ts';
import { multipart } from '../support/multipart.ts';

/**
 * The installation campaign in Chromium, as a ward runs it: the culture office's coordinator creates
 * the campaign, pastes the groups' household counts copied from Excel, adds Tổ dân phố số 5 as a unit
 * and its leader's account; the leader signs in, lands on their campaign, sends the messy list of
 * test/fixtures/campaigns (the dry run reports the rows its README lists), and confirms; the
 * coordinator reads the dashboard (on a desk and on a phone), the conflicts, and freezes the ranking.
 * Every page is scanned by axe; the dashboard, the report and the conflicts are pictured.
 */
const fixtures = fileURLToPath(new URL('../fixtures/campaigns/', import.meta.url));
const messyXlsx = `${fixtures}to-dan-pho-5-messy.xlsx`;

let browser: Browser;
let served: ServedConsole;
let ward: Ward;
let coordinator: { username: string; password: string; token: string };
const leader = { username: `to5-${uid().toLowerCase()}`, password: 'to-truong-2026' };
let campaignUrl: string;
let listUrl: string;

const today = vietnamDayOf(new Date());
const shift = (days: number) => vietnamDayOf(new Date(Date.now() + days * 86_400_000));

beforeAll(async () => {
  browser = await launchBrowser();
  served = await serveConsole();
  ward = await createWard(served.t);
  coordinator = await createStaff(served.t, 'department_head', {
    departmentId: ward.departments.culture.id,
    fullName: 'Đào Thị Hằng',
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

/** One signed-in person's browser for the whole story (a context of its own: its own cookies). */
const sessions = new Map<string, { context: BrowserContext; page: Page }>();
async function as(who: 'coordinator' | 'leader'): Promise<Page> {
  const known = sessions.get(who);
  if (known) return known.page;
  const context = await newContext(browser);
  const page = await context.newPage();
  sessions.set(who, { context, page });
  if (who === 'coordinator') await signIn(page, served.base, coordinator);
  else {
    // A submitter's sign-in lands on /console, which is their campaign page.
    await page.goto(`${served.base}/console/sign-in`);
    await page.fill('#username', leader.username);
    await page.fill('#password', leader.password);
    await Promise.all([
      page.waitForURL(`${served.base}/console/campaigns`),
      page.press('#password', 'Enter'),
    ]);
  }
  return page;
}
afterAll(async () => {
  for (const { context } of sessions.values()) await context.close();
});

const fits = async (page: Page) =>
  expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
const rowCells = (page: Page, table: string) =>
  page.$$eval(`${table} tbody tr`, (trs) =>
    trs.map((tr) =>
      [...tr.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim()),
    ),
  );

describe('the installation campaign', () => {
  test('the coordinator creates the campaign', async () => {
    const page = await as('coordinator');
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('link', { name: 'Chiến dịch', exact: true }).click(),
    ]);
    await expectAccessible(page, 'the campaign list with its create form');
    await page.fill('#name', 'Cài đặt Smart Hải Phòng 2026');
    await page.fill('#documentNumber', '45/KH-UBND');
    await page.fill('#documentDate', shift(-25));
    await page.fill('#startsOn', shift(-20));
    await page.fill('#endsOn', shift(60));
    await Promise.all([
      page.waitForURL(/\/console\/campaigns\/\d+\?done=created/),
      page.getByRole('button', { name: 'Tạo chiến dịch' }).click(),
    ]);
    campaignUrl = page.url().split('?')[0] as string;
    await expect(page.locator('h1').textContent()).resolves.toBe('Cài đặt Smart Hải Phòng 2026');
    await expectAccessible(page, 'a new campaign’s dashboard');
  });

  test('imports the groups’ counts pasted from Excel, adds group 5 and its leader', async () => {
    const page = await as('coordinator');
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('link', { name: 'Tổ dân phố', exact: true }).click(),
    ]);
    // What Excel puts on the clipboard: tab-separated cells, one group a line, the header included.
    await page.fill(
      '#rows',
      'Tổ dân phố\tSố hộ\tSố hộ có ĐTTM\nTổ dân phố số 3\t210\t160\nTổ dân phố số 5\t60\t40\nTổ dân phố số 6\t85\t60',
    );
    await page.fill('#source', 'Báo cáo các tổ trưởng');
    await Promise.all([
      page.waitForURL(/imported=3-0-0/),
      page.getByRole('button', { name: 'Nhập số liệu' }).click(),
    ]);
    await expect(page.locator('[role=status]').textContent()).resolves.toBe(
      'Đã thêm 3 tổ, ghi số liệu mới cho 0 tổ, 0 tổ không đổi.',
    );
    expect((await rowCells(page, 'table.groups')).map((r) => r.slice(0, 3))).toEqual([
      ['Tổ dân phố số 3', '210', '160'],
      ['Tổ dân phố số 5', '60', '40'],
      ['Tổ dân phố số 6', '85', '60'],
    ]);
    await expectAccessible(page, 'the residential groups');

    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('link', { name: 'Đơn vị', exact: true }).click(),
    ]);
    await page.selectOption('#kind', 'residential_group');
    await page.selectOption('#residentialGroupId', { label: 'Tổ dân phố số 5' });
    await Promise.all([
      page.waitForURL(/done=added/),
      page.getByRole('button', { name: 'Thêm đơn vị' }).click(),
    ]);
    await page.selectOption('#unitId', { label: 'Tổ dân phố số 5 (Tổ dân phố)' });
    await page.fill('#username', leader.username);
    await page.fill('#fullName', 'Phạm Văn Tổ');
    await page.fill('#password', leader.password);
    await Promise.all([
      page.waitForURL(/done=submitter/),
      page.getByRole('button', { name: 'Tạo tài khoản' }).click(),
    ]);
    const group5 = (await rowCells(page, 'table.units')).find((r) => r[0] === 'Tổ dân phố số 5');
    expect(group5?.[3]).toBe(`Phạm Văn Tổ (${leader.username})`);
    await expectAccessible(page, 'the units page');
  });

  test('the leader lands on their campaign, checks the messy list and sees every problem by its row', async () => {
    const page = await as('leader');
    await expect(page.locator('header nav li a').allTextContents()).resolves.toEqual([
      expect.stringMatching(/^Chiến dịch/),
    ]);
    await expectAccessible(page, 'the submitter’s campaign page');
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('link', { name: 'Gửi danh sách', exact: true }).click(),
    ]);
    listUrl = page.url();
    await expectAccessible(page, 'the unit’s list page');
    await page.setInputFiles('#list-file', messyXlsx);
    await page.getByRole('button', { name: 'Kiểm tra' }).click();
    await page.locator('#list-report table.problems').waitFor();
    // test/fixtures/campaigns/README.md: rows 14, 16, 17, 18, 24 and 31 have problems.
    const problems = await rowCells(page, '#list-report table.problems');
    expect([...new Set(problems.map((r) => r[0]))]).toEqual(['14', '16', '17', '18', '24', '31']);
    expect(problems.find((r) => r[0] === '17')?.[2]).toBe('Thiếu số điện thoại.');
    const notes = await rowCells(page, '#list-report table.notes');
    expect(notes.map((r) => r[0])).toEqual(['13', '28']);
    const summary = await page.locator('#list-report dl.report-summary').textContent();
    expect(summary?.replace(/\s+/g, ' ')).toContain('Người hợp lệ23');
    await expect(page.locator('#list-report').textContent()).resolves.toContain(
      'Đã đọc trang tính «TDP5», dòng tiêu đề là dòng 6.',
    );
    const understood = await rowCells(page, '#list-report table.understood');
    expect(understood).toHaveLength(23);
    expect(understood[0]?.slice(0, 3)).toEqual(['8', 'Nguyễn Văn An', '…678']);
    expect(understood.every((r) => r.at(-1) === 'Tổ dân phố số 5')).toBe(true);
    await expect(page.locator('#list-status').textContent()).resolves.toMatch(
      /23 người hợp lệ trong 27 dòng/,
    );
    // Nothing is stored by a check.
    await expect(page.locator('section[aria-labelledby=current-list]').textContent()).resolves.toContain(
      'Đơn vị chưa gửi danh sách.',
    );
    await expectAccessible(page, 'the dry-run report');
    await page.evaluate("document.getElementById('send-list').scrollIntoView()");
    await screenshot(page, 'campaign-upload-report');
  });

  test('the leader confirms the same file, and reads the list back masked', async () => {
    const page = await as('leader');
    await Promise.all([
      page.waitForURL(/done=sent/),
      page.getByRole('button', { name: 'Xác nhận gửi danh sách' }).first().click(),
    ]);
    await expect(page.locator('[role=status]').first().textContent()).resolves.toMatch(/Đã gửi danh sách/);
    const current = await page.locator('section[aria-labelledby=current-list]').textContent();
    expect(current?.replace(/\s+/g, ' ')).toContain('to-dan-pho-5-messy.xlsx');
    const rows = await rowCells(page, 'table.list-rows');
    expect(rows[0]?.slice(0, 3)).toEqual(['8', 'Nguyễn Văn An', '…678']);
    expect(rows.some((r) => /\d{9}/.test(r[2] ?? ''))).toBe(false);
    await expectAccessible(page, 'the unit’s list after sending');
    expect(page.url().startsWith(listUrl)).toBe(true);
  });

  test('the coordinator sees the progress, the ranking, on a desk and on a phone', async () => {
    const t = served.t;
    // A school's list through the API (its CSV from the fixtures), and the campaign's earlier days:
    // the ward's daily snapshots as the workers would have left them, to draw the line over time.
    const campaignId = campaignUrl.split('/').at(-1) as string;
    const school = (
      await call(
        t.app,
        req('POST', `/api/v1/campaigns/${campaignId}/units`, bearer(coordinator.token), {
          kind: 'school',
          name: 'Trường THCS Việt Hoà',
          headcount: 40,
        }),
        201,
      )
    ).json().id as string;
    const body = multipart([
      {
        name: 'file',
        filename: 'truong-thcs.csv',
        bytes: await readFile(`${fixtures}truong-thcs-messy.csv`),
      },
    ]);
    const sent = await t.app.inject({
      method: 'POST',
      url: `/api/v1/campaigns/${campaignId}/units/${school}/lists`,
      headers: { ...bearer(coordinator.token), ...body.headers },
      payload: body.payload,
    });
    expect(sent.statusCode, sent.body).toBe(201);
    const days = [-18, -15, -12, -9, -6, -3].map((d, i) => ({
      campaign_id: campaignId,
      day: shift(d),
      group_id: '0',
      people: 3 + i * 4,
      covered_households: 2 + i * 3,
      smartphone_households: 260,
    }));
    await t.container.db.insertInto('campaign_snapshots').values(days).execute();

    for (const viewport of ['desktop', 'phone'] as const) {
      const context = await newContext(browser, viewport);
      const page = await context.newPage();
      try {
        await signIn(page, served.base, coordinator);
        await page.goto(campaignUrl);
        // README, both lists: 31 people, 21 households covered (18 in group 5, 3 in group 6), 3 unplaced.
        const figures = await page.$$eval('dl.figures div', (divs) =>
          divs.map((d) => [d.querySelector('dt')?.textContent, d.querySelector('dd')?.textContent]),
        );
        expect(Object.fromEntries(figures)).toEqual({
          'Người đã cài đặt (mỗi người tính một lần)': '31',
          'Hộ đã có người cài đặt / hộ có điện thoại thông minh': '21 / 260',
          'Tỷ lệ hộ đã có người cài đặt': '8%',
          'Người chưa xác định được tổ dân phố': '3',
        });
        const bars = page.locator('section[aria-labelledby=groups] g.chart-row > title');
        await expect(bars.allTextContents()).resolves.toEqual([
          'Tổ dân phố số 3: 0/160 hộ (0%)',
          'Tổ dân phố số 5: 18/40 hộ (45%)',
          'Tổ dân phố số 6: 3/60 hộ (5%)',
        ]);
        await expect(page.locator('section[aria-labelledby=timeline] line.chart-line').count()).resolves.toBe(
          6,
        );
        const ranking = await rowCells(page, 'table.ranking');
        expect(ranking.map((r) => r[1])).toEqual(['Tổ dân phố số 5', 'Tổ dân phố số 6', 'Tổ dân phố số 3']);
        await expectAccessible(page, `the dashboard (${viewport})`);
        // The pictures start at the figures (the page's top is the campaign's facts).
        if (viewport === 'phone') {
          await fits(page);
          await page.evaluate("document.getElementById('totals').scrollIntoView()");
          await screenshot(page, 'campaign-dashboard-phone', 'phone');
        } else {
          await page.evaluate("document.getElementById('totals').scrollIntoView()");
          await screenshot(page, 'campaign-dashboard');
        }
      } finally {
        await context.close();
      }
    }
  });

  test('the coordinator resolves nothing silently: the conflicts page, then freezes the ranking', async () => {
    const page = await as('coordinator');
    await page.goto(campaignUrl);
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('link', { name: 'Trùng lặp', exact: true }).click(),
    ]);
    // README, both lists: 0904111222 (Cường / Cúc) and 0914222333 (Phúc / Quyên), masked.
    const headings = await page.locator('section.conflict h2').allTextContents();
    expect(headings.sort()).toEqual([
      'Một số điện thoại, nhiều tên: …222',
      'Một số điện thoại, nhiều tên: …333',
    ]);
    await expectAccessible(page, 'the conflicts page');
    await screenshot(page, 'campaign-conflicts');
    await Promise.all([
      page.waitForURL(/reveal=true/),
      page.getByRole('button', { name: 'Hiện số điện thoại' }).click(),
    ]);
    await expect(page.locator('section.conflict h2').allTextContents()).resolves.toContain(
      'Một số điện thoại, nhiều tên: 0914222333',
    );
    const phuc = page.locator('section.conflict', { hasText: '0914222333' });
    await phuc.getByLabel('Cách xử lý').fill('Hai vợ chồng dùng chung số; đã báo tổ 5');
    await Promise.all([
      page.waitForURL(/done=resolved/),
      phuc.getByRole('button', { name: 'Ghi nhận đã xử lý' }).click(),
    ]);
    await expect(page.locator('.resolution').textContent()).resolves.toContain('Hai vợ chồng dùng chung số');
    await expectAccessible(page, 'the conflicts page with one resolved');

    await page.goto(campaignUrl);
    await expect(page.locator('#frozenOn').inputValue()).resolves.toBe(today);
    await Promise.all([
      page.waitForURL(/done=frozen/),
      page.getByRole('button', { name: 'Chốt xếp hạng' }).click(),
    ]);
    await expect(page.locator('.ranking-state').textContent()).resolves.toContain(
      `đã chốt ngày ${today.split('-').reverse().join('/')}`,
    );
    await expectAccessible(page, 'the dashboard with a frozen ranking');
    await page.goto(`${campaignUrl}/units`);
    await page.goto(`${campaignUrl}/groups`);
    await page.goto(`${served.base}/console/campaigns`);
    const lp = await as('leader');
    await lp.goto(`${served.base}/console/campaigns`);
    await lp.goto(listUrl);
  });
});
