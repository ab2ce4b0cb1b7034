import { sql } from 'kysely';
import type { HTMLElement } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/db/types.ts';
import type { UserPrincipal } from '../../src/modules/auth/principal.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { type CaseJson, reportCase } from '../support/cases.ts';
import { asUser, type ConsoleUser, htmlOf, signInConsole, textOf } from '../support/console.ts';
import { insertUser } from '../support/database.ts';
import { createCategory, createWard, type LeanWard, type WardUsers, wardUsers } from '../support/fixtures.ts';

/**
 * The console's work queues (issue 17) through app.inject(): each tab of the ward office and of a
 * department lists its own cases and no other ward's, with its count in its label; the bulk forms of
 * "Chờ phân loại" act on each checked case through the workflow's own calls, row by row. Wards' staff
 * are inserted (no password hashing: the machine is shared), and move cases through the workflow's
 * services; only the console users sign in.
 */
let t: TestApp;
let categoryCode: string;
const password = 'password-123';

type Place = {
  w: LeanWard;
  /** The ward's inserted staff as principals, to move its cases along through the workflow service. */
  as: (key: keyof WardUsers) => UserPrincipal;
};
type Consoles = { clerk: ConsoleUser; chairman: ConsoleUser; head: ConsoleUser; officer: ConsoleUser };

const roleOf: Record<keyof WardUsers, [Role, 'infra' | 'culture' | null]> = {
  intake: ['intake', null],
  chairman: ['chairman', null],
  infraHead: ['department_head', 'infra'],
  infraOfficer: ['department_officer', 'infra'],
  cultureHead: ['department_head', 'culture'],
};

async function place(): Promise<Place> {
  const w = await createWard(t, { staff: 'inserted' });
  const ids = await wardUsers(t.container.db, w);
  return {
    w,
    as: (key) => {
      const [role, department] = roleOf[key];
      return {
        kind: 'user',
        userId: ids[key],
        username: key,
        role,
        wardId: w.id,
        departmentId: department ? w.departments[department].id : null,
      };
    },
  };
}

/** Console users of the ward who sign in: the clerk, the chairman, infra's head (named) and officer. */
async function consoles(w: LeanWard): Promise<Consoles> {
  const user = async (fullName: string, role: Role, departmentId: string | null = null) =>
    signInConsole(
      t,
      await insertUser(t.container.db, { password, fullName, role, wardId: w.id, departmentId }),
      password,
    );
  const [clerk, chairman, head, officer] = await Promise.all([
    user('Cán bộ văn phòng', 'intake'),
    user('Chủ tịch', 'chairman'),
    user('Trần Văn Hùng', 'department_head', w.departments.infra.id),
    user('Chuyên viên', 'department_officer', w.departments.infra.id),
  ]);
  return { clerk, chairman, head, officer } as Consoles;
}

const get = (user: ConsoleUser, url: string) => t.app.inject(asUser(user, { method: 'GET', url }));
const bulk = (user: ConsoleUser, fields: [string, string][], headers: Record<string, string> = {}) =>
  t.app.inject(
    asUser(user, {
      method: 'POST',
      url: '/console/queue/bulk',
      payload: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    }),
  );

/** A case filed through the ward's API key: classified unless `category` is null. */
const file = (p: Place, category: string | null = categoryCode) => reportCase(t, p.w, category ?? undefined);
const assigned = async (p: Place) => {
  const c = await file(p);
  await t.container.actions.assign(p.as('intake'), c.id, undefined, {
    departmentId: p.w.departments.infra.id,
  });
  return c;
};
/** Due 30 days ago: hours of working time late whatever the time of day or week the test runs. */
const makeLate = (c: CaseJson) =>
  t.container.db
    .updateTable('cases')
    .set({ due_at: new Date(Date.now() - 30 * 86_400_000), version: sql<number>`version + 1` })
    .where('id', '=', c.id)
    .execute();
const current = (p: Place, c: CaseJson) => t.container.cases.get(p.as('intake'), c.id);

