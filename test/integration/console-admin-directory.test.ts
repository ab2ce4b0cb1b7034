import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, req, type TestApp } from '../support/app.ts';
import { asUser, type ConsoleUser, form, htmlOf, signInConsole, textOf } from '../support/console.ts';
import { createStaff, createWard } from '../support/fixtures.ts';
import { uid } from '../support/ids.ts';

/**
 * The admin's directory pages (issue 17) through app.inject(): an admin creates, changes, deactivates
 * and reactivates wards, departments, categories, users and API clients on the directory's services;
 * a stale form is refused with the fresh values; bad input is said beside its field and creates
 * nothing; an API key is shown once; nobody but an admin reaches any of it.
 */
let t: TestApp;
let admin: ConsoleUser;
let intake: ConsoleUser;
let wardId: string;
let adminUsername: string;
const password = 'password-123';

beforeAll(async () => {
  t = await createTestApp();
  const ward = await createWard(t, { staff: 'none', departments: [] });
  wardId = ward.id;
  const [a, i] = await Promise.all([
    createStaff(t, 'admin', {}, password),
    createStaff(t, 'intake', { wardId }, password),
  ]);
  adminUsername = a.username;
  [admin, intake] = await Promise.all([
    signInConsole(t, a.username, password),
    signInConsole(t, i.username, password),
  ]);
}, 60_000);
afterAll(() => t.close());

const get = (user: ConsoleUser, url: string) => t.app.inject(asUser(user, { method: 'GET', url }));
const post = (user: ConsoleUser, url: string, fields: Record<string, string>) =>
  t.app.inject(asUser(user, { method: 'POST', url, ...form({ _csrf: user.csrf, ...fields }) }));
/** The id a create form redirected to (`/console/admin/<section>/<id>?done=created`). */
const createdId = (res: { statusCode: number; headers: Record<string, unknown>; body: string }) => {
  expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
  const m = /\/(\d+)\?done=created$/.exec(String(res.headers.location));
  if (!m?.[1]) throw new Error(`no id in ${String(res.headers.location)}`);
  return m[1];
};
/** The version a record page's edit form carries (what the admin saw). */
const versionOn = async (url: string) =>
  htmlOf(await get(admin, url))
    .querySelector(`form[action="${url}"] input[name=version]`)
    ?.getAttribute('value') as string;
const api = (method: 'GET' | 'PATCH' | 'POST', url: string, payload?: object) =>
  t.app.inject(req(method, url, bearer(t.adminToken), payload));

describe('the admin index', () => {
  it('links every admin section, and the navigation has Quản trị for admins only', async () => {
    const page = htmlOf(await get(admin, '/console/admin'));
    const links = page.querySelectorAll('main a').map((a) => [a.getAttribute('href'), textOf(a)]);
    expect(links).toEqual([
      ['/console/admin/wards', 'Phường'],
      ['/console/admin/departments', 'Phòng ban'],
      ['/console/admin/categories', 'Lĩnh vực & thời hạn'],
      ['/console/admin/users', 'Người dùng'],
      ['/console/admin/api-clients', 'Ứng dụng kết nối'],
      ['/console/admin/calendar', 'Lịch làm việc'],
      ['/console/admin/escalation-policy', 'Thang cảnh báo'],
      ['/console/admin/webhooks', 'Webhook'],
      ['/console/admin/audit', 'Nhật ký thao tác'],
    ]);
    const nav = page.querySelector('nav a[href="/console/admin"]');
    expect(textOf(nav)).toBe('Quản trị');
    expect(nav?.getAttribute('aria-current')).toBe('page');
    const intakeHome = htmlOf(await get(intake, '/console'));
    expect(intakeHome.querySelector('nav a[href="/console/admin"]')).toBeNull();
  });

  it('refuses every admin page and change to anyone but an admin (403 page)', async () => {
    const wardPage = `/console/admin/wards/${wardId}`;
    for (const url of [
      '/console/admin',
      '/console/admin/wards',
      '/console/admin/wards/new',
      wardPage,
      '/console/admin/departments',
      '/console/admin/categories',
      '/console/admin/categories/new',
      '/console/admin/users',
      '/console/admin/users/new',
      '/console/admin/api-clients',
      '/console/admin/api-clients/new',
    ]) {
      const res = await get(intake, url);
      expect(res.statusCode, url).toBe(403);
      expect(textOf(htmlOf(res).querySelector('h1')), url).toBe('Không có quyền');
    }
    const before = (await api('GET', `/api/v1/wards/${wardId}`)).json();
    for (const [url, fields] of [
      ['/console/admin/wards', { code: `X${uid()}`.slice(0, 20), name: 'Phường lạ' }],
      [wardPage, { name: 'Đổi tên trái phép', version: String(before.version) }],
      [`${wardPage}/deactivate`, { version: String(before.version) }],
      ['/console/admin/api-clients', { name: 'Ứng dụng lạ', channel: 'web' }],
    ] as const) {
      expect((await post(intake, url, fields)).statusCode, url).toBe(403);
    }
    expect((await api('GET', `/api/v1/wards/${wardId}`)).json()).toEqual(before);
  });
});

