import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, req, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { type CaseJson, postCase } from '../support/cases.ts';
import { asUser, type ConsoleUser, form, htmlOf, signInConsole, textOf } from '../support/console.ts';
import { createCategory, createStaff, createWard, type Ward } from '../support/fixtures.ts';

/**
 * "Mẫu trả lời" in the console (issue 17): the department head adds, changes and stops using the
 * department's answer templates; officers read them; on a case page heads and officers insert one
 * into the answer, its placeholders filled from the case as they may see it. Another department's
 * template is 404, as in the API.
 */
let t: TestApp;
let ward: Ward;
let other: Ward;
let lighting: string;
let roads: string;
let head: ConsoleUser;
let officer: ConsoleUser;
let cultureHead: ConsoleUser;
let intake: ConsoleUser;
let named: CaseJson;
let confidential: CaseJson;
const password = 'password-123';

beforeAll(async () => {
  t = await createTestApp();
  [ward, other] = await Promise.all([createWard(t), createWard(t)]);
  [lighting, roads] = (
    await Promise.all([
      createCategory(t, { defaultDepartmentCode: 'ktht' }),
      createCategory(t, { defaultDepartmentCode: 'ktht' }),
    ])
  ).map((c) => c.code) as [string, string];
  const file = (reporter: object) =>
    postCase(
      t.app,
      bearer(ward.tokens.intake),
      caseBody(ward.code, { channel: 'walk_in', categoryCode: lighting, reporter }),
    );
  [named, confidential] = await Promise.all([
    file({ name: 'Nguyễn Thị Hoa', phone: '0912111222', confidential: false }),
    file({ name: 'Người giấu tên', phone: '0912333444', confidential: true }),
  ]);
  const users = await Promise.all([
    createStaff(t, 'department_head', { departmentId: ward.departments.infra.id }, password),
    createStaff(t, 'department_officer', { departmentId: ward.departments.infra.id }, password),
    createStaff(t, 'department_head', { departmentId: ward.departments.culture.id }, password),
    createStaff(t, 'intake', { wardId: ward.id }, password),
  ]);
  [head, officer, cultureHead, intake] = (await Promise.all(
    users.map((u) => signInConsole(t, u.username, password)),
  )) as [ConsoleUser, ConsoleUser, ConsoleUser, ConsoleUser];
}, 180_000);
afterAll(() => t.close());

const get = (user: ConsoleUser, url: string, headers: Record<string, string> = {}) =>
  t.app.inject(asUser(user, { method: 'GET', url, headers }));
const post = (user: ConsoleUser, url: string, fields: Record<string, string>, headers = {}) => {
  const f = form({ _csrf: user.csrf, ...fields });
  return t.app.inject(
    asUser(user, { method: 'POST', url, payload: f.payload, headers: { ...f.headers, ...headers } }),
  );
};
/** A template made through the API as a head (token), for the tests that need one. */
const apiTemplate = async (token: string, body: object) =>
  (await call(t.app, req('POST', '/api/v1/answer-templates', bearer(token), body), 201)).json() as {
    id: string;
    version: number;
  };
/** The template's item on the list page, found by its title. */
const itemTitled = async (user: ConsoleUser, title: string) => {
  const page = htmlOf(await get(user, '/console/templates'));
  return page.querySelectorAll('li.template').find((li) => textOf(li.querySelector('h3')).startsWith(title));
};
const vietnamDay = (iso: string) => {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Ho_Chi_Minh',
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
    })
      .formatToParts(new Date(iso))
      .map((x) => [x.type, x.value]),
  );
  return `${p.day}/${p.month}/${p.year}`;
};

