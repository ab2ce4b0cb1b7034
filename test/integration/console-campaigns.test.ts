import ExcelJS from 'exceljs';
import type { HTMLElement } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chaseMessage } from '../../src/modules/campaigns/campaign-chase.ts';
import { notifyUsers } from '../../src/modules/notifications/notification-repository.ts';
import { bearer, call, createTestApp, req, type TestApp } from '../support/app.ts';
import { asUser, type ConsoleUser, form, htmlOf, signInConsole, textOf } from '../support/console.ts';
import { createStaff, createWard, type Ward } from '../support/fixtures.ts';
import { uid } from '../support/ids.ts';
import { multipart } from '../support/multipart.ts';

/**
 * The installation campaign in the console (issue 18): the culture office (the coordinator) creates a
 * campaign, pastes the groups' counts from Excel, adds units and a group leader's account; the leader
 * checks a list (a dry run, reported row by row), then sends it; the dashboard, ranking, conflicts and
 * downloads — and, for each role, what it sees and what is refused: the leader sees their own unit
 * only and no case page, the chairman reads but never uploads, another ward sees nothing, numbers are
 * masked but to the coordinator (whose reveals are audited), and a forged form stores nothing.
 */
let t: TestApp;
let ward: Ward;
let other: Ward;
let coordinator: ConsoleUser;
let chairman: ConsoleUser;
let reader: ConsoleUser;
let otherChairman: ConsoleUser;
let leader: ConsoleUser;
let campaignId: string;
let group5Unit: string;
let schoolUnit: string;
const password = 'password-123';
const leaderName = `to5-${uid().toLowerCase()}`;

type Cell = string | number | null;