describe('wards and departments', () => {
  it('creates a ward, lists it as active, renames it, deactivates and reactivates it', async () => {
    const code = `A${uid()}`.slice(0, 20);
    const id = createdId(
      await post(admin, '/console/admin/wards', { code: code.toLowerCase(), name: 'Phường An Biên' }),
    );
    const page = htmlOf(await get(admin, `/console/admin/wards/${id}?done=created`));
    expect(textOf(page.querySelector('h1'))).toBe('Phường Phường An Biên');
    expect(textOf(page.querySelector('.notice'))).toBe('Đã tạo.');
    // The code is stored in its canonical case, as the API does.
    expect(textOf(page.querySelector('dl.facts'))).toContain(code);

    const list = htmlOf(await get(admin, '/console/admin/wards?active=true'));
    const row = list.querySelectorAll('tbody tr').find((r) => textOf(r).includes(code));
    expect(textOf(row)).toContain('Đang hoạt động');

    const url = `/console/admin/wards/${id}`;
    const version = await versionOn(url);
    const saved = await post(admin, url, { name: 'Phường An Biên mới', version });
    expect(saved.statusCode).toBe(303);
    expect((await api('GET', `/api/v1/wards/${id}`)).json()).toMatchObject({
      name: 'Phường An Biên mới',
      officerAnswersNeedApproval: false,
      active: true,
    });

    const deactivate = htmlOf(await get(admin, url)).querySelector('details form[action$="/deactivate"]');
    expect(deactivate).not.toBeNull();
    const off = await post(admin, `${url}/deactivate`, {
      version: deactivate?.querySelector('input[name=version]')?.getAttribute('value') as string,
    });
    expect(off.statusCode).toBe(303);
    expect(off.headers.location).toBe(`${url}?done=deactivated`);
    const inactiveList = htmlOf(await get(admin, '/console/admin/wards?active=false'));
    expect(textOf(inactiveList.querySelectorAll('tbody tr').find((r) => textOf(r).includes(code)))).toContain(
      'Ngừng hoạt động',
    );
    const reactivate = htmlOf(await get(admin, url)).querySelector('details form[action$="/reactivate"]');
    const on = await post(admin, `${url}/reactivate`, {
      version: reactivate?.querySelector('input[name=version]')?.getAttribute('value') as string,
    });
    expect(on.statusCode).toBe(303);
    expect((await api('GET', `/api/v1/wards/${id}`)).json().active).toBe(true);
  });

  it('refuses a stale edit (412) and shows the values someone else saved', async () => {
    const url = `/console/admin/wards/${wardId}`;
    const seen = await versionOn(url);
    await call(
      t.app,
      req('PATCH', `/api/v1/wards/${wardId}`, bearer(t.adminToken), { name: 'Tên do người khác sửa' }),
      200,
    );
    const res = await post(admin, url, { name: 'Tên của tôi', version: seen });
    expect(res.statusCode).toBe(412);
    const page = htmlOf(res);
    expect(textOf(page.querySelector('.notice.error'))).toContain('Đã có người sửa');
    expect(page.querySelector(`form[action="${url}"] input[name=name]`)?.getAttribute('value')).toBe(
      'Tên do người khác sửa',
    );
    expect(Number(await versionOn(url))).toBeGreaterThan(Number(seen));
    expect((await api('GET', `/api/v1/wards/${wardId}`)).json().name).toBe('Tên do người khác sửa');

    // A stale deactivation is refused the same way, and the ward stays active.
    const stale = await post(admin, `${url}/deactivate`, { version: seen });
    expect(stale.statusCode).toBe(412);
    expect((await api('GET', `/api/v1/wards/${wardId}`)).json().active).toBe(true);
  });

  it('says what is wrong beside each field, and creates nothing', async () => {
    const before = (await api('GET', '/api/v1/wards?limit=200')).json().items.length;
    const res = await post(admin, '/console/admin/wards', { code: 'x', name: '' });
    expect(res.statusCode).toBe(400);
    const page = htmlOf(res);
    for (const name of ['code', 'name']) {
      const input = page.querySelector(`#${name}`);
      expect(input?.getAttribute('aria-invalid'), name).toBe('true');
      expect(input?.getAttribute('aria-describedby'), name).toContain(`${name}-error`);
      expect(textOf(page.querySelector(`#${name}-error`)), name).not.toBe('');
    }
    expect(textOf(page.querySelector('#code-error'))).toContain('Mã phường/xã gồm 2–20 chữ cái');
    expect((await api('GET', '/api/v1/wards?limit=200')).json().items.length).toBe(before);

    const dup = await post(admin, '/console/admin/wards', {
      code: (await api('GET', `/api/v1/wards/${wardId}`)).json().code,
      name: 'Trùng mã',
    });
    expect(dup.statusCode).toBe(409);
    expect(textOf(htmlOf(dup).querySelector('#code-error'))).toContain('đã tồn tại');
  });

  it('creates a department in a ward and lists it under that ward', async () => {
    const missing = await post(admin, '/console/admin/departments', {
      wardId: '',
      code: 'ab',
      name: 'Phòng',
    });
    expect(missing.statusCode).toBe(400);
    expect(htmlOf(missing).querySelector('#wardId')?.getAttribute('aria-invalid')).toBe('true');

    const id = createdId(
      await post(admin, '/console/admin/departments', {
        wardId,
        code: 'TNMT',
        name: 'Phòng Tài nguyên – Môi trường',
      }),
    );
    expect((await api('GET', `/api/v1/departments/${id}`)).json()).toMatchObject({ wardId, code: 'tnmt' });
    const list = htmlOf(await get(admin, `/console/admin/departments?wardId=${wardId}`));
    const rows = list.querySelectorAll('tbody tr').map(textOf);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('Phòng Tài nguyên – Môi trường');
    expect(rows[0]).toContain('Đang hoạt động');
  });
});