/** Every kind of waiting case in a ward: the same again in another ward must never show. */
async function populate(p: Place) {
  const { actions } = t.container;
  const head = p.as('infraHead');
  const waiting = await file(p);
  const unclassified = await file(p, null);
  const returned = await assigned(p);
  await actions.return(head, returned.id, undefined, { note: 'Việc của Công an phường' });
  const answered = await assigned(p);
  await actions.respond(head, answered.id, undefined, { answer: 'Đã thay bóng đèn.', attachments: [] });
  const extended = await assigned(p);
  await actions.requestExtension(head, extended.id, { extendBy: 'P2D', reason: 'Cần khảo sát hiện trường' });
  const late = await assigned(p);
  await makeLate(late);
  const proposed = await assigned(p);
  await actions.respond(p.as('infraOfficer'), proposed.id, undefined, {
    answer: 'Đề xuất: đã sửa xong.',
    attachments: [],
  });
  return { waiting, unclassified, returned, answered, extended, late, proposed };
}

let tabsWard: Place;
let tabsUsers: Consoles;
let mine: Awaited<ReturnType<typeof populate>>;
let theirs: Awaited<ReturnType<typeof populate>>;
let bulkWard: Place;
let bulkUsers: Consoles;
let otherWard: Place;

beforeAll(async () => {
  t = await createTestApp();
  // No default department: cases filed under it wait in "Chờ phân loại", classified.
  categoryCode = (await createCategory(t)).code;
  [tabsWard, otherWard, bulkWard] = [await place(), await place(), await place()];
  mine = await populate(tabsWard);
  theirs = await populate(otherWard);
  tabsUsers = await consoles(tabsWard.w);
  bulkUsers = await consoles(bulkWard.w);
}, 180_000);
afterAll(() => t.close());

/** The codes a page's queue tables list, in order. */
const codesOn = (page: HTMLElement) =>
  page.querySelectorAll('table.queue tbody tr').map((r) => textOf(r.querySelector('a')));
const tabLabels = (page: HTMLElement) =>
  page.querySelectorAll('nav.tabs a').map((a) => ({
    text: textOf(a),
    href: a.getAttribute('href'),
    current: a.getAttribute('aria-current') ?? null,
  }));

describe('the ward office’s queues', () => {
  it('each tab lists its own cases, none of another ward’s, with counts in the labels', async () => {
    const { clerk, chairman } = tabsUsers;
    const foreign = Object.values(theirs).map((c) => c.code);

    const triage = htmlOf(await get(clerk, '/console/queue'));
    expect(textOf(triage.querySelector('h1'))).toBe('Chờ phân loại');
    expect(tabLabels(triage)).toEqual([
      { text: 'Chờ phân loại (3)', href: '/console/queue?view=triage', current: 'page' },
      { text: 'Bị trả lại (1)', href: '/console/queue?view=returned', current: null },
      { text: 'Trả lời chờ duyệt (1)', href: '/console/queue?view=review', current: null },
      { text: 'Xin gia hạn (1)', href: '/console/queue?view=extensions', current: null },
      { text: 'Quá hạn theo phòng ban (1)', href: '/console/queue?view=overdue', current: null },
    ]);
    expect(codesOn(triage).sort()).toEqual(
      [mine.waiting.code, mine.unclassified.code, mine.returned.code].sort(),
    );
    const returnedRow = triage
      .querySelectorAll('table.queue tbody tr')
      .find((r) => textOf(r.querySelector('a')) === mine.returned.code);
    expect(textOf(returnedRow)).toContain('↩ Bị trả lại');

    const returned = htmlOf(await get(clerk, '/console/queue?view=returned'));
    expect(textOf(returned.querySelector('h1'))).toBe('Bị trả lại');
    expect(returned.querySelector('nav.tabs a[aria-current=page]')?.getAttribute('href')).toBe(
      '/console/queue?view=returned',
    );
    expect(codesOn(returned)).toEqual([mine.returned.code]);
    expect(textOf(returned.querySelector('table.queue tbody tr'))).toContain(
      'Bị Phòng Kinh tế – Hạ tầng – Đô thị trả lại lúc',
    );
    expect(textOf(returned.querySelector('table.queue tbody tr'))).toContain('Việc của Công an phường');

    const review = htmlOf(await get(clerk, '/console/queue?view=review'));
    expect(codesOn(review)).toEqual([mine.answered.code]);
    expect(textOf(review.querySelector('table.queue tbody tr'))).toContain('Đã thay bóng đèn.');

    const extensions = htmlOf(await get(clerk, '/console/queue?view=extensions'));
    expect(codesOn(extensions)).toEqual([mine.extended.code]);
    expect(textOf(extensions.querySelector('table.queue tbody tr'))).toContain('2 ngày làm việc');
    expect(textOf(extensions.querySelector('table.queue tbody tr'))).toContain('Cần khảo sát hiện trường');

    const overdue = htmlOf(await get(clerk, '/console/queue?view=overdue'));
    const group = overdue.querySelector('main section');
    expect(textOf(group?.querySelector('h2'))).toBe('Phòng Kinh tế – Hạ tầng – Đô thị: 1 phản ánh quá hạn');
    expect(textOf(group)).toContain('Trưởng đơn vị: Cán bộ department_head, Trần Văn Hùng');
    expect(codesOn(overdue)).toEqual([mine.late.code]);
    expect(textOf(overdue.querySelector('table.queue tbody tr'))).toMatch(/⚠ quá hạn \d+ giờ/);

    for (const page of [triage, returned, review, extensions, overdue])
      for (const code of foreign) expect(page.toString()).not.toContain(code);

    // The chairman reads the same tabs, and may act on none of them.
    const read = htmlOf(await get(chairman, '/console/queue?view=triage'));
    expect(codesOn(read).sort()).toEqual(codesOn(triage).sort());
    expect(read.querySelectorAll('input[type=checkbox]')).toHaveLength(0);
    expect(read.querySelector('form#bulk')).toBeNull();
    expect((await get(clerk, '/console/queue?view=proposals')).statusCode).toBe(404);
    expect((await get(clerk, '/console/queue?view=nothing')).statusCode).toBe(404);
  });

  it('a department sees its work and, for its head, the officers’ proposals; never the ward office’s tabs', async () => {
    const { head, officer } = tabsUsers;
    const own = htmlOf(await get(head, '/console/queue'));
    expect(tabLabels(own)).toEqual([
      { text: 'Việc của phòng (3)', href: '/console/queue?view=department', current: 'page' },
      { text: 'Đề xuất trả lời chờ duyệt (1)', href: '/console/queue?view=proposals', current: null },
    ]);
    expect(codesOn(own)[0]).toBe(mine.late.code);
    expect(codesOn(own).sort()).toEqual([mine.late.code, mine.extended.code, mine.proposed.code].sort());
    const proposals = htmlOf(await get(head, '/console/queue?view=proposals'));
    expect(codesOn(proposals)).toEqual([mine.proposed.code]);
    expect(textOf(proposals.querySelector('table.queue tbody tr'))).toContain('Đề xuất: đã sửa xong.');
    expect(tabLabels(htmlOf(await get(officer, '/console/queue'))).map((l) => l.text)).toEqual([
      'Việc của phòng (3)',
    ]);
    expect((await get(officer, '/console/queue?view=proposals')).statusCode).toBe(404);
    expect((await get(head, '/console/queue?view=triage')).statusCode).toBe(404);
  });
});

