import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaignBackground } from '../../src/modules/campaigns/campaign-background.ts';
import { bearer, call, createTestApp, login, req, type TestApp } from '../support/app.ts';
import { createWard, type Ward } from '../support/fixtures.ts';
import { multipart } from '../support/multipart.ts';
import { expectProblem } from '../support/problems.ts';

/**
 * The installation campaign (issue 18) through /api/v1 as a ward runs it: the culture office imports
 * the groups' counts and starts the campaign, a group leader dry-runs and then sends a list made in
 * Excel, a school's list repeats some of the same people, and progress counts each person once; the
 * ranking is frozen; the chairman's report carries no personal data; the coordinator alone exports
 * the list and sees numbers, each time audited; another ward sees nothing.
 */
let t: TestApp;
let ward: Ward;
let other: Ward;
let campaignId: string;
let groupIds: Record<string, string>;
let units: Record<'group5' | 'group3' | 'school' | 'police', string>;
let leader: string;

type Cell = string | number | null | { formula: string; result: number };

/** A list as a group leader makes it in Excel: title rows, a merged title, the header, the rows. */
async function xlsx(rows: Cell[][], options: { household?: boolean } = {}): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Sheet1');
  ws.addRow(['ỦY BAN NHÂN DÂN PHƯỜNG THỬ']);
  ws.mergeCells('A1:E1');
  ws.addRow(['DANH SÁCH CÀI ĐẶT ỨNG DỤNG SMART HẢI PHÒNG']);
  ws.mergeCells('A2:E2');
  ws.addRow([]);
  ws.addRow([
    'Stt',
    'Họ và tên',
    'Số điện thoại',
    'Cơ quan/đơn vị/doanh nghiệp/tổ chức',
    'Địa chỉ hiện tại',
    ...(options.household ? ['Mã hộ'] : []),
  ]);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const upload = (token: string, unitId: string, file: Buffer, name: string, dryRun = false) => {
  const body = multipart([{ name: 'file', filename: name, bytes: file }]);
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/campaigns/${campaignId}/units/${unitId}/lists${dryRun ? '?dryRun=true' : ''}`,
    headers: { ...bearer(token), ...body.headers },
    payload: body.payload,
  });
};
const get = async (token: string, path: string, status = 200) =>
  (await call(t.app, req('GET', path, bearer(token)), status)).json();
const progress = (token: string) => get(token, `/api/v1/campaigns/${campaignId}/progress`);

// Group 5's leader's list: 6 person rows — one repeated, one with no phone, one landline-only — so 4
// people; households: two people at "Số 3 ngõ 12" are one household, the rest one each → 3 households.
const group5Rows: Cell[][] = [
  [1, 'Nguyễn Văn An', 912345678, 'Hưu trí', 'Số 3 ngõ 12, Tổ 5'],
  [{ formula: 'A5+1', result: 2 }, 'Trần Thị Bình', '0979.383.369', 'Kinh doanh', 'Số 3 Ngõ 12 - TDP 05'],
  [3, 'Lê Văn Cường', '+84 983 111 222', 'Công nhân', '7 ngõ 12, Tổ 5'],
  [4, 'Phạm Thị Dung', '01627 555 666', null, '9 ngõ 12, Tổ 5'],
  [5, 'Nguyễn Văn An', 912345678, 'Hưu trí', 'Số 3 ngõ 12, Tổ 5'],
  [6, 'Hoàng Văn Em', null, null, '11 ngõ 12, Tổ 5'],
  [7, 'Đỗ Văn Phong', '0225 3842 111', null, '13 ngõ 12, Tổ 5'],
];

beforeAll(async () => {
  t = await createTestApp();
  [ward, other] = await Promise.all([createWard(t), createWard(t)]);
}, 180_000);
afterAll(() => t.close());

describe('the culture office sets the campaign up', () => {
  it("imports the groups' declared counts, keeping every version with who entered it", async () => {
    const r = await call(
      t.app,
      req('POST', `/api/v1/wards/${ward.id}/residential-group-imports`, bearer(ward.tokens.cultureHead), {
        source: 'Báo cáo các tổ ngày 12/5/2026',
        groups: [
          { name: 'Tổ dân phố số 3', households: 200, smartphoneHouseholds: 150 },
          { name: 'Tổ dân phố số 5', households: 120, smartphoneHouseholds: 4 },
        ],
      }),
      200,
    );
    expect(r.json()).toMatchObject({ created: 2, updated: 0, unchanged: 0 });
    groupIds = Object.fromEntries(r.json().groups.map((g: { id: string; name: string }) => [g.name, g.id]));
    const again = await call(
      t.app,
      req('POST', `/api/v1/wards/${ward.id}/residential-group-imports`, bearer(ward.tokens.cultureHead), {
        groups: [
          { name: 'tổ dân phố số 3', households: 200, smartphoneHouseholds: 150 },
          { name: 'Tổ dân phố số 5', households: 120, smartphoneHouseholds: 5 },
        ],
      }),
      200,
    );
    expect(again.json()).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
    const versions = await get(
      ward.tokens.chairman,
      `/api/v1/wards/${ward.id}/residential-groups/${groupIds['Tổ dân phố số 5']}/versions`,
    );
    expect(versions.items.map((v: { smartphoneHouseholds: number }) => v.smartphoneHouseholds)).toEqual([
      5, 4,
    ]);
    expect(versions.items[1]).toMatchObject({
      source: 'Báo cáo các tổ ngày 12/5/2026',
      recordedBy: 'Cán bộ department_head',
    });
  });

  it('refuses counts that cannot be, naming the field, and keeps groups to their keepers', async () => {
    expectProblem(
      await t.app.inject(
        req('POST', `/api/v1/wards/${ward.id}/residential-groups`, bearer(ward.tokens.cultureHead), {
          name: 'Tổ 9',
          households: 10,
          smartphoneHouseholds: 11,
        }),
      ),
      400,
      'smartphoneHouseholds',
    );
    expectProblem(
      await t.app.inject(
        req('POST', `/api/v1/wards/${ward.id}/residential-groups`, bearer(ward.tokens.infraHead), {
          name: 'Tổ 9',
          households: 10,
          smartphoneHouseholds: 5,
        }),
      ),
      403,
    );
    expectProblem(
      await t.app.inject(
        req('GET', `/api/v1/wards/${ward.id}/residential-groups`, bearer(other.tokens.chairman)),
      ),
      404,
    );
  });

  it('starts the campaign with the culture office coordinating by default, and adds the units', async () => {
    const c = await call(
      t.app,
      req('POST', '/api/v1/campaigns', bearer(ward.tokens.cultureHead), {
        wardId: ward.id,
        name: 'Cài đặt Smart Hải Phòng 2026',
        documentNumber: '45/KH-UBND',
        documentDate: '2026-05-10',
        startsOn: '2026-05-15',
        endsOn: '2026-12-31',
      }),
      201,
    );
    campaignId = c.json().id;
    expect(c.json()).toMatchObject({
      coordinatingDepartmentId: ward.departments.culture.id,
      targets: { householdCoverage: 1, staffShare: 1, householdsPerYouthMember: 10 },
      access: 'coordinator',
    });
    const unit = async (body: object) =>
      (
        await call(
          t.app,
          req('POST', `/api/v1/campaigns/${campaignId}/units`, bearer(ward.tokens.cultureHead), body),
          201,
        )
      ).json().id as string;
    units = {
      group5: await unit({
        kind: 'residential_group',
        name: 'Tổ dân phố số 5',
        residentialGroupId: groupIds['Tổ dân phố số 5'],
      }),
      group3: await unit({
        kind: 'residential_group',
        name: 'Tổ dân phố số 3',
        residentialGroupId: groupIds['Tổ dân phố số 3'],
      }),
      school: await unit({ kind: 'school', name: 'Trường THCS Việt Hoà', headcount: 4 }),
      police: await unit({ kind: 'police', name: 'Công an phường', headcount: 30 }),
    };
    expectProblem(
      await t.app.inject(
        req('POST', `/api/v1/campaigns/${campaignId}/units`, bearer(ward.tokens.cultureHead), {
          kind: 'residential_group',
          name: 'Tổ 7',
        }),
      ),
      400,
      'residentialGroupId',
    );
    expectProblem(
      await t.app.inject(
        req('POST', `/api/v1/campaigns/${campaignId}/units`, bearer(ward.tokens.infraHead), {
          kind: 'other',
          name: 'X',
        }),
      ),
      403,
    );
  });

  it('gives group 5 its leader, who signs in and sees their campaign and unit only — and no case', async () => {
    await call(
      t.app,
      req(
        'POST',
        `/api/v1/campaigns/${campaignId}/units/${units.group5}/submitters`,
        bearer(ward.tokens.cultureHead),
        {
          username: `to5-${campaignId}`,
          password: 'to-truong-2026',
          fullName: 'Tổ trưởng tổ 5',
        },
      ),
      201,
    );
    leader = await login(t.app, `to5-${campaignId}`, 'to-truong-2026');
    expect((await get(leader, '/api/v1/campaigns')).items.map((c: { id: string }) => c.id)).toEqual([
      campaignId,
    ]);
    expect(
      (await get(leader, `/api/v1/campaigns/${campaignId}/units`)).items.map((u: { id: string }) => u.id),
    ).toEqual([units.group5]);
    expectProblem(
      await t.app.inject(req('GET', `/api/v1/campaigns/${campaignId}/units/${units.school}`, bearer(leader))),
      404,
    );
    expectProblem(await t.app.inject(req('GET', '/api/v1/cases', bearer(leader))), 403);
    expect((await get(leader, '/api/v1/me')).role).toBe('unit_submitter');
  });
});

describe('the template', () => {
  it("gives each unit the blank official template; a school's says to list staff and parents, not pupils", async () => {
    const res = await call(
      t.app,
      req(
        'GET',
        `/api/v1/campaigns/${campaignId}/units/${units.school}/template.xlsx`,
        bearer(ward.tokens.cultureHead),
      ),
      200,
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const text: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => text.push(String(c.text)))));
    expect(text.join(' ')).toMatch(/DANH SÁCH CÀI ĐẶT ỨNG DỤNG SMART HẢI PHÒNG/);
    expect(text.join(' ')).toMatch(/không ghi học sinh/i);
    await call(
      t.app,
      req('GET', `/api/v1/campaigns/${campaignId}/units/${units.group5}/template.xlsx`, bearer(leader)),
      200,
    );
    expectProblem(
      await t.app.inject(
        req('GET', `/api/v1/campaigns/${campaignId}/units/${units.school}/template.xlsx`, bearer(leader)),
      ),
      404,
    );
  });
});

describe("group 5's leader sends the list", () => {
  it('gets a dry run that reports every row and problem in Vietnamese, and stores nothing', async () => {
    const res = await upload(leader, units.group5, await xlsx(group5Rows), 'to-5.xlsx', true);
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ listId: null, headerRow: 4, rows: 7, accepted: 5, duplicates: 1 });
    const rowsWithProblems = [...new Set(r.problems.map((p: { row: number }) => p.row))].sort(
      (a, b) => (a as number) - (b as number),
    );
    expect(rowsWithProblems).toEqual([9, 10, 11]);
    expect(r.problems.find((p: { row: number }) => p.row === 10).message).toMatch(/Thiếu số điện thoại/);
    expect(r.notes.some((n: { row: number }) => n.row === 8)).toBe(true);
    // The leader reads their own list back masked, and sees which group each household goes to.
    expect(r.understood[0]).toMatchObject({
      row: 5,
      name: 'Nguyễn Văn An',
      phones: ['…678'],
      group: 'Tổ dân phố số 5',
    });
    expect(JSON.stringify(r.understood)).not.toMatch(/\d{9}/);
    expect((await progress(ward.tokens.cultureHead)).totals.people).toBe(0);
  });

  it('confirms: each person once, households by address, progress for the group', async () => {
    const res = await upload(leader, units.group5, await xlsx(group5Rows), 'to-5.xlsx');
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().listId).toMatch(/^\d+$/);
    const p = await progress(ward.tokens.chairman);
    expect(p.totals).toMatchObject({ people: 4, coveredHouseholds: 3, smartphoneHouseholds: 155 });
    expect(p.groups.find((g: { id: string }) => g.id === groupIds['Tổ dân phố số 5'])).toMatchObject({
      coveredHouseholds: 3,
      smartphoneHouseholds: 5,
      rate: 0.6,
      reachedTarget: false,
    });
    expect(p.missing.sort()).toEqual([units.group3, units.school, units.police].sort());
  });

  it("a school's list repeats two of them — counted once — and one number under another name is a conflict", async () => {
    const school = await xlsx([
      [1, 'Nguyễn Văn An', '+84912345678', 'Phụ huynh', 'Số 3 ngõ 12, Tổ 5'],
      [2, 'Bùi Thị Giang', '0983111222', 'Giáo viên', '20 Lê Lợi, Tổ 3'],
      [3, 'Vũ Văn Hải', '0904000111', 'Giáo viên', '21 Lê Lợi, Tổ 3'],
      [4, 'Mai Thị Lan', '0904000222', 'Nhân viên', 'Phường khác'],
    ]);
    const res = await upload(ward.tokens.cultureHead, units.school, school, 'thcs.xlsx');
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ accepted: 4, alsoListedElsewhere: 2 });
    // The coordinator uploaded the file: they see the numbers they sent.
    expect(res.json().understood[0].phones).toEqual(['0912345678']);
    const p = await progress(ward.tokens.chairman);
    // 4 + 2 new people (Hải, Lan); Giang's number is Cường's: one person, a conflict.
    expect(p.totals.people).toBe(6);
    // Group 5 keeps its own list's word for Cường; Hải lives in group 3: one household there.
    expect(p.groups.find((g: { id: string }) => g.id === groupIds['Tổ dân phố số 3']).coveredHouseholds).toBe(
      1,
    );
    expect(p.units.find((u: { id: string }) => u.id === units.school)).toMatchObject({
      listed: 4,
      headcount: 4,
      rate: 1,
    });
    expect(p.totals.unplaced).toBe(1);

    const conflicts = await get(ward.tokens.cultureHead, `/api/v1/campaigns/${campaignId}/conflicts`);
    expect(conflicts.items).toHaveLength(1);
    expect(conflicts.items[0]).toMatchObject({ kind: 'name', phone: '…222', resolution: null });
    expect(conflicts.items[0].listings.map((l: { name: string }) => l.name).sort()).toEqual([
      'Bùi Thị Giang',
      'Lê Văn Cường',
    ]);
    expectProblem(
      await t.app.inject(
        req('GET', `/api/v1/campaigns/${campaignId}/conflicts`, bearer(ward.tokens.chairman)),
      ),
      403,
    );

    const revealed = await get(
      ward.tokens.cultureHead,
      `/api/v1/campaigns/${campaignId}/conflicts?reveal=true`,
    );
    expect(revealed.items[0].phone).toBe('0983111222');
    await call(
      t.app,
      req(
        'POST',
        `/api/v1/campaigns/${campaignId}/conflicts/${revealed.items[0].id}/resolve`,
        bearer(ward.tokens.cultureHead),
        {
          note: 'Hai người dùng chung số; đã báo trường sửa',
        },
      ),
      204,
    );
    const after = await get(ward.tokens.cultureHead, `/api/v1/campaigns/${campaignId}/conflicts`);
    expect(after.items[0].resolution).toMatchObject({ note: 'Hai người dùng chung số; đã báo trường sửa' });
  });

  it("shows a unit's rows masked to its leader and the chairman; numbers only to the coordinator, audited", async () => {
    const mine = await get(leader, `/api/v1/campaigns/${campaignId}/units/${units.group5}/rows`);
    expect(mine.items.map((r: { phones: string[] }) => r.phones[0])).toEqual([
      '…678',
      '…369',
      '…222',
      '…666',
      '…678',
    ]);
    expectProblem(
      await t.app.inject(
        req('GET', `/api/v1/campaigns/${campaignId}/units/${units.school}/rows`, bearer(leader)),
      ),
      404,
    );
    expectProblem(
      await t.app.inject(
        req('GET', `/api/v1/campaigns/${campaignId}/units/${units.group5}/rows?reveal=true`, bearer(leader)),
      ),
      403,
    );
    const chairman = await get(
      ward.tokens.chairman,
      `/api/v1/campaigns/${campaignId}/units/${units.group5}/rows?limit=2`,
    );
    expect(chairman.items).toHaveLength(2);
    expect(chairman.nextCursor).not.toBeNull();
    expectProblem(
      await t.app.inject(
        req(
          'GET',
          `/api/v1/campaigns/${campaignId}/units/${units.group5}/rows`,
          bearer(ward.tokens.infraHead),
        ),
      ),
      403,
    );
    const revealed = await get(
      ward.tokens.cultureHead,
      `/api/v1/campaigns/${campaignId}/units/${units.group5}/rows?reveal=true`,
    );
    expect(revealed.items[3].phones).toEqual(['0327555666']);
    const audit = await get(ward.tokens.chairman, `/api/v1/audit?objectType=campaign&objectId=${campaignId}`);
    const actions = audit.items.map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a === 'campaign.reveal')).toHaveLength(2);
    expect(JSON.stringify(audit.items)).not.toMatch(/0\d{9}/);
  });

  it("replaces the unit's list on a new upload", async () => {
    const res = await upload(leader, units.group5, await xlsx(group5Rows.slice(0, 2)), 'to-5-sua.xlsx');
    expect(res.statusCode, res.body).toBe(201);
    const mine = await get(leader, `/api/v1/campaigns/${campaignId}/units/${units.group5}/rows`);
    expect(mine.items).toHaveLength(2);
    const p = await progress(ward.tokens.chairman);
    // Group 5: An and Bình (one household); Cường is still on the school's list, Giang's address is group 3's.
    expect(p.groups.find((g: { id: string }) => g.id === groupIds['Tổ dân phố số 5']).coveredHouseholds).toBe(
      1,
    );
    expect(p.totals.people).toBe(5);
  });
});

describe('bad lists', () => {
  it('refuses a file that is no sheet, one without the template header, and no file at all', async () => {
    const pdf = await upload(leader, units.group5, Buffer.from('%PDF-1.4\n%%EOF\n'), 'ds.pdf', true);
    expect([400, 415]).toContain(pdf.statusCode);
    expect(pdf.json().detail).toMatch(/xlsx|csv/);
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('x').addRow(['Tên', 'Tuổi']);
    const noHeader = await upload(
      leader,
      units.group5,
      Buffer.from(await wb.xlsx.writeBuffer()),
      'x.xlsx',
      true,
    );
    expectProblem(noHeader, 400);
    expect(noHeader.json().detail).toMatch(/Không tìm thấy dòng tiêu đề/);
    const empty = multipart([{ name: 'note', value: 'x' }]);
    expectProblem(
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/campaigns/${campaignId}/units/${units.group5}/lists`,
        headers: { ...bearer(leader), ...empty.headers },
        payload: empty.payload,
      }),
      400,
    );
  });

  it('keeps a reader from uploading and another ward from seeing the campaign at all', async () => {
    expectProblem(
      await upload(ward.tokens.chairman, units.group5, await xlsx(group5Rows), 'x.xlsx', true),
      403,
    );
    expectProblem(
      await t.app.inject(
        req('GET', `/api/v1/campaigns/${campaignId}/progress`, bearer(other.tokens.chairman)),
      ),
      404,
    );
    expectProblem(
      await t.app.inject(req('GET', `/api/v1/campaigns/${campaignId}`, bearer(other.tokens.cultureHead))),
      404,
    );
  });
});