describe('the head', () => {
  it('finds "Mẫu trả lời" in the navigation and adds a template for a category', async () => {
    const page = htmlOf(await get(head, '/console/templates'));
    const nav = page.querySelector('nav a[href="/console/templates"]');
    expect(textOf(nav)).toBe('Mẫu trả lời');
    expect(nav?.getAttribute('aria-current')).toBe('page');
    expect(page.querySelector('label[for=tpl-title]')).not.toBeNull();

    const created = await post(head, '/console/templates', {
      categoryCode: lighting,
      title: 'Đã thay bóng đèn',
      body: 'Kính gửi {{ten_nguoi_phan_anh}},\nĐèn đã được thay.',
    });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe('/console/templates?done=created');
    const after = htmlOf(await get(head, created.headers.location as string));
    expect(textOf(after.querySelector('[role=status]'))).toBe('Đã thêm mẫu trả lời.');
    const group = after
      .querySelectorAll('section')
      .find((s) => textOf(s.querySelector('h2')) === `Lĩnh vực ${lighting}`);
    expect(textOf(group?.querySelector('li.template h3'))).toContain('Đã thay bóng đèn');
    expect(group?.querySelector('.template-body')?.textContent).toBe(
      'Kính gửi {{ten_nguoi_phan_anh}},\nĐèn đã được thay.',
    );
  });

  it('gets the mistakes beside the fields (400), and nothing is stored', async () => {
    const res = await post(head, '/console/templates', { categoryCode: '', title: '   ', body: '' });
    expect(res.statusCode).toBe(400);
    const page = htmlOf(res);
    for (const name of ['title', 'body']) {
      const input = page.querySelector(`#tpl-${name}`);
      expect(input?.getAttribute('aria-invalid')).toBe('true');
      expect(textOf(page.querySelector(`#${input?.getAttribute('aria-describedby')}`))).toBe(
        'Vui lòng nhập nội dung này.',
      );
    }
    expect(textOf(page.querySelector('[role=alert]'))).toBe('Chưa lưu được: hãy sửa các ô được đánh dấu.');

    const tooLong = await post(head, '/console/templates', { title: 'Dài quá', body: 'x'.repeat(10_001) });
    expect(tooLong.statusCode).toBe(400);
    expect(htmlOf(tooLong).querySelector('#tpl-body')?.getAttribute('aria-invalid')).toBe('true');
    expect(htmlOf(tooLong).querySelector('#tpl-title')?.getAttribute('value')).toBe('Dài quá');
    expect(await itemTitled(head, 'Dài quá')).toBeUndefined();
  });

  it('changes a template at the version seen; a stale form is 412 with a notice and the typed text kept', async () => {
    const tpl = await apiTemplate(ward.tokens.infraHead, { title: 'Để sửa', body: 'Bản đầu' });
    const edit = htmlOf(await get(head, `/console/templates/${tpl.id}/edit`));
    expect(edit.querySelector('#tpl-body')?.textContent).toBe('Bản đầu');
    expect(edit.querySelector('input[name=version]')?.getAttribute('value')).toBe('1');

    const saved = await post(head, `/console/templates/${tpl.id}`, {
      version: '1',
      categoryCode: roads,
      title: 'Để sửa',
      body: 'Bản hai',
    });
    expect(saved.statusCode).toBe(303);
    const item = await itemTitled(head, 'Để sửa');
    expect(item?.querySelector('.template-body')?.textContent).toBe('Bản hai');

    const stale = await post(head, `/console/templates/${tpl.id}`, {
      version: '1',
      categoryCode: '',
      title: 'Để sửa',
      body: 'Bản ba của tôi',
    });
    expect(stale.statusCode).toBe(412);
    const page = htmlOf(stale);
    expect(textOf(page.querySelector('[role=alert]'))).toContain('vừa được người khác sửa');
    expect(page.querySelector('#tpl-body')?.textContent).toBe('Bản ba của tôi');
    expect(page.querySelector('input[name=version]')?.getAttribute('value')).toBe('2');
    expect(page.querySelector('section .template-body')?.textContent).toBe('Bản hai');
  });

  it('stops using a template and uses it again; a stale button is 412', async () => {
    const tpl = await apiTemplate(ward.tokens.infraHead, { title: 'Để ngừng', body: 'Nội dung' });
    const off = await post(head, `/console/templates/${tpl.id}/deactivate`, { version: '1' });
    expect(off.statusCode).toBe(303);
    const item = await itemTitled(head, 'Để ngừng');
    expect(textOf(item?.querySelector('h3'))).toContain('Đã ngừng dùng');
    expect(textOf(item?.querySelector('form button'))).toBe('Dùng lại');

    const stale = await post(head, `/console/templates/${tpl.id}/reactivate`, { version: '1' });
    expect(stale.statusCode).toBe(412);
    expect(textOf(htmlOf(stale).querySelector('[role=alert]'))).toContain('vừa được người khác thay đổi');
    const on = await post(head, `/console/templates/${tpl.id}/reactivate`, { version: '2' });
    expect(on.statusCode).toBe(303);
  });

  it("cannot open or change another department's template (404)", async () => {
    const theirs = await apiTemplate(ward.tokens.cultureHead, { title: 'Của phòng văn hoá', body: 'X' });
    const elsewhere = await apiTemplate(other.tokens.infraHead, { title: 'Của phường khác', body: 'Y' });
    for (const id of [theirs.id, elsewhere.id]) {
      expect((await get(head, `/console/templates/${id}/edit`)).statusCode).toBe(404);
      const change = await post(head, `/console/templates/${id}`, {
        version: '1',
        categoryCode: '',
        title: 'Chiếm',
        body: 'Chiếm',
      });
      expect(change.statusCode).toBe(404);
      expect((await post(head, `/console/templates/${id}/deactivate`, { version: '1' })).statusCode).toBe(
        404,
      );
    }
    expect(await itemTitled(head, 'Của phòng văn hoá')).toBeUndefined();
    const check = await call(
      t.app,
      req('GET', `/api/v1/answer-templates/${theirs.id}`, bearer(ward.tokens.cultureHead)),
      200,
    );
    expect(check.json()).toMatchObject({ title: 'Của phòng văn hoá', version: 1, active: true });
  });
});