describe('categories', () => {
  it('creates a category with its SLAs as a number and a unit, and shows them in words', async () => {
    const code = `cat_${uid().toLowerCase()}`;
    const id = createdId(
      await post(admin, '/console/admin/categories', {
        code,
        name: 'Cây xanh',
        defaultDepartmentCode: 'tnmt',
        normalAmount: '5',
        normalUnit: 'days',
        normalClock: 'working',
        urgentAmount: '4',
        urgentUnit: 'hours',
        urgentClock: 'continuous',
      }),
    );
    expect((await api('GET', `/api/v1/categories/${id}`)).json()).toMatchObject({
      code,
      defaultDepartmentCode: 'tnmt',
      sla: {
        normal: { duration: 'P5D', clock: 'working' },
        urgent: { duration: 'PT4H', clock: 'continuous' },
      },
    });
    const list = htmlOf(await get(admin, '/console/admin/categories?active=true'));
    const row = textOf(list.querySelectorAll('tbody tr').find((r) => textOf(r).includes(code)));
    expect(row).toContain('5 ngày làm việc');
    expect(row).toContain('4 giờ');

    // The edit form shows the stored SLA as it was typed; a change names its new length.
    const url = `/console/admin/categories/${id}`;
    const page = htmlOf(await get(admin, url));
    expect(page.querySelector('#urgentAmount')?.getAttribute('value')).toBe('4');
    expect(page.querySelector('#urgentUnit option[selected]')?.getAttribute('value')).toBe('hours');
    const saved = await post(admin, url, {
      version: await versionOn(url),
      name: 'Cây xanh đô thị',
      defaultDepartmentCode: '',
      normalAmount: '3',
      normalUnit: 'days',
      normalClock: 'working',
      urgentAmount: '90',
      urgentUnit: 'minutes',
      urgentClock: 'continuous',
    });
    expect(saved.statusCode).toBe(303);
    expect((await api('GET', `/api/v1/categories/${id}`)).json()).toMatchObject({
      name: 'Cây xanh đô thị',
      defaultDepartmentCode: null,
      sla: { normal: { duration: 'P3D' }, urgent: { duration: 'PT90M' } },
    });
    expect(textOf(htmlOf(await get(admin, url)).querySelector('dl.facts'))).toContain('1 giờ 30 phút');
  });

  it('says a bad SLA beside its field, and creates nothing', async () => {
    const code = `cat_${uid().toLowerCase()}`;
    const res = await post(admin, '/console/admin/categories', {
      code,
      name: 'Sai thời hạn',
      normalAmount: 'năm',
      normalUnit: 'days',
      normalClock: 'working',
      urgentAmount: '2',
      urgentUnit: 'hours',
      urgentClock: 'sometimes',
    });
    expect(res.statusCode).toBe(400);
    const page = htmlOf(res);
    expect(page.querySelector('#normalAmount')?.getAttribute('aria-invalid')).toBe('true');
    expect(textOf(page.querySelector('#normalAmount-error'))).toBe('Nhập một số nguyên từ 1 đến 9999');
    expect(page.querySelector('#urgentClock')?.getAttribute('aria-invalid')).toBe('true');
    expect(page.querySelector('#urgentAmount')?.hasAttribute('aria-invalid')).toBe(false);
    // What was typed stays in the form.
    expect(page.querySelector('#code')?.getAttribute('value')).toBe(code);
    const all = (await api('GET', '/api/v1/categories?limit=200')).json().items as { code: string }[];
    expect(all.map((c) => c.code)).not.toContain(code);
  });
});

