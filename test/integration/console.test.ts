import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, req, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { type CaseJson, postCase } from '../support/cases.ts';
import {
  asUser,
  type ConsoleUser,
  cookiesOf,
  form,
  htmlOf,
  signInConsole,
  textOf,
} from '../support/console.ts';
import { createCategory, createStaff, createWard, type Ward } from '../support/fixtures.ts';

/**
 * The staff console (issue 17) through app.inject(), pages parsed as HTML: sign-in and its session,
 * the anti-forgery rules, and that a page shows what the role may see and nothing else — the API's
 * own services, scope and personal-data rules.
 */
let t: TestApp;
let ward: Ward;
let other: Ward;
let intake: ConsoleUser;
let cultureHead: ConsoleUser;
let infraHead: ConsoleUser;
let open: CaseJson;
let secret: CaseJson;
let elsewhere: CaseJson;
const password = 'password-123';
let categoryCode: string;

beforeAll(async () => {
  t = await createTestApp();
  [ward, other] = await Promise.all([createWard(t), createWard(t)]);
  const cat = await createCategory<{ code: string }>(t, { defaultDepartmentCode: 'ktht' });
  categoryCode = cat.code;
  const walkIn = (w: Ward, extra: Record<string, unknown>) =>
    postCase(
      t.app,
      bearer(w.tokens.intake),
      caseBody(w.code, { channel: 'walk_in', categoryCode: cat.code, ...extra }),
    );
  [open, secret, elsewhere] = await Promise.all([
    walkIn(ward, { description: 'Đèn đường hỏng <script>alert(1)</script> trước nhà số 12.' }),
    walkIn(ward, { reporter: { name: 'Người giấu tên', phone: '0912999888', confidential: true } }),
    walkIn(other, {}),
  ]);
  const users = await Promise.all([
    createStaff(t, 'intake', { wardId: ward.id }, password),
    createStaff(
      t,
      'department_head',
      { wardId: ward.id, departmentId: ward.departments.culture.id },
      password,
    ),
    createStaff(t, 'department_head', { wardId: ward.id, departmentId: ward.departments.infra.id }, password),
  ]);
  [intake, cultureHead, infraHead] = (await Promise.all(
    users.map((u) => signInConsole(t, u.username, password)),
  )) as [ConsoleUser, ConsoleUser, ConsoleUser];
}, 60_000);
afterAll(() => t.close());

const get = (user: ConsoleUser, url: string) => t.app.inject(asUser(user, { method: 'GET', url }));
/** Sends one of a case page's action forms, as the browser would. */
const act = (user: ConsoleUser, id: string, action: string, fields: Record<string, string>) =>
  t.app.inject(
    asUser(user, {
      method: 'POST',
      url: `/console/cases/${id}/${action}`,
      ...form({ _csrf: user.csrf, ...fields }),
    }),
  );
const pageOf = async (user: ConsoleUser, id: string) => htmlOf(await get(user, `/console/cases/${id}`));
/** The version a case page's forms carry (what the person saw). */
const versionOn = async (user: ConsoleUser, id: string) =>
  (await pageOf(user, id)).querySelector('form.action input[name=version]')?.getAttribute('value') as string;