describe('ranking, report and export', () => {
  it('freezes the ranking with a date: later uploads move the live one only', async () => {
    const live = await get(ward.tokens.chairman, `/api/v1/campaigns/${campaignId}/ranking`);
    expect(live.frozenOn).toBeNull();
    expect(live.groups.map((g: { name: string }) => g.name)).toEqual(['Tổ dân phố số 5', 'Tổ dân phố số 3']);
    expect(live.rules).toMatch(/tỷ lệ/);
    const frozen = await call(
      t.app,
      req('POST', `/api/v1/campaigns/${campaignId}/ranking/freeze`, bearer(ward.tokens.cultureHead), {
        frozenOn: '2026-07-01',
      }),
      201,
    );
    expect(frozen.json().frozenOn).toBe('2026-07-01');
    const many = Array.from({ length: 150 }, (_, i): Cell[] => [
      i + 1,
      `Người ${i + 1}`,
      `09050${String(i).padStart(5, '0')}`,
      null,
      `Số ${i + 1} phố Lạch Tray`,
    ]);
    expect(
      (await upload(ward.tokens.cultureHead, units.group3, await xlsx(many), 'to-3.xlsx')).statusCode,
    ).toBe(201);
    const published = await get(ward.tokens.chairman, `/api/v1/campaigns/${campaignId}/ranking`);
    expect(published.frozenOn).toBe('2026-07-01');
    expect(published.groups.map((g: { name: string }) => g.name)).toEqual([
      'Tổ dân phố số 5',
      'Tổ dân phố số 3',
    ]);
    const now = await get(ward.tokens.chairman, `/api/v1/campaigns/${campaignId}/ranking?live=true`);
    expect(now.groups[0]).toMatchObject({ name: 'Tổ dân phố số 3', rate: 1, rank: 1 });
    expectProblem(
      await t.app.inject(
        req('POST', `/api/v1/campaigns/${campaignId}/ranking/freeze`, bearer(ward.tokens.chairman), {}),
      ),
      403,
    );
  });

  it('gives the chairman a report of aggregates only', async () => {
    const res = await call(
      t.app,
      req('GET', `/api/v1/campaigns/${campaignId}/report.xlsx`, bearer(ward.tokens.chairman)),
      200,
    );
    expect(res.headers['content-type']).toMatch(/spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const text: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => text.push(String(c.text)))));
    expect(text.join(' ')).toMatch(/Tổ dân phố số 5/);
    expect(text.join(' ')).not.toMatch(/Nguyễn Văn An|091234|0912\s?345/);
  });

  it('exports the consolidated list to the coordinator only, numbers as text, one row per person, audited', async () => {
    expectProblem(
      await t.app.inject(
        req('GET', `/api/v1/campaigns/${campaignId}/list.xlsx`, bearer(ward.tokens.chairman)),
      ),
      403,
    );
    expectProblem(
      await t.app.inject(req('GET', `/api/v1/campaigns/${campaignId}/list.xlsx`, bearer(leader))),
      403,
    );
    const res = await call(
      t.app,
      req('GET', `/api/v1/campaigns/${campaignId}/list.xlsx`, bearer(ward.tokens.cultureHead)),
      200,
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const phones: unknown[] = [];
    wb.worksheets[0]?.eachRow((row) =>
      row.eachCell((c) => {
        if (typeof c.value === 'string' && /^0\d{9}/.test(c.value)) phones.push(c.value);
      }),
    );
    const p = await progress(ward.tokens.cultureHead);
    expect(phones).toHaveLength(p.totals.people);
    expect(phones).toContain('0912345678');
    const audit = await get(ward.tokens.chairman, `/api/v1/audit?objectType=campaign&objectId=${campaignId}`);
    expect(audit.items.map((e: { action: string }) => e.action)).toContain('campaign.export');
  });
});

