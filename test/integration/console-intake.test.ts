import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { type CaseJson, postCase } from '../support/cases.ts';
import { asUser, type ConsoleUser, form, htmlOf, signInConsole, textOf } from '../support/console.ts';
import { type BareWard, createCategory, createStaff, createWard } from '../support/fixtures.ts';
import { uid } from '../support/ids.ts';
import { captureLogs, phoneLike } from '../support/logs.ts';

/**
 * The 1022 call form's helpers (issue 17) through app.inject(): the caller's earlier cases as the
 * phone is typed (the ward's only, the ward office's only), likely duplicates before saving, the
 * category chosen by typing its name, and the case list's search by code and by phone.
 */
const { lines, logger } = captureLogs();
let t: TestApp;
let ward: BareWard;
let other: BareWard;
let clerk: ConsoleUser;
let head: ConsoleUser;
let lights: { code: string; name: string };
let drains: { code: string; name: string };
/** The earlier caller's cases in the ward, oldest first; and theirs in another ward, and another caller's. */
let earlier: CaseJson[];
let elsewhere: CaseJson;
let stranger: CaseJson;
let closedOne: CaseJson;
const password = 'password-123';
/** What makes this run's category names unique. */
let key: string;
/** The clerk's API token. */
let clerkToken: string;
const phone = '+84912345678';

beforeAll(async () => {
  t = await createTestApp({}, { logger });
  // Staff made one by one (each password is hashed): a clerk and a department head here, a clerk there.
  [ward, other] = await Promise.all([createWard(t, { staff: 'none' }), createWard(t, { staff: 'none' })]);
  const infra = ward.departments.infra?.id as string;
  const [c, h, o] = await Promise.all([
    createStaff(t, 'intake', { wardId: ward.id }, password),
    createStaff(t, 'department_head', { departmentId: infra }, password),
    createStaff(t, 'intake', { wardId: other.id }, password),
  ]);
  clerkToken = c.token;
  const tokens = new Map([
    [ward.id, c.token],
    [other.id, o.token],
  ]);
  key = uid().toLowerCase();
  lights = await createCategory(t, { name: `Chiếu sáng công cộng ${key}`, defaultDepartmentCode: 'ktht' });
  drains = await createCategory(t, { name: `Thoát nước ${key}`, defaultDepartmentCode: 'ktht' });
  const file = (w: BareWard, extra: Record<string, unknown>) =>
    postCase(
      t.app,
      bearer(tokens.get(w.id) as string),
      caseBody(w.code, { channel: 'walk_in', categoryCode: lights.code, ...extra }),
    );
  // One after another: their codes and ids in the order they were received.
  earlier = [];
  for (const description of [
    'Đèn đường trước nhà số 12 tổ dân phố 5 bị hỏng ba ngày nay.',
    'Cột điện ngõ 7 nghiêng.',
  ])
    earlier.push(
      await file(ward, {
        description,
        // Without a title, the list shows the start of the description.
        title: description.startsWith('Cột') ? undefined : 'Đèn đường hỏng',
        reporter: { name: 'Nguyễn Văn A', phone, confidential: false },
        location: { address: '12 Lê Lợi', residentialGroup: 'Tổ 5' },
      }),
    );
  elsewhere = await file(other, { reporter: { name: 'Nguyễn Văn A', phone } });
  stranger = await file(ward, {
    description: 'Rác thải tập kết sai nơi quy định đầu ngõ 40.',
    categoryCode: drains.code,
    reporter: { name: 'Lê Thị B', phone: '0987654321' },
    location: { address: '40 Văn Cao', residentialGroup: 'Tổ 5' },
  });
  closedOne = await file(ward, {
    description: 'Đèn đường trước nhà số 14 tổ dân phố 5 bị hỏng.',
    reporter: { name: 'Trần C', phone: '0977000111' },
    location: { address: '14 Lê Lợi', residentialGroup: 'Tổ 5' },
  });
  await call(
    t.app,
    {
      method: 'POST',
      url: `/api/v1/cases/${closedOne.id}/reject`,
      headers: bearer(c.token),
      payload: { reason: 'unclear', version: closedOne.version },
    },
    200,
  );
  [clerk, head] = await Promise.all([
    signInConsole(t, c.username, password),
    signInConsole(t, h.username, password),
  ]);
}, 60_000);
afterAll(() => t.close());