describe('signing in and out', () => {
  it('sends a visitor without a session to the sign-in page, and back where they were going after it', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/console/cases?status=received',
      remoteAddress: '127.0.0.1',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console/sign-in?next=%2Fconsole%2Fcases%3Fstatus%3Dreceived');
    const form = htmlOf(
      await t.app.inject({ method: 'GET', url: res.headers.location as string, remoteAddress: '127.0.0.1' }),
    );
    expect(form.querySelector('input[name=next]')?.getAttribute('value')).toBe(
      '/console/cases?status=received',
    );
    expect(textOf(form.querySelector('h1'))).toBe('Đăng nhập');
  });

  it('refuses a wrong password with a message in Vietnamese, a forged form with 403, and sets a __Host- cookie on success', async () => {
    const u = await createStaff(t, 'intake', { wardId: ward.id }, password);
    const page = await t.app.inject({ method: 'GET', url: '/console/sign-in', remoteAddress: '127.0.0.1' });
    const pre = cookiesOf(page);
    const csrf = htmlOf(page).querySelector('input[name=_csrf]')?.getAttribute('value') as string;
    const post = (payload: Record<string, string>, cookies = pre) =>
      t.app.inject({
        method: 'POST',
        url: '/console/sign-in',
        remoteAddress: '127.0.0.1',
        cookies,
        ...form(payload),
      });
    const wrong = await post({ username: u.username, password: 'sai-mat-khau', _csrf: csrf });
    expect(wrong.statusCode).toBe(401);
    expect(textOf(htmlOf(wrong).querySelector('[role=alert]'))).toBe(
      'Tên đăng nhập hoặc mật khẩu không đúng.',
    );
    expect(htmlOf(wrong).querySelector('input[name=username]')?.getAttribute('value')).toBe(u.username);
    const forged = await post({ username: u.username, password, _csrf: 'x'.repeat(32) });
    expect(forged.statusCode).toBe(403);
    const ok = await post({ username: u.username, password, _csrf: csrf });
    expect(ok.statusCode).toBe(303);
    const cookie = ok.cookies.find((c) => c.name === '__Host-pakn_session');
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
  });

  it('signs out: the session ends, and the cookie no longer opens the console', async () => {
    const u = await createStaff(t, 'chairman', { wardId: ward.id }, password);
    const me = await signInConsole(t, u.username, password);
    const out = await t.app.inject(
      asUser(me, {
        method: 'POST',
        url: '/console/sign-out',
        ...form({ _csrf: me.csrf }),
      }),
    );
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/console/sign-in?out=1');
    expect((await get(me, '/console')).statusCode).toBe(303);
  });

  it('ends with the server-side session: a deactivated user is sent back to sign in', async () => {
    const u = await createStaff(t, 'intake', { wardId: ward.id }, password);
    const me = await signInConsole(t, u.username, password);
    expect((await get(me, '/console')).statusCode).toBe(200);
    const id = (
      await call(
        t.app,
        req('GET', `/api/v1/users?wardId=${ward.id}&role=intake&limit=100`, bearer(t.adminToken)),
        200,
      )
    )
      .json()
      .items.find((x: { username: string }) => x.username === u.username).id;
    await call(t.app, req('POST', `/api/v1/users/${id}/deactivate`, bearer(t.adminToken)), 200);
    // The test app trusts what it read of a session for AUTH_CACHE_TTL_MS (500 ms); this process ended it.
    expect((await get(me, '/console')).statusCode).toBe(303);
  });

  it('the cookie opens the console only: the API answers it 401', async () => {
    const res = await t.app.inject(asUser(intake, { method: 'GET', url: '/api/v1/me' }));
    expect(res.statusCode).toBe(401);
  });
});