describe('chasing and retention', () => {
  it('reminds units with no list or below target on the schedule, once a day whatever the ticks', async () => {
    await call(
      t.app,
      req('PATCH', `/api/v1/campaigns/${campaignId}`, bearer(ward.tokens.cultureHead), {
        chase: { weekdays: [1, 4], hour: 8 },
      }),
      200,
    );
    const background = createCampaignBackground({
      db: t.container.db,
      emailFrom: undefined,
      retentionDays: 90,
    });
    // Wednesday 2026-12-09 is no chasing day; Thursday 2026-12-10 at 08:30 Vietnam time is.
    expect((await background.runDue(new Date('2026-12-09T01:30:00Z'), { wardId: ward.id })).chases).toBe(0);
    expect((await background.runDue(new Date('2026-12-10T00:30:00Z'), { wardId: ward.id })).chases).toBe(0);
    const [first, second] = await Promise.all([
      background.runDue(new Date('2026-12-10T01:30:00Z'), { wardId: ward.id }),
      background.runDue(new Date('2026-12-10T01:31:00Z'), { wardId: ward.id }),
    ]);
    expect(first.chases + second.chases).toBe(1);
    // The tick also keeps one point a day for the line chart, changed or not.
    const timeline = await get(ward.tokens.chairman, `/api/v1/campaigns/${campaignId}/timeline`);
    expect(timeline.days.map((d: { day: string }) => d.day)).toEqual(
      expect.arrayContaining(['2026-12-09', '2026-12-10']),
    );
    const inbox = await get(leader, '/api/v1/notifications');
    const reminders = inbox.items.filter((n: { title: string }) => /Tổ dân phố số 5/.test(n.title));
    expect(reminders).toHaveLength(1);
    expect(reminders[0].title).toMatch(/chưa đạt chỉ tiêu/);
    const coordinator = await get(ward.tokens.cultureHead, '/api/v1/notifications');
    expect(coordinator.items.some((n: { body: string }) => /chưa gửi danh sách/.test(n.body))).toBe(true);
  });

  it('deletes names and numbers after the retention, keeping the figures and the published ranking', async () => {
    const before = await progress(ward.tokens.chairman);
    const background = createCampaignBackground({
      db: t.container.db,
      emailFrom: undefined,
      retentionDays: 30,
    });
    expect((await background.runDue(new Date('2027-01-20T03:00:00Z'), { wardId: ward.id })).deleted).toBe(0);
    expect(
      (await background.runDue(new Date('2027-02-01T03:00:00Z'), { wardId: ward.id })).deleted,
    ).toBeGreaterThanOrEqual(1);
    expect(await progress(ward.tokens.chairman)).toEqual(before);
    expect((await get(leader, `/api/v1/campaigns/${campaignId}/units/${units.group5}/rows`)).items).toEqual(
      [],
    );
    expectProblem(
      await t.app.inject(
        req('GET', `/api/v1/campaigns/${campaignId}/list.xlsx`, bearer(ward.tokens.cultureHead)),
      ),
      409,
    );
    expectProblem(await upload(leader, units.group5, await xlsx(group5Rows), 'x.xlsx'), 409);
    expect((await get(ward.tokens.chairman, `/api/v1/campaigns/${campaignId}/ranking`)).frozenOn).toBe(
      '2026-07-01',
    );
    expect(
      (await get(ward.tokens.cultureHead, `/api/v1/campaigns/${campaignId}`)).rowsDeletedAt,
    ).not.toBeNull();
  });
});