/** A helper's request as htmx sends it: the form's fields, the anti-forgery token as a header. */
const helper = (user: ConsoleUser, path: string, fields: Record<string, string>) => {
  const body = form(fields);
  return t.app.inject(
    asUser(user, {
      method: 'POST',
      url: `/console/intake/${path}`,
      payload: body.payload,
      headers: { ...body.headers, 'x-csrf-token': user.csrf, 'hx-request': 'true' },
    }),
  );
};
const codesIn = (body: string) =>
  htmlOf({ body } as never)
    .querySelectorAll('a[href^="/console/cases/"]')
    .map((a) => textOf(a).split(' ')[0]);
const get = (user: ConsoleUser, url: string) => t.app.inject(asUser(user, { method: 'GET', url }));
const save = (fields: Record<string, string>) =>
  t.app.inject(
    asUser(clerk, { method: 'POST', url: '/console/intake', ...form({ _csrf: clerk.csrf, ...fields }) }),
  );

describe("the caller's earlier cases", () => {
  it("lists the ward's cases of that phone however it is typed, newest first, with a count", async () => {
    for (const typed of ['0912 345 678', '0912345678', '+84 912.345.678', '84912345678']) {
      const res = await helper(clerk, 'caller', { phone: typed });
      expect(res.statusCode).toBe(200);
      expect(codesIn(res.body), typed).toEqual([earlier[1]?.code, earlier[0]?.code]);
      const page = htmlOf(res);
      expect(textOf(page.querySelector('summary'))).toBe(
        `Người gọi đã có 2 phản ánh trước đây (mới nhất: ${earlier[1]?.code}, Đã chuyển xử lý).`,
      );
      expect(page.querySelector(`a[href="/console/cases/${earlier[0]?.id}"]`)?.getAttribute('target')).toBe(
        '_blank',
      );
      expect(textOf(page.querySelector('tbody'))).toContain('Cột điện ngõ 7 nghiêng.');
    }
    expect(codesIn((await helper(clerk, 'caller', { phone: '0912345678' })).body)).not.toContain(
      elsewhere.code,
    );
  });

  it('says nothing for a number not yet whole, and says so for a number never heard', async () => {
    expect((await helper(clerk, 'caller', { phone: '091234' })).body.trim()).toBe('');
    expect(textOf(htmlOf(await helper(clerk, 'caller', { phone: '0911000222' })))).toBe(
      'Số này chưa có phản ánh nào trước đây tại phường.',
    );
  });

  it('is the ward office’s: a department head is refused and sees no case', async () => {
    const res = await helper(head, 'caller', { phone: '0912345678' });
    expect(res.statusCode).toBe(403);
    expect(codesIn(res.body)).toEqual([]);
    await expect(
      t.container.cases.byCaller(
        {
          kind: 'user',
          userId: '1',
          role: 'department_head',
          wardId: ward.id,
          departmentId: ward.departments.infra?.id as string,
        } as never,
        phone,
        10,
      ),
    ).rejects.toMatchObject({ statusCode: 403 });
  });

  it('wants the anti-forgery token like any other POST', async () => {
    const res = await t.app.inject(
      asUser(clerk, { method: 'POST', url: '/console/intake/caller', ...form({ phone: '0912345678' }) }),
    );
    expect(res.statusCode).toBe(403);
    expect(codesIn(res.body)).toEqual([]);
  });

  it('is shown again when the form comes back with errors', async () => {
    const res = await save({ phone: '0912345678', description: '' });
    expect(res.statusCode).toBe(400);
    expect(codesIn(htmlOf(res).querySelector('#caller-history')?.toString() ?? '')).toEqual([
      earlier[1]?.code,
      earlier[0]?.code,
    ]);
  });
});