describe('forged requests', () => {
  it('refuses a change without the session’s token, or from another site, with a page saying so', async () => {
    const noToken = await t.app.inject(
      asUser(intake, {
        method: 'POST',
        url: '/console/sign-out',
        ...form({}),
      }),
    );
    expect(noToken.statusCode).toBe(403);
    expect(textOf(htmlOf(noToken).querySelector('[role=alert]'))).toMatch(/không đến từ trang của hệ thống/);
    const crossSite = await t.app.inject(
      asUser(intake, {
        method: 'POST',
        url: '/console/sign-out',
        payload: new URLSearchParams({ _csrf: intake.csrf }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
      }),
    );
    expect(crossSite.statusCode).toBe(403);
    const otherOrigin = await t.app.inject(
      asUser(intake, {
        method: 'POST',
        url: '/console/sign-out',
        payload: new URLSearchParams({ _csrf: intake.csrf }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      }),
    );
    expect(otherOrigin.statusCode).toBe(403);
    // Still signed in: none of them went through.
    expect((await get(intake, '/console')).statusCode).toBe(200);
  });

  it('serves every page under a strict Content-Security-Policy, never cached', async () => {
    const res = await get(intake, '/console');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['cache-control']).toBe('no-store');
    expect(
      htmlOf(res)
        .querySelectorAll('script')
        .every((s) => s.getAttribute('src')),
    ).toBe(true);
  });
});

describe('what each role sees', () => {
  it('the ward office: the case with its reporter, the working time left, the timeline; text escaped', async () => {
    const res = await get(intake, `/console/cases/${open.id}`);
    expect(res.statusCode).toBe(200);
    const page = htmlOf(res);
    expect(textOf(page.querySelector('h1'))).toContain(open.code);
    expect(textOf(page.querySelector('.description'))).toContain('<script>alert(1)</script>');
    expect(page.querySelectorAll('main script')).toHaveLength(0);
    expect(textOf(page.querySelector('#time-left'))).toMatch(
      /Thời hạn trả lời: còn \d+ giờ( \d+ phút)? làm việc/,
    );
    expect(textOf(page.querySelector('.timeline'))).toContain('Tiếp nhận');
    expect(res.body).toContain('0912345678');
  });

  it('a department: its own cases, never a confidential reporter, and another department’s case is 404', async () => {
    const mine = await get(infraHead, `/console/cases/${secret.id}`);
    expect(mine.statusCode).toBe(200);
    expect(mine.body).not.toContain('0912999888');
    expect(mine.body).not.toContain('Người giấu tên');
    expect(textOf(htmlOf(mine).querySelector('main'))).toContain('Ẩn (người phản ánh yêu cầu bảo mật)');
    const notMine = await get(cultureHead, `/console/cases/${open.id}`);
    expect(notMine.statusCode).toBe(404);
    expect(notMine.body).not.toContain(open.code);
  });

  it('another ward’s case is 404, as in the API, and so is an id that is no id', async () => {
    for (const url of [
      `/console/cases/${elsewhere.id}`,
      '/console/cases/abc',
      '/console/cases/99999999999',
    ]) {
      const res = await get(intake, url);
      expect(res.statusCode, url).toBe(404);
      expect(textOf(htmlOf(res).querySelector('h1'))).toBe('Không tìm thấy');
    }
  });

  it('the list: filters in the URL, the ward’s cases only', async () => {
    const res = await get(intake, '/console/cases?status=assigned');
    const codes = htmlOf(res)
      .querySelectorAll('table.cases tbody tr a')
      .map((a) => textOf(a));
    expect(codes).toContain(open.code);
    expect(codes).not.toContain(elsewhere.code);
    expect(htmlOf(res).querySelector('select[name=status] option[selected]')?.getAttribute('value')).toBe(
      'assigned',
    );
    const bad = await get(intake, '/console/cases?status=nonsense');
    expect(bad.statusCode).toBe(400);
    expect(htmlOf(bad).querySelector('[role=alert]')).not.toBeNull();
  });

  it('the time left is a fragment of its own, refreshed by the server', async () => {
    const res = await t.app.inject(
      asUser(intake, {
        method: 'GET',
        url: `/console/cases/${open.id}/time-left`,
        headers: { 'hx-request': 'true' },
      }),
    );
    expect(res.statusCode).toBe(200);
    const p = htmlOf(res).querySelector('#time-left');
    expect(p?.getAttribute('hx-trigger')).toBe('every 60s');
    expect(textOf(p)).toMatch(/còn \d+ giờ/);
  });
});

describe('acting on a case from its page', () => {
  it('offers each role the actions the state machine allows now, and walks a case from dispatch to answer', async () => {
    const waiting = await postCase(
      t.app,
      bearer(ward.tokens.intake),
      caseBody(ward.code, { channel: 'walk_in' }),
    );
    const forms = (user: ConsoleUser) =>
      get(user, `/console/cases/${waiting.id}`).then((r) =>
        htmlOf(r)
          .querySelectorAll('form.action')
          .map((f) => f.getAttribute('action')?.split('/').pop()),
      );
    expect(await forms(intake)).toEqual(['assign', 'reject']);
    const dispatched = await act(intake, waiting.id, 'assign', {
      version: await versionOn(intake, waiting.id),
      departmentId: ward.departments.infra.id,
      categoryCode,
    });
    expect(dispatched.statusCode).toBe(303);
    expect(dispatched.headers.location).toBe(`/console/cases/${waiting.id}`);
    expect(await forms(infraHead)).toEqual(['accept', 'respond', 'request-info', 'extension', 'return']);
    await act(infraHead, waiting.id, 'accept', { version: await versionOn(infraHead, waiting.id) });
    const answered = await act(infraHead, waiting.id, 'respond', {
      version: await versionOn(infraHead, waiting.id),
      answer: 'Đã thay bóng đèn.',
    });
    expect(answered.statusCode).toBe(303);
    const page = htmlOf(await get(intake, `/console/cases/${waiting.id}`));
    expect(textOf(page.querySelector('h1 .status'))).toBe('Đã trả lời');
    expect(textOf(page.querySelector('.timeline'))).toContain('Đơn vị nhận xử lý');
    expect(await forms(intake)).toContain('close');
  });

  it('a stale form (someone acted meanwhile) answers 412 with the page reloaded and a notice', async () => {
    const kase = await postCase(
      t.app,
      bearer(ward.tokens.intake),
      caseBody(ward.code, { channel: 'walk_in' }),
    );
    const seen = await versionOn(intake, kase.id);
    await act(intake, kase.id, 'assign', {
      version: seen,
      departmentId: ward.departments.infra.id,
      categoryCode,
    });
    const stale = await act(intake, kase.id, 'assign', {
      version: seen,
      departmentId: ward.departments.culture.id,
      categoryCode,
    });
    expect(stale.statusCode).toBe(412);
    expect(textOf(htmlOf(stale).querySelector('[role=alert]'))).toMatch(/vừa được người khác thay đổi/);
    expect(textOf(htmlOf(stale).querySelector('h1 .status'))).toBe('Đã chuyển xử lý');
  });

  it('a mistake in a form is said beside the page in Vietnamese; another department cannot act (404)', async () => {
    const kase = await postCase(
      t.app,
      bearer(ward.tokens.intake),
      caseBody(ward.code, { channel: 'walk_in' }),
    );
    const bad = await act(intake, kase.id, 'reject', {
      version: await versionOn(intake, kase.id),
      reason: 'duplicate',
    });
    expect(bad.statusCode).toBe(400);
    expect(textOf(htmlOf(bad).querySelector('[role=alert]'))).toMatch(/duplicateOf/);
    const foreign = await act(cultureHead, open.id, 'accept', { version: '1' });
    expect(foreign.statusCode).toBe(404);
  });
});

describe('logging a 1022 call', () => {
  const call1022 = (user: ConsoleUser, fields: Record<string, string>) =>
    t.app.inject(
      asUser(user, { method: 'POST', url: '/console/intake', ...form({ _csrf: user.csrf, ...fields }) }),
    );

  it('files the call as a hotline case of the ward; the same form sent twice is one case', async () => {
    const page = htmlOf(await get(intake, '/console/intake/new'));
    const callId = page.querySelector('input[name=callId]')?.getAttribute('value') as string;
    expect(page.querySelector('input[name=phone]')?.hasAttribute('autofocus')).toBe(true);
    const fields = {
      callId,
      phone: '0903123456',
      name: 'Trần Thị Mai',
      description: 'Cống thoát nước ngõ 15 bị tắc, nước tràn ra đường.',
      categoryCode,
      address: 'Ngõ 15 Lạch Tray',
      urgency: 'urgent',
      after: 'open',
    };
    const first = await call1022(intake, fields);
    expect(first.statusCode).toBe(303);
    const again = await call1022(intake, fields);
    expect(again.headers.location).toBe(first.headers.location);
    const kase = htmlOf(await get(intake, first.headers.location as string));
    expect(textOf(kase.querySelector('.facts'))).toContain('Tổng đài 1022');
    expect(textOf(kase.querySelector('.facts'))).toContain('Khẩn');
    expect(kase.toString()).toContain('0903123456');
  });

  it('"Lưu & nhập tiếp" opens a new form saying what was saved', async () => {
    const res = await call1022(intake, {
      phone: '0903123457',
      description: 'Rác thải tồn đọng đầu ngõ.',
      after: 'next',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/console\/intake\/new\?saved=/);
    const next = htmlOf(await get(intake, res.headers.location as string));
    expect(textOf(next.querySelector('[role=status]'))).toMatch(/^Đã lưu phản ánh /);
  });

  it('says beside the field what is wrong, keeping what was typed; nothing is filed', async () => {
    const res = await call1022(intake, { phone: '12345', description: '', name: 'Ông Ba' });
    expect(res.statusCode).toBe(400);
    const page = htmlOf(res);
    expect(page.querySelector('#phone')?.getAttribute('aria-invalid')).toBe('true');
    expect(textOf(page.querySelector('#phone-error'))).not.toBe('');
    expect(textOf(page.querySelector('#description-error'))).not.toBe('');
    expect(page.querySelector('#name')?.getAttribute('value')).toBe('Ông Ba');
  });

  it('is the ward office’s: a department head gets 403', async () => {
    expect((await get(infraHead, '/console/intake/new')).statusCode).toBe(403);
  });
});

describe('the work queues', () => {
  it('a department’s queue puts the overdue first and says so in words; the ward office’s lists what waits for it', async () => {
    const w = await createWard(t);
    const u = await Promise.all([
      createStaff(t, 'department_head', { wardId: w.id, departmentId: w.departments.infra.id }, password),
      createStaff(t, 'intake', { wardId: w.id }, password),
    ]);
    const [head, clerk] = [
      await signInConsole(t, u[0].username, password),
      await signInConsole(t, u[1].username, password),
    ];
    const file = (extra: Record<string, unknown>) =>
      postCase(t.app, bearer(w.tokens.intake), caseBody(w.code, { channel: 'walk_in', ...extra }));
    const later = await file({ categoryCode });
    const late = await file({ categoryCode });
    const waiting = await file({});
    await t.container.db
      .updateTable('cases')
      .set({ due_at: new Date(Date.now() - 3_600_000), version: sql<number>`version + 1` })
      .where('id', '=', late.id)
      .execute();
    const rows = htmlOf(await get(head, '/console/queue')).querySelectorAll('table.queue tbody tr');
    expect(rows.map((r) => textOf(r.querySelector('a')))).toEqual([late.code, later.code]);
    expect(textOf(rows[0])).toMatch(/⚠ quá hạn \d+ (giờ|phút)/);
    expect(textOf(rows[1])).toMatch(/còn \d+ giờ/);
    const triage = htmlOf(await get(clerk, '/console/queue'));
    expect(textOf(triage.querySelector('h1'))).toBe('Chờ phân loại');
    expect(triage.querySelectorAll('table.queue tbody tr a').map((a) => textOf(a))).toEqual([waiting.code]);
  });
});

describe('the chairman’s board', () => {
  it('per department: received, answered, late and unanswered (a link to those cases), the heads’ names; CSV and XLSX of the same', async () => {
    const w = await createWard(t);
    const [chair] = await Promise.all([
      createStaff(t, 'chairman', { wardId: w.id }, password),
      createStaff(
        t,
        'department_head',
        { wardId: w.id, departmentId: w.departments.infra.id, fullName: 'Trần Văn Hùng' },
        password,
      ),
    ]);
    const late = await postCase(
      t.app,
      bearer(w.tokens.intake),
      caseBody(w.code, { channel: 'walk_in', categoryCode }),
    );
    await t.container.db
      .updateTable('cases')
      .set({ due_at: new Date(Date.now() - 3_600_000), version: sql<number>`version + 1` })
      .where('id', '=', late.id)
      .execute();
    const me = await signInConsole(t, chair.username, password);
    const page = htmlOf(await get(me, '/console/board'));
    expect(textOf(page.querySelector('h1'))).toBe('Bảng theo dõi của Chủ tịch');
    const row = page
      .querySelectorAll('table.board tbody tr')
      .find((r) => textOf(r.querySelector('th')) === 'Phòng Kinh tế – Hạ tầng – Đô thị');
    expect(row, page.querySelector('table.board')?.toString()).toBeDefined();
    expect(textOf(row)).toContain('Trần Văn Hùng');
    const link = row?.querySelector('a');
    expect(link?.getAttribute('href')).toBe(
      `/console/cases?departmentId=${w.departments.infra.id}&overdue=true`,
    );
    const behind = htmlOf(await get(me, link?.getAttribute('href') as string));
    expect(behind.querySelectorAll('table.cases tbody tr a').map((a) => textOf(a))).toEqual([late.code]);

    const csv = await get(me, '/console/board/export?groupBy=department&format=csv');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body).toContain('Phòng Kinh tế – Hạ tầng – Đô thị');
    const xlsx = await get(me, '/console/board/export?groupBy=category&format=xlsx');
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    expect((await get(intake, '/console/board')).statusCode).toBe(403);
  });
});

describe('information, extensions and returns from the case page', () => {
  it('the head asks for information and resumes; asks for more time, which the ward office approves', async () => {
    const kase = await postCase(
      t.app,
      bearer(ward.tokens.intake),
      caseBody(ward.code, { channel: 'walk_in', categoryCode }),
    );
    expect(
      (
        await act(infraHead, kase.id, 'request-info', {
          version: await versionOn(infraHead, kase.id),
          note: 'Xin số nhà chính xác',
        })
      ).statusCode,
    ).toBe(303);
    expect(textOf((await pageOf(infraHead, kase.id)).querySelector('h1 .status'))).toBe('Chờ bổ sung');
    expect(
      (await act(infraHead, kase.id, 'resume', { version: await versionOn(infraHead, kase.id) })).statusCode,
    ).toBe(303);
    const dueBefore = textOf((await pageOf(intake, kase.id)).querySelector('#time-left .due'));
    expect(
      (await act(infraHead, kase.id, 'extension', { extendBy: 'P2D', reason: 'Chờ đơn vị cấp nước' }))
        .statusCode,
    ).toBe(303);
    const office = await pageOf(intake, kase.id);
    expect(textOf(office.querySelector('main'))).toContain(
      'Đơn vị xin gia hạn thêm 2 ngày làm việc: Chờ đơn vị cấp nước',
    );
    const decide = office
      .querySelectorAll('form.action')
      .find((f) => f.getAttribute('action')?.endsWith('/decide'));
    expect(
      (
        await act(
          intake,
          kase.id,
          decide?.getAttribute('action')?.split('/cases/')[1]?.split('/').slice(1).join('/') as string,
          { decision: 'approve' },
        )
      ).statusCode,
    ).toBe(303);
    expect(textOf((await pageOf(intake, kase.id)).querySelector('#time-left .due'))).not.toBe(dueBefore);
    expect(textOf((await pageOf(intake, kase.id)).querySelector('.timeline'))).toContain('Đồng ý gia hạn');
  });

  it('a department returns a case out of its remit with a reason; a reason is required', async () => {
    const kase = await postCase(
      t.app,
      bearer(ward.tokens.intake),
      caseBody(ward.code, { channel: 'walk_in', categoryCode }),
    );
    const none = await act(infraHead, kase.id, 'return', {
      version: await versionOn(infraHead, kase.id),
      note: '',
    });
    expect(none.statusCode).toBe(400);
    expect(htmlOf(none).querySelector('[role=alert]')).not.toBeNull();
    expect(
      (
        await act(infraHead, kase.id, 'return', {
          version: await versionOn(infraHead, kase.id),
          note: 'Thuộc Công an phường',
        })
      ).statusCode,
    ).toBe(303);
    expect(textOf((await pageOf(intake, kase.id)).querySelector('h1 .status'))).toBe('Chờ phân loại');
  });
});