describe('the messy lists kept in test/fixtures/campaigns (hand-counted in its README)', () => {
  it("reads a group's Excel file and a school's windows-1258 CSV as sent, and counts each person once", async () => {
    const w = await createWard(t);
    const coordinator = bearer(w.tokens.cultureHead);
    const imported = await call(
      t.app,
      req('POST', `/api/v1/wards/${w.id}/residential-group-imports`, coordinator, {
        groups: [
          { name: 'Tổ dân phố số 5', households: 40, smartphoneHouseholds: 30 },
          { name: 'Tổ dân phố số 6', households: 35, smartphoneHouseholds: 25 },
        ],
      }),
      200,
    );
    const group = (name: string) =>
      imported.json().groups.find((g: { name: string }) => g.name === name).id as string;
    const c = (
      await call(
        t.app,
        req('POST', '/api/v1/campaigns', coordinator, {
          wardId: w.id,
          name: 'Thử danh sách thật',
          startsOn: '2026-05-15',
          endsOn: '2026-12-31',
        }),
        201,
      )
    ).json().id as string;
    const unit = async (body: object) =>
      (await call(t.app, req('POST', `/api/v1/campaigns/${c}/units`, coordinator, body), 201)).json()
        .id as string;
    const to5 = await unit({
      kind: 'residential_group',
      name: 'Tổ dân phố số 5',
      residentialGroupId: group('Tổ dân phố số 5'),
    });
    const school = await unit({ kind: 'school', name: 'Trường THCS Việt Hoà', headcount: 40 });
    const send = async (unitId: string, file: string, dryRun: boolean) => {
      const body = multipart([
        {
          name: 'file',
          filename: file,
          bytes: readFileSync(new URL(`../fixtures/campaigns/${file}`, import.meta.url)),
        },
      ]);
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/campaigns/${c}/units/${unitId}/lists${dryRun ? '?dryRun=true' : ''}`,
        headers: { ...coordinator, ...body.headers },
        payload: body.payload,
      });
      expect(res.statusCode, res.body).toBe(dryRun ? 200 : 201);
      return res.json();
    };
    const dry = await send(to5, 'to-dan-pho-5-messy.xlsx', true);
    expect(dry).toMatchObject({ headerRow: 6, rows: 27, accepted: 23, duplicates: 2 });
    expect([...new Set(dry.problems.map((p: { row: number }) => p.row))]).toEqual([14, 16, 17, 18, 24, 31]);
    expect(dry.notes.map((n: { row: number }) => n.row)).toEqual([13, 28]);
    await send(to5, 'to-dan-pho-5-messy.xlsx', false);
    const csv = await send(school, 'truong-thcs-messy.csv', false);
    expect(csv).toMatchObject({
      headerRow: 5,
      rows: 14,
      accepted: 13,
      duplicates: 1,
      alsoListedElsewhere: 2,
    });

    const p = await get(w.tokens.cultureHead, `/api/v1/campaigns/${c}/progress`);
    expect(p.totals).toMatchObject({ people: 31, coveredHouseholds: 21, unplaced: 3 });
    const covered = Object.fromEntries(
      p.groups.map((g: { name: string; coveredHouseholds: number }) => [g.name, g.coveredHouseholds]),
    );
    expect(covered).toEqual({ 'Tổ dân phố số 5': 18, 'Tổ dân phố số 6': 3 });
    expect(p.units.map((u: { listed: number }) => u.listed).sort()).toEqual([12, 21]);
    const conflicts = await get(w.tokens.cultureHead, `/api/v1/campaigns/${c}/conflicts?reveal=true`);
    expect(conflicts.items.map((x: { phone: string }) => x.phone).sort()).toEqual([
      '0904111222',
      '0914222333',
    ]);
  });
});

describe('limits', () => {
  it('refuses a file over the size limit (413) and a list over the row limit (400), in Vietnamese', async () => {
    const small = await createTestApp({ CAMPAIGN_LIST_MAX_BYTES: '10000', CAMPAIGN_LIST_MAX_ROWS: '10' });
    try {
      const w = await createWard(small);
      const coordinator = bearer(w.tokens.cultureHead);
      const c = (
        await call(
          small.app,
          req('POST', '/api/v1/campaigns', coordinator, {
            wardId: w.id,
            name: 'Giới hạn',
            startsOn: '2026-05-15',
            endsOn: '2026-12-31',
          }),
          201,
        )
      ).json().id as string;
      const u = (
        await call(
          small.app,
          req('POST', `/api/v1/campaigns/${c}/units`, coordinator, { kind: 'other', name: 'Đơn vị' }),
          201,
        )
      ).json().id as string;
      const send = (bytes: Buffer, name: string) => {
        const body = multipart([{ name: 'file', filename: name, bytes }]);
        return small.app.inject({
          method: 'POST',
          url: `/api/v1/campaigns/${c}/units/${u}/lists?dryRun=true`,
          headers: { ...coordinator, ...body.headers },
          payload: body.payload,
        });
      };
      const rows = (n: number) =>
        Array.from({ length: n }, (_, i): Cell[] => [
          i + 1,
          `Người ${i + 1}`,
          `0905${String(i).padStart(6, '0')}`,
          null,
          'Tổ 1',
        ]);
      const big = Buffer.from(
        `Stt,Họ và tên,Số điện thoại,Cơ quan,Địa chỉ hiện tại\n${'1,Người,0905000000,,Tổ 1\n'.repeat(600)}`,
      );
      const tooLarge = await send(big, 'lon.csv');
      expectProblem(tooLarge, 413);
      expect(tooLarge.json().detail).toMatch(/tối đa/);
      const tooMany = await send(await xlsx(rows(12)), 'nhieu.xlsx');
      expectProblem(tooMany, 400);
      expect(tooMany.json().detail).toMatch(/quá giới hạn 10 dòng/);
      expect((await send(await xlsx(rows(10)), 'du.xlsx')).statusCode).toBe(200);
    } finally {
      await small.close();
    }
  });
});