describe('users', () => {
  it('creates a user who then signs in; deactivating them ends their console session at once', async () => {
    const username = `nv-${uid().toLowerCase()}`;
    const id = createdId(
      await post(admin, '/console/admin/users', {
        username,
        fullName: 'Trần Văn Bình',
        role: 'intake',
        wardId,
        departmentId: '',
        email: '',
        password: 'mat-khau-dai-1',
      }),
    );
    expect((await api('GET', `/api/v1/users/${id}`)).json()).toMatchObject({
      username,
      role: 'intake',
      wardId,
      active: true,
    });
    const list = htmlOf(await get(admin, `/console/admin/users?wardId=${wardId}&role=intake`));
    const row = textOf(list.querySelectorAll('tbody tr').find((r) => textOf(r).includes(username)));
    expect(row).toContain('Cán bộ tiếp nhận');
    expect(row).toContain('Đang hoạt động');

    const user = await signInConsole(t, username, 'mat-khau-dai-1');
    expect((await get(user, '/console')).statusCode).toBe(200);

    const url = `/console/admin/users/${id}`;
    const version = htmlOf(await get(admin, url))
      .querySelector('details form[action$="/deactivate"] input[name=version]')
      ?.getAttribute('value') as string;
    expect((await post(admin, `${url}/deactivate`, { version })).statusCode).toBe(303);
    const refused = await get(user, '/console');
    expect(refused.statusCode).toBe(303);
    expect(refused.headers.location).toMatch(/^\/console\/sign-in/);
    const after = htmlOf(await get(admin, url));
    expect(textOf(after.querySelector('dl.facts'))).toContain('Ngừng hoạt động');
  });

  it('sets a new password: the old one and the user’s sessions stop', async () => {
    const staff = await createStaff(t, 'intake', { wardId }, password);
    const user = await signInConsole(t, staff.username, password);
    const { id } = (await api('GET', `/api/v1/users?wardId=${wardId}&limit=200`))
      .json()
      .items.find((u: { username: string }) => u.username === staff.username);
    const short = await post(admin, `/console/admin/users/${id}/password`, { newPassword: 'ngan' });
    expect(short.statusCode).toBe(400);
    expect(textOf(htmlOf(short).querySelector('#newPassword-error'))).toContain('10 ký tự');
    const res = await post(admin, `/console/admin/users/${id}/password`, { newPassword: 'mat-khau-moi-123' });
    expect(res.statusCode).toBe(303);
    expect((await get(user, '/console')).statusCode).toBe(303);
    await signInConsole(t, staff.username, 'mat-khau-moi-123');
  });

  it('says bad input beside each field, never echoes the password, and creates nothing', async () => {
    const username = `x-${uid().toLowerCase()}`;
    const res = await post(admin, '/console/admin/users', {
      username,
      fullName: '',
      role: 'department_head',
      wardId: '',
      departmentId: '',
      email: 'không phải thư',
      password: 'ngan-qua',
    });
    expect(res.statusCode).toBe(400);
    const page = htmlOf(res);
    for (const name of ['fullName', 'email', 'password'])
      expect(page.querySelector(`#${name}`)?.getAttribute('aria-invalid'), name).toBe('true');
    expect(page.querySelector('#password')?.getAttribute('value')).toBe('');
    expect(res.body).not.toContain('ngan-qua');

    // The schema passes, the service finds the role's place missing: said beside the department.
    const noPlace = await post(admin, '/console/admin/users', {
      username,
      fullName: 'Lê Thị Cúc',
      role: 'department_head',
      wardId: '',
      departmentId: '',
      password: 'mat-khau-dai-1',
    });
    expect(noPlace.statusCode).toBe(400);
    expect(htmlOf(noPlace).querySelector('#departmentId')?.getAttribute('aria-invalid')).toBe('true');
    const all = (await api('GET', '/api/v1/users?limit=200')).json().items as { username: string }[];
    expect(all.map((u) => u.username)).not.toContain(username);
  });

  it('does not let an admin deactivate themselves (409, said on the page)', async () => {
    const users = (await api('GET', '/api/v1/users?role=admin&limit=200')).json().items as {
      id: string;
      username: string;
    }[];
    const self = users.find((u) => u.username === adminUsername);
    if (!self) throw new Error('no console admin');
    const url = `/console/admin/users/${self.id}`;
    const version = htmlOf(await get(admin, url))
      .querySelector('details form[action$="/deactivate"] input[name=version]')
      ?.getAttribute('value') as string;
    const res = await post(admin, `${url}/deactivate`, { version });
    expect(res.statusCode).toBe(409);
    expect(textOf(htmlOf(res).querySelector('.notice.error'))).toContain('Không thể tự khoá');
  });
});