/** A list as a group leader makes it in Excel: title rows, a merged title, the header, the rows. */
async function xlsx(rows: Cell[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Sheet1');
  ws.addRow(['DANH SÁCH CÀI ĐẶT ỨNG DỤNG SMART HẢI PHÒNG']);
  ws.mergeCells('A1:E1');
  ws.addRow([]);
  ws.addRow(['Stt', 'Họ và tên', 'Số điện thoại', 'Cơ quan/đơn vị/doanh nghiệp/tổ chức', 'Địa chỉ hiện tại']);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// Rows 4–8: Bình's number under a second name is a conflict with the school's list below; row 7
// repeats row 4; row 8 has no number.
const group5Rows: Cell[][] = [
  [1, 'Nguyễn Văn An', 912345678, 'Hưu trí', 'Số 3 ngõ 12, Tổ 5'],
  [2, 'Trần Thị Bình', '0979.383.369', 'Kinh doanh', 'Số 5 ngõ 12, Tổ 5'],
  [3, 'Lê Văn Cường', '+84 983 111 222', 'Công nhân', 'Số 7 ngõ 12, Tổ 5'],
  [4, 'Nguyễn Văn An', 912345678, 'Hưu trí', 'Số 3 ngõ 12, Tổ 5'],
  [5, 'Hoàng Văn Em', null, null, 'Số 11 ngõ 12, Tổ 5'],
];

const get = (user: ConsoleUser, url: string, headers: Record<string, string> = {}) =>
  t.app.inject(asUser(user, { method: 'GET', url, headers }));
const post = (user: ConsoleUser, url: string, fields: Record<string, string | string[]>) => {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ _csrf: user.csrf, ...fields }))
    for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
  return t.app.inject(
    asUser(user, {
      method: 'POST',
      url,
      payload: params.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
  );
};
/** The list form as a browser sends it: `_csrf` first, then the file, then the button pressed. */
const sendList = (
  user: ConsoleUser,
  unitId: string,
  file: Buffer | null,
  step: 'check' | 'confirm',
  o: { htmx?: boolean; csrf?: string | null } = {},
) => {
  const body = multipart([
    ...(o.csrf === null ? [] : [{ name: '_csrf', value: o.csrf ?? user.csrf }]),
    { name: 'file', filename: file ? 'to-5.xlsx' : '', bytes: file ?? Buffer.alloc(0) },
    { name: 'step', value: step },
  ]);
  return t.app.inject(
    asUser(user, {
      method: 'POST',
      url: `/console/campaigns/${campaignId}/units/${unitId}/list`,
      payload: body.payload,
      headers: {
        ...body.headers,
        ...(o.htmx ? { 'hx-request': 'true', 'x-csrf-token': o.csrf ?? user.csrf } : {}),
      },
    }),
  );
};
const navLinks = (page: HTMLElement) =>
  page.querySelectorAll('header nav li a').map((a) => a.getAttribute('href'));
const cellsOf = (table: HTMLElement | null | undefined) =>
  (table?.querySelectorAll('tbody tr') ?? []).map((tr) =>
    tr.querySelectorAll('th, td').map((c) => textOf(c)),
  );

beforeAll(async () => {
  // A small limit on list files, to see the page say it (the default is 10 MB).
  t = await createTestApp({ CAMPAIGN_LIST_MAX_BYTES: String(256 * 1024) });
  [ward, other] = await Promise.all([createWard(t), createWard(t)]);
  const users = await Promise.all([
    createStaff(t, 'department_head', { departmentId: ward.departments.culture.id }, password),
    createStaff(t, 'chairman', { wardId: ward.id }, password),
    createStaff(t, 'department_head', { departmentId: ward.departments.infra.id }, password),
    createStaff(t, 'chairman', { wardId: other.id }, password),
  ]);
  [coordinator, chairman, reader, otherChairman] = (await Promise.all(
    users.map((u) => signInConsole(t, u.username, password)),
  )) as [ConsoleUser, ConsoleUser, ConsoleUser, ConsoleUser];
}, 180_000);
afterAll(() => t.close());

describe('the coordinator sets the campaign up', () => {
  it('finds "Chiến dịch" in the navigation; the form says what is missing beside each field', async () => {
    const list = htmlOf(await get(coordinator, '/console/campaigns'));
    expect(textOf(list.querySelector('nav a[href="/console/campaigns"]'))).toBe('Chiến dịch');
    expect(list.querySelector('form[action="/console/campaigns"]')).not.toBeNull();
    const bad = await post(coordinator, '/console/campaigns', {
      name: '',
      startsOn: '2026-06-01',
      endsOn: '2026-05-01',
      householdCoverage: '120',
      staffShare: '100',
      householdsPerYouthMember: '10',
    });
    expect(bad.statusCode).toBe(400);
    const page = htmlOf(bad);
    expect(textOf(page.querySelector('#name-error'))).toBe('Vui lòng nhập nội dung này.');
    expect(page.querySelector('#name')?.getAttribute('aria-describedby')).toContain('name-error');
    expect(textOf(page.querySelector('#householdCoverage-error'))).toBe('Nhập một số từ 0 đến 100.');
    expect(textOf(page.querySelector('#endsOn-error'))).toBe('Ngày kết thúc trước ngày bắt đầu');
  });

  it('creates the campaign and lands on its dashboard', async () => {
    const res = await post(coordinator, '/console/campaigns', {
      name: 'Cài đặt Smart Hải Phòng 2026',
      documentNumber: '45/KH-UBND',
      documentDate: '2026-05-10',
      startsOn: '2026-05-15',
      endsOn: '2027-12-31',
      householdCoverage: '100',
      staffShare: '90',
      householdsPerYouthMember: '10',
    });
    expect(res.statusCode).toBe(303);
    const location = res.headers.location as string;
    campaignId = /\/console\/campaigns\/(\d+)\?done=created/.exec(location)?.[1] as string;
    expect(campaignId).toBeDefined();
    const page = htmlOf(await get(coordinator, location));
    expect(textOf(page.querySelector('h1'))).toBe('Cài đặt Smart Hải Phòng 2026');
    expect(textOf(page.querySelector('[role=status]'))).toMatch(/Đã tạo chiến dịch/);
    expect(textOf(page.querySelector('dl.facts'))).toContain('45/KH-UBND ngày 10/05/2026');
    expect(textOf(page.querySelector('dl.facts'))).toContain('90% cán bộ');
  });

  it('offers the create form to the chairman, not to another department', async () => {
    const chair = htmlOf(await get(chairman, '/console/campaigns'));
    expect(chair.querySelector('form[action="/console/campaigns"]')).not.toBeNull();
    const infra = htmlOf(await get(reader, '/console/campaigns'));
    expect(infra.querySelector('form[action="/console/campaigns"]')).toBeNull();
    expect(textOf(infra.querySelector('table.campaigns'))).toContain('Cài đặt Smart Hải Phòng 2026');
  });

  it('an admin sees every ward’s campaigns and picks the ward of a new one', async () => {
    const u = await createStaff(t, 'admin', {}, password);
    const admin = await signInConsole(t, u.username, password);
    const page = htmlOf(await get(admin, '/console/campaigns'));
    expect(textOf(page.querySelector('table.campaigns'))).toContain('Cài đặt Smart Hải Phòng 2026');
    const wardOption = page
      .querySelectorAll('#wardId option')
      .find((o) => o.getAttribute('value') === other.id);
    expect(wardOption).toBeDefined();
    const res = await post(admin, '/console/campaigns', {
      wardId: other.id,
      name: 'Chiến dịch của phường khác',
      startsOn: '2026-06-01',
      endsOn: '2026-09-30',
      householdCoverage: '95,5',
      staffShare: '100',
      householdsPerYouthMember: '10',
    });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    const made = htmlOf(await get(admin, res.headers.location as string));
    expect(textOf(made.querySelector('dl.facts'))).toContain('95,5% hộ');
    // Its ward's chairman sees it; this ward's does not.
    expect(textOf(htmlOf(await get(otherChairman, '/console/campaigns')))).toContain(
      'Chiến dịch của phường khác',
    );
    expect(textOf(htmlOf(await get(chairman, '/console/campaigns')))).not.toContain(
      'Chiến dịch của phường khác',
    );
  });

  it('imports the groups’ counts pasted from Excel, each bad line named beside the box', async () => {
    const url = `/console/campaigns/${campaignId}/groups/import`;
    const bad = await post(coordinator, url, {
      rows: 'Tổ dân phố số 5\t120\t5\nTổ dân phố số 3\t200\tnhiều\nTổ dân phố số 6\t10\t20',
    });
    expect(bad.statusCode).toBe(400);
    const page = htmlOf(bad);
    expect(page.querySelector('#rows')?.getAttribute('aria-invalid')).toBe('true');
    expect(page.querySelectorAll('#rows-error li').map((li) => textOf(li))).toEqual([
      'Dòng 2: Số hộ có điện thoại thông minh «nhiều» không phải số nguyên không âm.',
      'Dòng 3: số hộ có điện thoại thông minh lớn hơn số hộ.',
    ]);
    // What was pasted stays in the box, to be corrected.
    expect(page.querySelector('#rows')?.textContent).toContain('Tổ dân phố số 6\t10\t20');
    const ok = await post(coordinator, url, {
      rows: 'Tên tổ\tSố hộ\tSố hộ có ĐTTM\nTổ dân phố số 5\t120\t5\nTổ dân phố số 3\t1.200\t150',
      source: 'Báo cáo các tổ ngày 12/5/2026',
    });
    expect(ok.statusCode).toBe(303);
    const groups = htmlOf(await get(coordinator, ok.headers.location as string));
    expect(textOf(groups.querySelector('[role=status]'))).toBe(
      'Đã thêm 2 tổ, ghi số liệu mới cho 0 tổ, 0 tổ không đổi.',
    );
    const rows = cellsOf(groups.querySelector('table.groups'));
    expect(rows.map((r) => r.slice(0, 4))).toEqual([
      ['Tổ dân phố số 3', '1.200', '150', 'Báo cáo các tổ ngày 12/5/2026'],
      ['Tổ dân phố số 5', '120', '5', 'Báo cáo các tổ ngày 12/5/2026'],
    ]);
  });

  it('records a new version of one group’s counts, keeping the first', async () => {
    const groups = htmlOf(await get(coordinator, `/console/campaigns/${campaignId}/groups`));
    const link = groups
      .querySelectorAll('table.groups a')
      .find((a) => textOf(a) === 'Tổ dân phố số 5')
      ?.getAttribute('href') as string;
    const refused = await post(coordinator, link, { households: '10', smartphoneHouseholds: '12' });
    expect(refused.statusCode).toBe(400);
    expect(textOf(htmlOf(refused).querySelector('#smartphoneHouseholds-error'))).toBe(
      'Số hộ có điện thoại thông minh không thể lớn hơn số hộ',
    );
    const saved = await post(coordinator, link, {
      households: '120',
      smartphoneHouseholds: '6',
      source: 'Tổ trưởng báo lại',
    });
    expect(saved.statusCode).toBe(303);
    const page = htmlOf(await get(coordinator, saved.headers.location as string));
    expect(cellsOf(page.querySelector('table.versions')).map((r) => r.slice(1))).toEqual([
      ['120', '6', 'Tổ trưởng báo lại'],
      ['120', '5', 'Báo cáo các tổ ngày 12/5/2026'],
    ]);
    // Another department reads the counts but is offered no form; the service refuses it all the same.
    const readOnly = htmlOf(await get(reader, link));
    expect(readOnly.querySelector('form.campaign-form')).toBeNull();
    expect((await post(reader, link, { households: '1', smartphoneHouseholds: '1' })).statusCode).toBe(403);
  });

  it('adds a group unit named after its group, a school, and the leader’s account', async () => {
    const units = htmlOf(await get(coordinator, `/console/campaigns/${campaignId}/units`));
    const group5 = units
      .querySelectorAll('#residentialGroupId option')
      .find((o) => textOf(o) === 'Tổ dân phố số 5')
      ?.getAttribute('value') as string;
    const wrong = await post(coordinator, `/console/campaigns/${campaignId}/units`, {
      kind: 'residential_group',
      residentialGroupId: '',
      name: '',
    });
    expect(wrong.statusCode).toBe(400);
    expect(textOf(htmlOf(wrong).querySelector('#residentialGroupId-error'))).toBe(
      'Chọn tổ dân phố cho đơn vị loại «Tổ dân phố».',
    );
    const url = `/console/campaigns/${campaignId}/units`;
    expect(
      (await post(coordinator, url, { kind: 'residential_group', residentialGroupId: group5, name: '' }))
        .statusCode,
    ).toBe(303);
    expect(
      (
        await post(coordinator, url, {
          kind: 'school',
          residentialGroupId: '',
          name: 'Trường THCS Việt Hoà',
          headcount: '4',
        })
      ).statusCode,
    ).toBe(303);
    const twice = await post(coordinator, url, {
      kind: 'school',
      residentialGroupId: '',
      name: 'Trường THCS Việt Hoà',
    });
    expect(twice.statusCode).toBe(400);
    expect(textOf(htmlOf(twice).querySelector('[role=alert]'))).toBe(
      'Chiến dịch đã có đơn vị tên «Trường THCS Việt Hoà».',
    );
    const page = htmlOf(await get(coordinator, url));
    const options = page.querySelectorAll('#unitId option');
    group5Unit = options
      .find((o) => textOf(o).startsWith('Tổ dân phố số 5'))
      ?.getAttribute('value') as string;
    schoolUnit = options.find((o) => textOf(o).startsWith('Trường'))?.getAttribute('value') as string;
    expect(textOf(page.querySelector('#kind option[value=school]'))).toBe('Trường học');

    const short = await post(coordinator, `/console/campaigns/${campaignId}/submitters`, {
      unitId: group5Unit,
      username: leaderName,
      fullName: 'Tổ trưởng tổ 5',
      password: 'ngan',
    });
    expect(short.statusCode).toBe(400);
    expect(textOf(htmlOf(short).querySelector('#password-error'))).toBe('Mật khẩu tối thiểu 10 ký tự');
    const made = await post(coordinator, `/console/campaigns/${campaignId}/submitters`, {
      unitId: group5Unit,
      username: leaderName,
      fullName: 'Tổ trưởng tổ 5',
      password: 'to-truong-2026',
    });
    expect(made.statusCode).toBe(303);
    const after = htmlOf(await get(coordinator, made.headers.location as string));
    const row = cellsOf(after.querySelector('table.units')).find((r) => r[0] === 'Tổ dân phố số 5');
    expect(row?.[3]).toBe(`Tổ trưởng tổ 5 (${leaderName})`);
    expect(row?.[4]).toContain('Chưa gửi');
  });
});

describe('the group leader', () => {
  it('signs in to their campaign: one navigation entry, their unit, and no case page', async () => {
    const signedIn = await signInConsole(t, leaderName, 'to-truong-2026');
    const landing = await get(signedIn, '/console');
    expect(landing.statusCode).toBe(303);
    expect(landing.headers.location).toBe('/console/campaigns');
    const home = htmlOf(await get(signedIn, '/console/campaigns'));
    leader = {
      ...signedIn,
      csrf:
        home.querySelector('form[action="/console/sign-out"] input[name=_csrf]')?.getAttribute('value') ?? '',
    };
    expect(navLinks(home)).toEqual(['/console/campaigns']);
    expect(textOf(home.querySelector('section.card'))).toContain('Đơn vị của bạn: Tổ dân phố số 5');
    expect(
      home.querySelector(`a[href="/console/campaigns/${campaignId}/units/${group5Unit}/list"]`),
    ).not.toBeNull();
    for (const url of [
      '/console/queue',
      '/console/cases',
      '/console/board',
      '/console/intake/new',
      '/console/templates',
      '/console/admin',
    ])
      expect((await get(leader, url)).statusCode, url).toBe(403);
    expect((await get(leader, `/console/campaigns/${campaignId}/units`)).statusCode).toBe(403);
    expect((await get(leader, `/console/campaigns/${campaignId}/conflicts`)).statusCode).toBe(403);
    expect((await get(leader, `/console/campaigns/${campaignId}/report.xlsx`)).statusCode).toBe(403);
  });

  it('sees only their own unit: another unit’s list and template are not there', async () => {
    const mine = await get(leader, `/console/campaigns/${campaignId}/units/${group5Unit}/list`);
    expect(mine.statusCode).toBe(200);
    const page = htmlOf(mine);
    expect(navLinks(page)).toEqual(['/console/campaigns']);
    expect(page.querySelector('form#list-form input[type=file][name=file]')).not.toBeNull();
    expect((await get(leader, `/console/campaigns/${campaignId}/units/${schoolUnit}/list`)).statusCode).toBe(
      404,
    );
    expect(
      (await get(leader, `/console/campaigns/${campaignId}/units/${schoolUnit}/template.xlsx`)).statusCode,
    ).toBe(404);
    const template = await get(leader, `/console/campaigns/${campaignId}/units/${group5Unit}/template.xlsx`);
    expect(template.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(template.rawPayload as unknown as ArrayBuffer);
    expect(String(wb.worksheets[0]?.getCell('A2').value)).toContain('Tổ dân phố số 5');
  });

  it('checks the list (htmx): the report region only, every problem by row, numbers masked, nothing stored', async () => {
    const res = await sendList(leader, group5Unit, await xlsx(group5Rows), 'check', { htmx: true });
    expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
    const region = htmlOf(res);
    expect(region.querySelector('h1')).toBeNull();
    expect(textOf(region.querySelector('#report-heading'))).toBe('Kết quả kiểm tra: to-5.xlsx');
    const problems = cellsOf(region.querySelector('table.problems'));
    expect(problems.map((r) => r[0])).toEqual(['7', '8']);
    expect(problems.find((r) => r[0] === '8')?.[2]).toMatch(/Thiếu số điện thoại/);
    const understood = cellsOf(region.querySelector('table.understood'));
    expect(understood[0]).toEqual([
      '4',
      'Nguyễn Văn An',
      '…678',
      'Hưu trí',
      'Số 3 ngõ 12, Tổ 5',
      '',
      'Tổ dân phố số 5',
    ]);
    expect(region.toString()).not.toMatch(/0912345678|912345678/);
    // The confirm button sends the same form (with the same file) again.
    const confirm = region.querySelector('button[value=confirm]');
    expect(confirm?.getAttribute('form')).toBe('list-form');
    // The status line for screen readers, swapped out of band.
    expect(textOf(region.querySelector('#list-status'))).toMatch(/^Đã kiểm tra: 4 người hợp lệ trong 5 dòng/);
    const unit = htmlOf(await get(leader, `/console/campaigns/${campaignId}/units/${group5Unit}/list`));
    expect(textOf(unit.querySelector('section[aria-labelledby=current-list] p'))).toBe(
      'Đơn vị chưa gửi danh sách.',
    );
  });

  it('checks without JavaScript: the whole page with the report, asked to pick the file again to confirm', async () => {
    const res = await sendList(leader, group5Unit, await xlsx(group5Rows), 'check');
    expect(res.statusCode).toBe(200);
    const page = htmlOf(res);
    expect(textOf(page.querySelector('h1'))).toBe('Danh sách của Tổ dân phố số 5');
    expect(page.querySelector('#list-report table.problems')).not.toBeNull();
    expect(textOf(page.querySelector('#list-report .confirm'))).toMatch(/hãy chọn lại đúng tệp đó/);
    const noFile = await sendList(leader, group5Unit, null, 'confirm');
    expect(noFile.statusCode).toBe(400);
    expect(textOf(htmlOf(noFile).querySelector('#list-file-error'))).toMatch(/hãy chọn lại đúng tệp đó/);
  });

  it('is told beside the field what is wrong with a file that is no list', async () => {
    const res = await sendList(leader, group5Unit, Buffer.from('%PDF-1.4\n%%EOF\n'), 'check');
    expect(res.statusCode).toBe(400);
    const page = htmlOf(res);
    expect(page.querySelector('#list-file')?.getAttribute('aria-invalid')).toBe('true');
    expect(textOf(page.querySelector('#list-file-error'))).toMatch(/PDF/);
  });

  it('confirms: htmx is sent to the page anew, which shows the list stored and its rows masked', async () => {
    const res = await sendList(leader, group5Unit, await xlsx(group5Rows), 'confirm', { htmx: true });
    expect(res.statusCode).toBe(200);
    const next = res.headers['hx-redirect'] as string;
    expect(next).toBe(`/console/campaigns/${campaignId}/units/${group5Unit}/list?done=sent`);
    const page = htmlOf(await get(leader, next));
    expect(textOf(page.querySelector('[role=status]'))).toMatch(/Đã gửi danh sách/);
    expect(textOf(page.querySelector('section[aria-labelledby=current-list]'))).toContain('to-5.xlsx');
    const rows = cellsOf(page.querySelector('table.list-rows'));
    expect(rows.map((r) => r[2])).toEqual(['…678', '…369', '…222', '…678']);
    // No reveal for the leader, even asked for by address.
    const asked = htmlOf(await get(leader, `${next.split('?')[0]}?reveal=true`));
    expect(cellsOf(asked.querySelector('table.list-rows'))[0]?.[2]).toBe('…678');
    expect(asked.querySelector('form.reveal')).toBeNull();
  });

  it('sends nothing on a forged form: no token, or a wrong one, is refused before the file is read', async () => {
    const before = htmlOf(await get(coordinator, `/console/campaigns/${campaignId}/units`));
    const noToken = await sendList(leader, schoolUnit, await xlsx(group5Rows), 'confirm', { csrf: null });
    expect(noToken.statusCode).toBe(403);
    expect(textOf(htmlOf(noToken).querySelector('h1'))).toBe('Yêu cầu bị từ chối');
    const forged = await sendList(coordinator, schoolUnit, await xlsx(group5Rows), 'confirm', {
      csrf: 'x'.repeat(43),
    });
    expect(forged.statusCode).toBe(403);
    const after = htmlOf(await get(coordinator, `/console/campaigns/${campaignId}/units`));
    expect(textOf(after.querySelector('table.units'))).toBe(textOf(before.querySelector('table.units')));
    const freeze = await t.app.inject(
      asUser(coordinator, {
        method: 'POST',
        url: `/console/campaigns/${campaignId}/ranking/freeze`,
        ...form({ frozenOn: '2026-07-01' }),
      }),
    );
    expect(freeze.statusCode).toBe(403);
  });
});

describe('the coordinator, the chairman and the rest of the ward', () => {
  it('the coordinator sends the school’s list and sees the numbers it sent', async () => {
    const school = await xlsx([
      [1, 'Nguyễn Văn An', '+84912345678', 'Phụ huynh', 'Số 3 ngõ 12, Tổ 5'],
      [2, 'Bùi Thị Giang', '0983111222', 'Giáo viên', 'Số 20 Lê Lợi, Tổ 3'],
    ]);
    const check = htmlOf(await sendList(coordinator, schoolUnit, school, 'check', { htmx: true }));
    expect(cellsOf(check.querySelector('table.understood')).map((r) => r[2])).toEqual([
      '0912345678',
      '0983111222',
    ]);
    expect((await sendList(coordinator, schoolUnit, school, 'confirm')).statusCode).toBe(303);
  });

  it('the chairman reads a unit’s rows masked and is offered no upload; posting one is refused', async () => {
    const page = htmlOf(await get(chairman, `/console/campaigns/${campaignId}/units/${group5Unit}/list`));
    expect(page.querySelector('form#list-form')).toBeNull();
    expect(textOf(page)).toContain(
      'Danh sách do người gửi của đơn vị hoặc phòng điều phối chiến dịch tải lên.',
    );
    expect(cellsOf(page.querySelector('table.list-rows'))[0]?.[2]).toBe('…678');
    expect((await sendList(chairman, group5Unit, await xlsx(group5Rows), 'check')).statusCode).toBe(403);
    // Another department reads the dashboard, not the rows.
    expect((await get(reader, `/console/campaigns/${campaignId}/units/${group5Unit}/list`)).statusCode).toBe(
      403,
    );
    expect((await get(reader, `/console/campaigns/${campaignId}`)).statusCode).toBe(200);
  });

  it('another ward sees no campaign at all', async () => {
    for (const url of [
      `/console/campaigns/${campaignId}`,
      `/console/campaigns/${campaignId}/units`,
      `/console/campaigns/${campaignId}/units/${group5Unit}/list`,
      `/console/campaigns/${campaignId}/report.xlsx`,
    ])
      expect((await get(otherChairman, url)).statusCode, url).toBe(404);
    const list = htmlOf(await get(otherChairman, '/console/campaigns'));
    expect(textOf(list)).not.toContain('Cài đặt Smart Hải Phòng 2026');
  });

  it('the dashboard: totals, a bar per group with its words, the ranking with its rules, who has not sent', async () => {
    const page = htmlOf(await get(chairman, `/console/campaigns/${campaignId}`));
    const figures = Object.fromEntries(
      page
        .querySelectorAll('dl.figures div')
        .map((d) => [textOf(d.querySelector('dt')), textOf(d.querySelector('dd'))]),
    );
    // An, Bình, Cường from the group; the school's An is An, its Giang has Cường's number: 3 people.
    // Group 5: 3 households of 6; group 3 none (the group's own list keeps Cường).
    expect(figures).toEqual({
      'Người đã cài đặt (mỗi người tính một lần)': '3',
      'Hộ đã có người cài đặt / hộ có điện thoại thông minh': '3 / 156',
      'Tỷ lệ hộ đã có người cài đặt': '1,9%',
      'Người chưa xác định được tổ dân phố': '0',
    });
    const chart = page.querySelector('section[aria-labelledby=groups] svg.chart');
    expect(chart?.getAttribute('role')).toBe('img');
    expect(textOf(chart?.querySelector('title'))).toMatch(/theo tổ dân phố/);
    expect(chart?.querySelectorAll('g.chart-row > title').map((x) => textOf(x))).toEqual([
      'Tổ dân phố số 3: 0/150 hộ (0%)',
      'Tổ dân phố số 5: 3/6 hộ (50%)',
    ]);
    expect(page.toString()).not.toMatch(/style="/);
    expect(
      page.querySelector('section[aria-labelledby=timeline] svg.chart line.chart-target'),
    ).not.toBeNull();
    const ranking = cellsOf(page.querySelector('table.ranking'));
    expect(ranking.map((r) => [r[0], r[1]])).toEqual([
      ['1', 'Tổ dân phố số 5'],
      ['2', 'Tổ dân phố số 3'],
    ]);
    expect(textOf(page.querySelector('section[aria-labelledby=ranking]'))).toMatch(
      /Xếp hạng tạm tính.*Cách xếp hạng/,
    );
    expect(textOf(page.querySelector('section[aria-labelledby=missing]'))).toMatch(/\(0\)/);
    expect(page.querySelector(`a[href="/console/campaigns/${campaignId}/report.xlsx"]`)).not.toBeNull();
    expect(page.querySelector(`a[href="/console/campaigns/${campaignId}/list.xlsx"]`)).toBeNull();
    expect(page.querySelector('form[action$="/ranking/freeze"]')).toBeNull();
    const report = await get(chairman, `/console/campaigns/${campaignId}/report.xlsx`);
    expect(report.statusCode).toBe(200);
    expect(report.headers['content-type']).toMatch(/spreadsheetml/);
    expect((await get(chairman, `/console/campaigns/${campaignId}/list.xlsx`)).statusCode).toBe(403);
  });

  it('the leader’s dashboard: the ward’s totals and their own unit, no downloads', async () => {
    const page = htmlOf(await get(leader, `/console/campaigns/${campaignId}`));
    expect(page.querySelectorAll('section[aria-labelledby=groups] g.chart-row')).toHaveLength(1);
    expect(textOf(page.querySelector('section[aria-labelledby=my-unit]'))).toContain('Tổ dân phố số 5');
    expect(page.querySelector('section[aria-labelledby=downloads]')).toBeNull();
    expect(page.querySelectorAll('nav.tabs a').map((a) => textOf(a))).toEqual([
      'Tổng quan',
      'Danh sách của đơn vị',
    ]);
  });

  it('the coordinator freezes the ranking and sets the chase, and downloads the list (audited)', async () => {
    const dash = htmlOf(await get(coordinator, `/console/campaigns/${campaignId}`));
    const listLink = dash.querySelector(`a[href="/console/campaigns/${campaignId}/list.xlsx"]`);
    expect(textOf(dash.querySelector(`#${listLink?.getAttribute('aria-describedby')}`))).toMatch(
      /ghi vào nhật ký/,
    );
    const early = await post(coordinator, `/console/campaigns/${campaignId}/ranking/freeze`, {
      frozenOn: '2026-01-01',
    });
    expect(early.statusCode).toBe(400);
    expect(textOf(htmlOf(early).querySelector('#frozenOn-error'))).toBe('Trước ngày bắt đầu');
    const frozen = await post(coordinator, `/console/campaigns/${campaignId}/ranking/freeze`, {
      frozenOn: '2026-07-01',
    });
    expect(frozen.statusCode).toBe(303);
    const after = htmlOf(await get(coordinator, `/console/campaigns/${campaignId}`));
    expect(textOf(after.querySelector('.ranking-state'))).toMatch(/đã chốt ngày 01\/07\/2026/);
    expect(
      after.querySelector(`a[href="/console/campaigns/${campaignId}?live=true#ranking"]`),
    ).not.toBeNull();

    const chase = await post(coordinator, `/console/campaigns/${campaignId}/chase`, {
      weekday: ['1', '4'],
      hour: '8',
    });
    expect(chase.statusCode).toBe(303);
    const scheduled = htmlOf(await get(coordinator, chase.headers.location as string));
    expect(textOf(scheduled.querySelector('section[aria-labelledby=chase] p'))).toBe(
      'Đang nhắc vào Thứ Hai, Thứ Năm, lúc 08:00.',
    );
    expect(scheduled.querySelector('#weekday-4')?.hasAttribute('checked')).toBe(true);

    const list = await get(coordinator, `/console/campaigns/${campaignId}/list.xlsx`);
    expect(list.statusCode).toBe(200);
    const audit = await call(
      t.app,
      req('GET', `/api/v1/audit?objectType=campaign&objectId=${campaignId}`, bearer(ward.tokens.chairman)),
      200,
    );
    expect(audit.json().items.map((e: { action: string }) => e.action)).toContain('campaign.export');
  });

  it('the conflicts: numbers masked, shown on request (audited), resolved with a note said beside', async () => {
    const url = `/console/campaigns/${campaignId}/conflicts`;
    expect((await get(chairman, url)).statusCode).toBe(403);
    const page = htmlOf(await get(coordinator, url));
    const conflicts = page.querySelectorAll('section.conflict');
    // An is on both lists under one name: no conflict. Cường (+84 983 111 222) and Giang (0983111222)
    // share a number under two names: one.
    expect(conflicts).toHaveLength(1);
    expect(textOf(conflicts[0]?.querySelector('h2'))).toBe('Một số điện thoại, nhiều tên: …222');
    expect(
      cellsOf(conflicts[0]?.querySelector('table'))
        .map((r) => r[2])
        .sort(),
    ).toEqual(['Bùi Thị Giang', 'Lê Văn Cường']);
    const button = page.querySelector('form.reveal button');
    expect(textOf(page.querySelector(`#${button?.getAttribute('aria-describedby')}`))).toMatch(
      /ghi vào nhật ký kiểm tra/,
    );
    const revealed = htmlOf(await get(coordinator, `${url}?reveal=true`));
    expect(textOf(revealed.querySelector('section.conflict h2'))).toBe(
      'Một số điện thoại, nhiều tên: 0983111222',
    );
    const audit = await call(
      t.app,
      req('GET', `/api/v1/audit?objectType=campaign&objectId=${campaignId}`, bearer(ward.tokens.chairman)),
      200,
    );
    expect(audit.json().items.map((e: { action: string }) => e.action)).toContain('campaign.reveal');

    const action = page.querySelector('form.resolve')?.getAttribute('action') as string;
    const empty = await post(coordinator, action, { note: '  ' });
    expect(empty.statusCode).toBe(400);
    const noteId = htmlOf(empty).querySelector('form.resolve textarea')?.getAttribute('id');
    expect(textOf(htmlOf(empty).querySelector(`#${noteId}-error`))).toBe('Vui lòng nhập nội dung này.');
    const done = await post(coordinator, action, { note: 'Hai người dùng chung số; đã báo trường sửa' });
    expect(done.statusCode).toBe(303);
    const resolved = htmlOf(await get(coordinator, done.headers.location as string));
    expect(resolved.querySelector('form.resolve')).toBeNull();
    expect(textOf(resolved.querySelector('.resolution'))).toContain(
      'Hai người dùng chung số; đã báo trường sửa',
    );
    expect(textOf(resolved.querySelector('section.conflict h2'))).toContain('…222');
  });

  it('the leader finds the chase reminder on their campaign page, counted in the navigation', async () => {
    // The reminder as the workers' chase writes it (campaign-background.ts), to the leader's inbox; not
    // the chase itself, which goes through every campaign of the run's database.
    const user = await t.container.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', leaderName)
      .executeTakeFirstOrThrow();
    const message = chaseMessage(
      { name: 'Cài đặt Smart Hải Phòng 2026', endsOn: '2027-12-31' },
      { name: 'Tổ dân phố số 5', listed: 3, target: 6, rate: 0.5, submitted: true },
    );
    await notifyUsers(t.container.db, [user.id], { type: 'campaign', ...message });
    const home = htmlOf(await get(leader, '/console/campaigns'));
    expect(textOf(home.querySelector('section[aria-labelledby=reminders] .inbox li.unread .title'))).toMatch(
      /Tổ dân phố số 5: chưa đạt chỉ tiêu/,
    );
    expect(textOf(home.querySelector('nav a[href="/console/campaigns"] .visually-hidden'))).toBe(
      '(1 chưa đọc)',
    );
    const markRead = home.querySelector('.inbox li.unread button')?.getAttribute('hx-post') as string;
    const read = await t.app.inject(
      asUser(leader, {
        method: 'POST',
        url: markRead,
        headers: { 'x-csrf-token': leader.csrf, 'hx-request': 'true' },
      }),
    );
    expect(read.statusCode).toBe(200);
    expect(textOf(htmlOf(await get(leader, '/console/inbox/unread')).querySelector('.visually-hidden'))).toBe(
      '(không có thông báo chưa đọc)',
    );
  });

  it('pages a long list fifty rows at a time, and says a file over the limit is too large', async () => {
    const police = (
      await call(
        t.app,
        req('POST', `/api/v1/campaigns/${campaignId}/units`, bearer(ward.tokens.cultureHead), {
          kind: 'police',
          name: 'Công an phường',
          headcount: 60,
        }),
        201,
      )
    ).json().id as string;
    const many = Array.from({ length: 55 }, (_, i): Cell[] => [
      i + 1,
      `Cán bộ ${i + 1}`,
      `0906${String(i).padStart(6, '0')}`,
      'Công an phường',
      'Trụ sở Công an phường',
    ]);
    expect((await sendList(coordinator, police, await xlsx(many), 'confirm')).statusCode).toBe(303);
    const url = `/console/campaigns/${campaignId}/units/${police}/list`;
    const first = htmlOf(await get(coordinator, url));
    expect(cellsOf(first.querySelector('table.list-rows'))).toHaveLength(50);
    const next = first.querySelector('a[rel=next]')?.getAttribute('href') as string;
    const second = htmlOf(await get(coordinator, next));
    expect(cellsOf(second.querySelector('table.list-rows')).map((r) => r[0])).toEqual([
      '54',
      '55',
      '56',
      '57',
      '58',
    ]);
    expect(second.querySelector('a[rel=next]')).toBeNull();

    const huge = Buffer.alloc(300 * 1024, 0x41);
    const res = await sendList(coordinator, police, huge, 'check', { htmx: true });
    expect(res.statusCode).toBe(413);
    expect(textOf(htmlOf(res).querySelector('[role=alert]'))).toBe(
      'Tệp lớn hơn 256 KB. Hãy xoá các trang tính không cần hoặc chia danh sách thành nhiều tệp.',
    );
  });
});