describe('an officer', () => {
  it("reads the department's templates but cannot add, edit or deactivate one (403)", async () => {
    const tpl = await apiTemplate(ward.tokens.infraHead, { title: 'Cho chuyên viên đọc', body: 'Z' });
    const page = htmlOf(await get(officer, '/console/templates'));
    expect(textOf(page.querySelector('nav a[href="/console/templates"]'))).toBe('Mẫu trả lời');
    expect(await itemTitled(officer, 'Cho chuyên viên đọc')).toBeDefined();
    expect(page.querySelector('form.template-form')).toBeNull();
    expect(page.querySelector(`a[href="/console/templates/${tpl.id}/edit"]`)).toBeNull();
    expect(textOf(page.querySelector('main'))).toContain('Chỉ trưởng phòng thêm và sửa mẫu trả lời.');

    expect((await post(officer, '/console/templates', { title: 'Không được', body: 'X' })).statusCode).toBe(
      403,
    );
    expect((await get(officer, `/console/templates/${tpl.id}/edit`)).statusCode).toBe(403);
    const change = await post(officer, `/console/templates/${tpl.id}`, {
      version: '1',
      categoryCode: '',
      title: 'Sửa trộm',
      body: 'X',
    });
    expect(change.statusCode).toBe(403);
    expect(
      (await post(officer, `/console/templates/${tpl.id}/deactivate`, { version: '1' })).statusCode,
    ).toBe(403);
    const check = await call(
      t.app,
      req('GET', `/api/v1/answer-templates/${tpl.id}`, bearer(ward.tokens.infraHead)),
      200,
    );
    expect(check.json()).toMatchObject({ title: 'Cho chuyên viên đọc', version: 1, active: true });
  });

  it('the ward office has no such page nor navigation entry', async () => {
    expect((await get(intake, '/console/templates')).statusCode).toBe(403);
    const home = htmlOf(await get(intake, '/console'));
    expect(home.querySelector('nav a[href="/console/templates"]')).toBeNull();
  });
});