describe('likely duplicates', () => {
  it('lists an open case of the same category like the call being typed, and not the others', async () => {
    const res = await helper(clerk, 'duplicates', {
      phone: '0911000333',
      description: 'Đèn đường trước nhà số 12 bị hỏng mấy hôm nay',
      category: lights.name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase(),
      address: '',
      residentialGroup: 'tổ dân phố 5',
    });
    expect(res.statusCode).toBe(200);
    const page = htmlOf(res);
    expect(textOf(page.querySelector('h2'))).toBe('Có thể trùng với');
    const codes = codesIn(res.body);
    expect(codes[0]).toBe(earlier[0]?.code);
    // Another category in the same group, a refused case, another ward's: none of them.
    for (const c of [stranger, closedOne, elsewhere]) expect(codes).not.toContain(c.code);
    expect(textOf(page.querySelector('li'))).toMatch(/Đã chuyển xử lý.*cùng tổ dân phố/);
  });

  it('says nothing while nothing alike is typed', async () => {
    const res = await helper(clerk, 'duplicates', {
      description: 'Cây đổ chắn ngang đường Trần Phú',
      category: drains.name,
      address: '1 Trần Phú',
      residentialGroup: 'Tổ 30',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body.trim()).toBe('');
  });

  it('does not stop the clerk from saving', async () => {
    const res = await save({
      phone: '0911000333',
      description: 'Đèn đường trước nhà số 12 bị hỏng mấy hôm nay',
      category: lights.name,
      residentialGroup: 'Tổ 5',
    });
    expect(res.statusCode).toBe(303);
  });
});

describe('the category, chosen by typing', () => {
  it('files the call under the category whose name was typed, without accents (the phone as said, stored as digits)', async () => {
    const typed = `thoat nuoc ${key}`;
    const res = await save({
      phone: '0911 000.444',
      description: 'Cống thoát nước ngõ 15 bị tắc.',
      category: typed,
    });
    expect(res.statusCode).toBe(303);
    const kase = htmlOf(await get(clerk, res.headers.location as string));
    expect(textOf(kase.querySelector('.facts'))).toContain(drains.name);
    expect(kase.querySelector('a[href^="tel:"]')?.getAttribute('href')).toBe('tel:0911000444');
  });

  it('says beside the field when no category has that name, and files nothing', async () => {
    const description = `Không có lĩnh vực này ${uid()}`;
    const res = await save({ phone: '0911000555', description, category: 'khong co linh vuc nay' });
    expect(res.statusCode).toBe(400);
    const page = htmlOf(res);
    expect(page.querySelector('#category')?.getAttribute('aria-invalid')).toBe('true');
    expect(page.querySelector('#category')?.getAttribute('aria-describedby')).toContain('category-error');
    expect(textOf(page.querySelector('#category-error'))).toMatch(
      /^Không có lĩnh vực “khong co linh vuc nay”/,
    );
    expect(page.querySelector('#category')?.getAttribute('value')).toBe('khong co linh vuc nay');
    const list = htmlOf(await get(clerk, `/console/cases?q=${encodeURIComponent(description)}`));
    expect(list.querySelectorAll('table.cases tbody tr')).toHaveLength(0);
  });

  it('offers every active category as a suggestion', async () => {
    const page = htmlOf(await get(clerk, '/console/intake/new'));
    expect(page.querySelector('#category')?.getAttribute('list')).toBe('categories');
    const names = page.querySelectorAll('datalist#categories option').map((o) => o.getAttribute('value'));
    expect(names).toEqual(expect.arrayContaining([lights.name, drains.name]));
  });
});

describe('searching by code or phone', () => {
  const rows = async (user: ConsoleUser, q: string) =>
    htmlOf(await get(user, `/console/cases?q=${encodeURIComponent(q)}`))
      .querySelectorAll('table.cases tbody tr td:first-child a')
      .map((a) => textOf(a));

  it("finds the ward office a reporter's cases by their phone, however typed", async () => {
    for (const q of ['0912 345 678', '+84912345678'])
      expect(await rows(clerk, q), q).toEqual([earlier[1]?.code, earlier[0]?.code]);
  });

  it('is the API’s own search: /api/v1/cases?q= finds the same by phone', async () => {
    const res = await call(
      t.app,
      { method: 'GET', url: '/api/v1/cases?q=0912%20345%20678', headers: bearer(clerkToken) },
      200,
    );
    expect(res.json().items.map((c: CaseJson) => c.code)).toEqual([earlier[1]?.code, earlier[0]?.code]);
  });

  it('finds a case by its code', async () => {
    expect(await rows(clerk, stranger.code)).toEqual([stranger.code]);
    expect(await rows(clerk, stranger.code.toLowerCase())).toEqual([stranger.code]);
  });

  it('does not look phones up for a department head', async () => {
    expect(await rows(head, '0912345678')).toEqual([]);
  });
});

describe('logs', () => {
  it('carry none of the phones typed', () => {
    const text = lines.join('\n');
    expect(text.length).toBeGreaterThan(0);
    for (const p of ['912345678', '911000333', '987654321'])
      expect(phoneLike(p, false).test(text), `${p} in the log`).toBe(false);
  });
});