describe('API clients', () => {
  it('shows a new key once, on a page no cache keeps; the key works; no later page shows it', async () => {
    const res = await post(admin, '/console/admin/api-clients', { name: 'Ứng dụng thử', channel: 'web' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const page = htmlOf(res);
    const key = page.querySelector('#apiKey')?.getAttribute('value') ?? '';
    expect(key).toMatch(/^pakn_/);
    expect(textOf(page.querySelector('.notice'))).toContain('sẽ không hiển thị lại');
    expect(textOf(page.querySelector(`label[for=apiKey]`))).not.toBe('');
    // The key is the client's: the API takes it.
    const withKey = await t.app.inject({
      method: 'GET',
      url: '/api/v1/categories',
      headers: { 'x-api-key': key },
    });
    expect(withKey.statusCode).toBe(200);

    const detail = page
      .querySelector('a[href^="/console/admin/api-clients/"]')
      ?.getAttribute('href') as string;
    for (const url of ['/console/admin/api-clients', '/console/admin/api-clients?active=true', detail]) {
      const again = await get(admin, url);
      expect(again.statusCode, url).toBe(200);
      expect(again.body, url).not.toContain(key);
    }
    expect(textOf(htmlOf(await get(admin, '/console/admin/api-clients')).querySelector('tbody'))).toContain(
      'Ứng dụng thử',
    );

    // A rotation shows the new key once; the old one stops at once (no grace chosen).
    const rotated = await post(admin, `${detail}/rotate`, { graceSeconds: '0' });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.headers['cache-control']).toBe('no-store');
    const next = htmlOf(rotated).querySelector('#apiKey')?.getAttribute('value') ?? '';
    expect(next).toMatch(/^pakn_/);
    expect(next).not.toBe(key);
    const old = await t.app.inject({
      method: 'GET',
      url: '/api/v1/categories',
      headers: { 'x-api-key': key },
    });
    expect(old.statusCode).toBe(401);
    expect((await get(admin, detail)).body).not.toContain(next);

    // Deactivated: its key is refused, the client is listed among the stopped ones.
    const version = htmlOf(await get(admin, detail))
      .querySelector('details form[action$="/deactivate"] input[name=version]')
      ?.getAttribute('value') as string;
    expect((await post(admin, `${detail}/deactivate`, { version })).statusCode).toBe(303);
    const refused = await t.app.inject({
      method: 'GET',
      url: '/api/v1/categories',
      headers: { 'x-api-key': next },
    });
    expect(refused.statusCode).toBe(401);
    const stopped = htmlOf(await get(admin, '/console/admin/api-clients?active=false'));
    expect(
      textOf(stopped.querySelectorAll('tbody tr').find((r) => textOf(r).includes('Ứng dụng thử'))),
    ).toContain('Ngừng hoạt động');
  });

  it('says a missing name beside the field, and registers nothing', async () => {
    const res = await post(admin, '/console/admin/api-clients', { name: '  ', channel: 'nowhere' });
    expect(res.statusCode).toBe(400);
    const page = htmlOf(res);
    expect(page.querySelector('#name')?.getAttribute('aria-invalid')).toBe('true');
    expect(page.querySelector('#channel')?.getAttribute('aria-invalid')).toBe('true');
    expect(page.querySelector('#apiKey')).toBeNull();
  });
});