describe("a case's answer", () => {
  let greeting: { id: string };
  let forRoads: { id: string };
  let retired: { id: string };
  let cultures: { id: string };
  let elsewhere: { id: string };
  beforeAll(async () => {
    [greeting, forRoads, retired, cultures, elsewhere] = await Promise.all([
      apiTemplate(ward.tokens.infraHead, {
        categoryCode: lighting,
        title: 'Trả lời đèn đường',
        body: 'Kính gửi {{ten_nguoi_phan_anh}}: phản ánh {{ma_phan_anh}} ngày {{ngay_tiep_nhan}} đã được xử lý.',
      }),
      apiTemplate(ward.tokens.infraHead, { categoryCode: roads, title: 'Trả lời đường sá', body: 'Đường' }),
      apiTemplate(ward.tokens.infraHead, { title: 'Mẫu đã bỏ', body: 'Cũ' }),
      apiTemplate(ward.tokens.cultureHead, { title: 'Mẫu phòng văn hoá', body: 'Văn hoá' }),
      apiTemplate(other.tokens.infraHead, { title: 'Mẫu phường khác', body: 'Khác' }),
    ]);
    await call(
      t.app,
      req('POST', `/api/v1/answer-templates/${retired.id}/deactivate`, bearer(ward.tokens.infraHead)),
      200,
    );
  });

  it("offers the department's active templates for the case's category and for any category", async () => {
    for (const user of [head, officer]) {
      const page = htmlOf(await get(user, `/console/cases/${named.id}`));
      const picker = page.querySelector('form.template-picker');
      expect(textOf(picker?.querySelector('label[for=templateId]'))).toBe('Chèn mẫu trả lời');
      const offered = picker?.querySelectorAll('option').map((o) => o.getAttribute('value')) ?? [];
      expect(offered).toContain(greeting.id);
      for (const id of [forRoads.id, retired.id, cultures.id, elsewhere.id])
        expect(offered).not.toContain(id);
      // It comes before the answer box, which it fills.
      expect(page.querySelector('form[action$="/respond"] textarea#answer')).not.toBeNull();
    }
  });

  it('fills the answer box with the template, placeholders replaced by the case (without JavaScript)', async () => {
    const res = await get(head, `/console/cases/${named.id}/answer-template?templateId=${greeting.id}`);
    expect(res.statusCode).toBe(200);
    const box = htmlOf(res).querySelector('form[action$="/respond"] textarea#answer');
    expect(box?.textContent).toBe(
      `Kính gửi Nguyễn Thị Hoa: phản ánh ${named.code} ngày ${vietnamDay(named.receivedAt)} đã được xử lý.`,
    );
    // The filled page still answers as before.
    const version = htmlOf(res)
      .querySelector('form[action$="/respond"] input[name=version]')
      ?.getAttribute('value');
    expect(version).toBe(String(named.version));
  });

  it('with htmx, adds the template after what is typed and swaps the box alone', async () => {
    const res = await post(
      officer,
      `/console/cases/${named.id}/answer-template`,
      { templateId: greeting.id, answer: 'Dòng đã gõ.' },
      { 'hx-request': 'true' },
    );
    expect(res.statusCode).toBe(200);
    const fragment = htmlOf(res);
    expect(fragment.querySelector('h1')).toBeNull();
    expect(fragment.querySelector('#answer-field textarea#answer')?.textContent).toBe(
      `Dòng đã gõ.\n\nKính gửi Nguyễn Thị Hoa: phản ánh ${named.code} ngày ${vietnamDay(named.receivedAt)} đã được xử lý.`,
    );
  });

  it('never writes the name of a reporter who asked for confidentiality', async () => {
    const res = await get(
      head,
      `/console/cases/${confidential.id}/answer-template?templateId=${greeting.id}`,
    );
    const text = htmlOf(res).querySelector('textarea#answer')?.textContent ?? '';
    expect(text).toContain('Kính gửi ông/bà:');
    expect(text).not.toContain('Người giấu tên');
  });

  it("refuses another department's or ward's template, one no longer used, or one of another category (404)", async () => {
    for (const id of [cultures.id, elsewhere.id, retired.id, forRoads.id]) {
      const plain = await get(head, `/console/cases/${named.id}/answer-template?templateId=${id}`);
      expect(plain.statusCode).toBe(404);
      const swapped = await post(
        head,
        `/console/cases/${named.id}/answer-template`,
        { templateId: id, answer: 'Giữ nguyên' },
        { 'hx-request': 'true' },
      );
      expect(swapped.statusCode).toBe(404);
      const fragment = htmlOf(swapped);
      expect(fragment.querySelector('textarea#answer')?.textContent).toBe('Giữ nguyên');
      expect(textOf(fragment.querySelector('[role=alert]'))).toBe(
        'Mẫu trả lời này không còn dùng được; hãy chọn mẫu khác.',
      );
      expect(fragment.toString()).not.toMatch(/Văn hoá|Khác|Đường|Cũ/);
    }
  });

  it('a head of another department cannot use it on a case they cannot see (404)', async () => {
    const res = await get(
      cultureHead,
      `/console/cases/${named.id}/answer-template?templateId=${greeting.id}`,
    );
    expect(res.statusCode).toBe(404);
  });
});