/** The checkbox of a case's row on the triage tab: its label (the code) and value (id:version). */
const checkboxFor = (page: HTMLElement, code: string) => {
  const label = page.querySelectorAll('table.queue label').find((l) => textOf(l).includes(code));
  const box = page.querySelector(`#${label?.getAttribute('for')}`);
  return box?.getAttribute('value') as string;
};
const resultRows = (page: HTMLElement) =>
  Object.fromEntries(
    page
      .querySelectorAll('table.bulk-result tbody tr')
      .map((r) => [textOf(r.querySelector('a')), textOf(r.querySelectorAll('td')[1])]),
  );

describe('bulk actions on "Chờ phân loại"', () => {
  it('dispatches the checked cases one by one: a stale row fails alone, and a resent form does nothing twice', async () => {
    const { clerk } = bulkUsers;
    const p = bulkWard;
    const [a, b, stale] = [await file(p), await file(p), await file(p)];
    const page = htmlOf(await get(clerk, '/console/queue'));
    const picks = [a, b, stale].map((c) => ['pick', checkboxFor(page, c.code)] as [string, string]);
    expect(picks.map(([, v]) => v)).toEqual([a, b, stale].map((c) => `${c.id}:${c.version}`));
    await t.container.db
      .updateTable('cases')
      .set({ version: sql<number>`version + 1` })
      .where('id', '=', stale.id)
      .execute();
    const fields: [string, string][] = [
      ['_csrf', clerk.csrf],
      ...picks,
      ['departmentId', p.w.departments.infra.id],
      ['op', 'assign'],
    ];
    const res = await bulk(clerk, fields);
    expect(res.statusCode).toBe(200);
    const result = htmlOf(res);
    expect(textOf(result.querySelector('[role=status]'))).toBe('Đã xử lý 2 trong 3 phản ánh đã chọn.');
    expect(resultRows(result)).toEqual({
      [a.code]: '✓ Xong: Đã phân công cho Phòng Kinh tế – Hạ tầng – Đô thị',
      [b.code]: '✓ Xong: Đã phân công cho Phòng Kinh tế – Hạ tầng – Đô thị',
      [stale.code]:
        '✗ Không thực hiện: Phản ánh đã được người khác thay đổi trong lúc đó. Hãy mở phản ánh để kiểm tra.',
    });
    expect((await current(p, a)).status).toBe('assigned');
    expect((await current(p, a)).departmentId).toBe(p.w.departments.infra.id);
    expect((await current(p, stale)).status).toBe('received');

    // The same form again (a reload, a double click): nothing is done twice.
    const again = htmlOf(await bulk(clerk, fields));
    expect(resultRows(again)[a.code]).toBe(
      '✗ Không thực hiện: Đã được xử lý trước đó (biểu mẫu được gửi lại), không làm lại lần nữa.',
    );
    expect(textOf(again.querySelector('[role=status]'))).toBe('Đã xử lý 0 trong 3 phản ánh đã chọn.');
    const events = await t.container.db
      .selectFrom('case_events')
      .select('type')
      .where('case_id', '=', a.id)
      .where('type', '=', 'assigned')
      .execute();
    expect(events).toHaveLength(1);
  });

  it('classifies only the cases without a category, and says per row when one cannot be dispatched', async () => {
    const { clerk } = bulkUsers;
    const p = bulkWard;
    const [classified, bare] = [await file(p), await file(p, null)];
    const page = htmlOf(await get(clerk, '/console/queue'));
    expect(page.querySelector('#bulk-category')).not.toBeNull();
    const picks = [classified, bare].map((c) => ['pick', checkboxFor(page, c.code)] as [string, string]);
    const without = htmlOf(
      await bulk(clerk, [
        ['_csrf', clerk.csrf],
        ...picks,
        ['departmentId', p.w.departments.culture.id],
        ['op', 'assign'],
      ]),
    );
    expect(resultRows(without)[bare.code]).toBe('✗ Không thực hiện: Phản ánh chưa được phân loại lĩnh vực.');
    expect(resultRows(without)[classified.code]).toBe('✓ Xong: Đã phân công cho Phòng Văn hoá – Xã hội');
    const other = (await createCategory(t)).code;
    const fresh = htmlOf(await get(clerk, '/console/queue'));
    const withCategory = htmlOf(
      await bulk(clerk, [
        ['_csrf', clerk.csrf],
        ['pick', checkboxFor(fresh, bare.code)],
        ['departmentId', p.w.departments.culture.id],
        ['categoryCode', other],
        ['op', 'assign'],
      ]),
    );
    expect(resultRows(withCategory)[bare.code]).toBe('✓ Xong: Đã phân công cho Phòng Văn hoá – Xã hội');
    expect((await current(p, bare)).categoryCode).toBe(other);
    expect((await current(p, classified)).categoryCode).toBe(categoryCode);
  });

  it('refuses checked cases as duplicates of an original given by its code, which must be the ward’s and not among them', async () => {
    const { clerk } = bulkUsers;
    const p = bulkWard;
    const [original, d1, d2, foreign] = [await file(p), await file(p), await file(p), await file(otherWard)];
    const page = htmlOf(await get(clerk, '/console/queue'));
    const picks = [d1, d2].map((c) => ['pick', checkboxFor(page, c.code)] as [string, string]);
    const send = (code: string, extra: [string, string][] = []) =>
      bulk(clerk, [
        ['_csrf', clerk.csrf],
        ...picks,
        ...extra,
        ['original', code],
        ['duplicateNote', 'Cùng một vụ việc'],
        ['op', 'duplicate'],
      ]);

    const elsewhere = await send(foreign.code);
    expect(elsewhere.statusCode).toBe(400);
    const field = htmlOf(elsewhere).querySelector('#bulk-original');
    expect(field?.getAttribute('aria-invalid')).toBe('true');
    expect(textOf(htmlOf(elsewhere).querySelector(`#${field?.getAttribute('aria-describedby')}`))).toBe(
      'Không tìm thấy phản ánh gốc có mã này trong phường/xã.',
    );
    // What was checked stays checked.
    expect(checkboxFor(htmlOf(elsewhere), d1.code)).toBeTruthy();
    expect(htmlOf(elsewhere).querySelector(`#pick-${d1.id}`)?.hasAttribute('checked')).toBe(true);
    const selected = await send(d1.code);
    expect(selected.statusCode).toBe(400);
    expect(textOf(htmlOf(selected).querySelector('#bulk-original-error'))).toBe(
      'Phản ánh gốc không được nằm trong các phản ánh đã chọn.',
    );
    expect((await current(p, d1)).status).toBe('received');

    const done = await send(original.code.toLowerCase());
    expect(done.statusCode).toBe(200);
    expect(resultRows(htmlOf(done))).toEqual({
      [d1.code]: `✓ Xong: Đã từ chối (trùng với ${original.code})`,
      [d2.code]: `✓ Xong: Đã từ chối (trùng với ${original.code})`,
    });
    const after = await current(p, d2);
    expect(after.status).toBe('rejected');
    expect(after.duplicateOf).toBe(original.id);
    expect((await current(p, original)).status).toBe('received');
  });

  it('refuses a bulk form without a selection, with too many rows, from another role, or without the anti-forgery token', async () => {
    const { clerk, chairman, head } = bulkUsers;
    const p = bulkWard;
    const c = await file(p);
    const page = htmlOf(await get(clerk, '/console/queue'));
    const pick: [string, string] = ['pick', checkboxFor(page, c.code)];
    const assign: [string, string][] = [
      ['departmentId', p.w.departments.infra.id],
      ['op', 'assign'],
    ];

    const none = await bulk(clerk, [['_csrf', clerk.csrf], ...assign]);
    expect(none.statusCode).toBe(400);
    expect(textOf(htmlOf(none).querySelector('#pick-error'))).toBe(
      'Chưa chọn phản ánh nào: hãy đánh dấu các dòng cần xử lý.',
    );
    const many = Array.from({ length: 101 }, (_, i) => ['pick', `${900000 + i}:1`] as [string, string]);
    const tooMany = await bulk(clerk, [['_csrf', clerk.csrf], ...many, ...assign]);
    expect(tooMany.statusCode).toBe(400);
    expect(textOf(htmlOf(tooMany).querySelector('#pick-error'))).toBe(
      'Mỗi lần chỉ xử lý tối đa 100 phản ánh; hãy chọn ít hơn.',
    );
    const noDepartment = await bulk(clerk, [['_csrf', clerk.csrf], pick, ['op', 'assign']]);
    expect(noDepartment.statusCode).toBe(400);
    expect(textOf(htmlOf(noDepartment).querySelector('#bulk-department-error'))).toBe(
      'Hãy chọn đơn vị xử lý.',
    );

    expect((await bulk(head, [['_csrf', head.csrf], pick, ...assign])).statusCode).toBe(403);
    expect((await bulk(chairman, [['_csrf', chairman.csrf], pick, ...assign])).statusCode).toBe(403);
    expect((await bulk(clerk, [pick, ...assign])).statusCode).toBe(403);
    expect((await bulk(clerk, [['_csrf', 'x'.repeat(32)], pick, ...assign])).statusCode).toBe(403);
    expect((await current(p, c)).status).toBe('received');

    // A case of another ward named in a checked row is not found, row by row; the others go on.
    const foreign = await file(otherWard);
    const mixed = htmlOf(
      await bulk(clerk, [
        ['_csrf', clerk.csrf],
        ['pick', `${foreign.id}:${foreign.version}`],
        pick,
        ...assign,
      ]),
    );
    expect(resultRows(mixed)).toEqual({
      [foreign.id]:
        '✗ Không thực hiện: Không tìm thấy phản ánh này, hoặc phản ánh không thuộc phường/xã của bạn.',
      [c.code]: '✓ Xong: Đã phân công cho Phòng Kinh tế – Hạ tầng – Đô thị',
    });
    expect((await current(otherWard, foreign)).status).toBe('received');
  });

  it('answers htmx with the result alone (the token in its header), to swap into the page', async () => {
    const { clerk } = bulkUsers;
    const p = bulkWard;
    const c = await file(p);
    const page = htmlOf(await get(clerk, '/console/queue'));
    const res = await bulk(
      clerk,
      [
        ['pick', checkboxFor(page, c.code)],
        ['departmentId', p.w.departments.infra.id],
        ['op', 'assign'],
      ],
      { 'hx-request': 'true', 'x-csrf-token': clerk.csrf },
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<html');
    expect(resultRows(htmlOf(res))).toEqual({
      [c.code]: '✓ Xong: Đã phân công cho Phòng Kinh tế – Hạ tầng – Đô thị',
    });
  });
});
