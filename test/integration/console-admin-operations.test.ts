import { type HTMLElement, parse } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../../src/modules/auth/principal.ts';
import { bearer, call, createTestApp, req, type TestApp } from '../support/app.ts';
import { briefCaseBody } from '../support/case-body.ts';
import { postCase } from '../support/cases.ts';
import { asUser, type ConsoleUser, htmlOf, signInConsole, textOf } from '../support/console.ts';
import { createStaff, createWard, type Ward } from '../support/fixtures.ts';

/**
 * Administration, part 2, through app.inject(): a ward's working calendar (with its field errors and
 * the deadline check), its escalation ladder, webhooks (the secret never shown again), the audit trail
 * (a chairman sees their own ward's only) and the chairman's digests sent — and who may open them.
 */
let t: TestApp;
let ward: Ward;
let other: Ward;
let admin: ConsoleUser;
let chairman: ConsoleUser;
let head: ConsoleUser;
const password = 'password-123';

beforeAll(async () => {
  t = await createTestApp();
  [ward, other] = await Promise.all([createWard(t), createWard(t)]);
  const users = await Promise.all([
    createStaff(t, 'admin', {}, password),
    createStaff(t, 'chairman', { wardId: ward.id }, password),
    createStaff(t, 'department_head', { wardId: ward.id, departmentId: ward.departments.infra.id }, password),
  ]);
  [admin, chairman, head] = (await Promise.all(users.map((u) => signInConsole(t, u.username, password)))) as [
    ConsoleUser,
    ConsoleUser,
    ConsoleUser,
  ];
}, 60_000);
afterAll(() => t.close());

const get = (user: ConsoleUser, url: string, headers: Record<string, string> = {}) =>
  t.app.inject(asUser(user, { method: 'GET', url, headers }));
const post = (user: ConsoleUser, url: string, fields: Record<string, string | string[]>) => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries({ _csrf: user.csrf, ...fields }))
    for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
  return t.app.inject(
    asUser(user, {
      method: 'POST',
      url,
      payload: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
  );
};

/** What a browser would send for a form as it stands: filled inputs, checked boxes, selected options. */
function fieldsOf(root: HTMLElement, selector: string): Record<string, string | string[]> {
  const formEl = root.querySelector(selector);
  if (!formEl) throw new Error(`no form ${selector}`);
  const out: Record<string, string | string[]> = {};
  const add = (name: string, value: string) => {
    const had = out[name];
    out[name] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  };
  for (const el of formEl.querySelectorAll('input, select')) {
    const name = el.getAttribute('name');
    if (!name || name === '_csrf') continue;
    const type = el.getAttribute('type');
    if (el.tagName === 'SELECT') {
      const chosen = el.querySelector('option[selected]') ?? el.querySelector('option');
      add(name, chosen?.getAttribute('value') ?? '');
    } else if (type === 'checkbox') {
      if (el.hasAttribute('checked')) add(name, el.getAttribute('value') ?? 'on');
    } else add(name, el.getAttribute('value') ?? '');
  }
  return out;
}

/** The message beside a field, checking that the field points to it (aria-invalid, aria-describedby). */
function errorBeside(page: HTMLElement, id: string): string {
  const control = page.querySelector(`#${id}`);
  expect(control?.getAttribute('aria-invalid'), `#${id} aria-invalid`).toBe('true');
  expect(control?.getAttribute('aria-describedby')).toBe(`${id}-error`);
  return textOf(page.querySelector(`#${id}-error`));
}

const calendarOf = async (wardId: string) =>
  (await call(t.app, req('GET', `/api/v1/wards/${wardId}/calendar`, bearer(t.adminToken)), 200)).json();
const ladderOf = async (wardId: string) =>
  (
    await call(t.app, req('GET', `/api/v1/wards/${wardId}/escalation-policy`, bearer(t.adminToken)), 200)
  ).json();

describe("a ward's working calendar", () => {
  const url = () => `/console/admin/calendar?wardId=${ward.id}`;

  it('shows the hours per weekday, the days off with their names, and the official 2026 schedule', async () => {
    const res = await get(admin, url());
    expect(res.statusCode).toBe(200);
    const page = htmlOf(res);
    expect(page.querySelector('#timezone')?.getAttribute('value')).toBe('Asia/Ho_Chi_Minh');
    expect(page.querySelector('#h1_0_start')?.getAttribute('value')).toBe('07:30');
    expect(page.querySelector('#h1_1_end')?.getAttribute('value')).toBe('17:00');
    expect(page.querySelector('#h6_0_start')?.getAttribute('value')).toBe('');
    const newYear = page.querySelector('input[name=daysOff][value="2026-01-01"]');
    expect(newYear?.hasAttribute('checked')).toBe(true);
    expect(textOf(newYear?.parentNode)).toContain('Tết Dương lịch');
    expect(page.querySelector('input[name=workingDays][value="2026-01-10"]')?.hasAttribute('checked')).toBe(
      true,
    );
    expect(textOf(page)).toContain('Ngày nghỉ chính thức năm 2026');
    expect(textOf(page)).toContain('Tết Nguyên Đán Bính Ngọ');
    expect(page.querySelector('a[href="/console/admin"]')).not.toBeNull();
  });

  it('puts a Vietnamese message beside each wrong field and saves nothing', async () => {
    const before = await calendarOf(ward.id);
    const fields = fieldsOf(htmlOf(await get(admin, url())), 'form.calendar');
    const res = await post(admin, url(), {
      ...fields,
      h1_0_end: '07:00', // before its start
      h2_1_start: '11:00', // inside Tuesday's morning
      h2_1_end: '12:00',
      h3_0_end: '', // half a slot
      addOff0: '31/02/2026', // no such day
    });
    expect(res.statusCode).toBe(400);
    const page = htmlOf(res);
    expect(errorBeside(page, 'h1_0_end')).toBe('Giờ bắt đầu phải trước giờ kết thúc');
    expect(errorBeside(page, 'h2_1_end')).toContain('chồng lấn');
    expect(errorBeside(page, 'h3_0_end')).toBe('Cần cả giờ bắt đầu và giờ kết thúc');
    expect(errorBeside(page, 'addOff0')).toContain('Ngày không hợp lệ');
    // What was typed stays in the form.
    expect(page.querySelector('#addOff0')?.getAttribute('value')).toBe('31/02/2026');
    expect(await calendarOf(ward.id)).toEqual(before);
  });

  it('saves hours, an added day off and a removed make-up day, as the API then reads them', async () => {
    const fields = fieldsOf(htmlOf(await get(admin, url())), 'form.calendar');
    const kept = (fields.workingDays as string[]).filter((d) => d !== '2026-08-22');
    const res = await post(admin, url(), {
      ...fields,
      workingDays: kept,
      h6_0_start: '08:00',
      h6_0_end: '11:00',
      addOff0: '2026-12-24',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/console/admin/calendar?wardId=${ward.id}&saved=0`);
    const cal = await calendarOf(ward.id);
    expect(cal.businessHours).toContainEqual({ weekday: 6, start: '08:00', end: '11:00' });
    expect(cal.daysOff).toContain('2026-12-24');
    expect(cal.workingDays).not.toContain('2026-08-22');
    expect(cal.workingDays).toContain('2026-01-10');
    const after = htmlOf(await get(admin, res.headers.location as string));
    expect(textOf(after.querySelector('[role=status]'))).toBe('Đã lưu lịch làm việc.');
  });

  it('checks a deadline as the engine computes it, with the page or as an htmx fragment', async () => {
    const from = '2026-06-12T16:00'; // a Friday, an hour before closing
    const api = (
      await call(
        t.app,
        req(
          'GET',
          `/api/v1/wards/${other.id}/calendar/deadline?from=${encodeURIComponent('2026-06-12T16:00:00+07:00')}&duration=PT4H&clock=working`,
          bearer(t.adminToken),
        ),
        200,
      )
    ).json();
    expect(api.dueAt).toBe('2026-06-15T03:30:00.000Z');
    const q = `wardId=${other.id}&from=${from}&duration=PT4H&clock=working`;
    const whole = await get(admin, `/console/admin/calendar/deadline?${q}`);
    expect(whole.statusCode).toBe(200);
    expect(textOf(htmlOf(whole).querySelector('#deadline-result'))).toBe('Hạn: Thứ Hai, 15/06/2026 10:30');
    const fragment = await get(admin, `/console/admin/calendar/deadline?${q}`, { 'hx-request': 'true' });
    expect(fragment.body).not.toContain('<html');
    expect(textOf(htmlOf(fragment).querySelector('#deadline-result'))).toBe('Hạn: Thứ Hai, 15/06/2026 10:30');
    const bad = await get(
      admin,
      `/console/admin/calendar/deadline?wardId=${other.id}&from=hôm+qua&duration=5+ngày`,
    );
    expect(bad.statusCode).toBe(400);
    expect(errorBeside(htmlOf(bad), 'from')).toBe('Cần ngày giờ tiếp nhận hợp lệ');
    expect(errorBeside(htmlOf(bad), 'duration')).toContain('ISO 8601');
  });

  it('is for admins only', async () => {
    for (const user of [chairman, head]) {
      expect((await get(user, url())).statusCode).toBe(403);
      expect((await post(user, url(), { timezone: 'Asia/Ho_Chi_Minh' })).statusCode).toBe(403);
    }
  });
});

describe("a ward's escalation ladder", () => {
  const url = () => `/console/admin/escalation-policy?wardId=${ward.id}`;

  it('shows the steps as an editable table, and what each does in words', async () => {
    const page = htmlOf(await get(admin, url()));
    expect(page.querySelector('#key1')?.getAttribute('value')).toBe('reminder');
    expect(page.querySelector('#offset1')?.getAttribute('value')).toBe('-P1D');
    expect(page.querySelector('#key4')?.getAttribute('value')).toBe(''); // a blank row to add one
    expect(textOf(page.querySelector('.ladder-words'))).toContain(
      '1 ngày làm việc trước hạn trả lời: báo Trưởng phòng.',
    );
    expect(textOf(page.querySelector('.ladder-words'))).toContain(
      'Văn phòng phải phân loại, chuyển xử lý trong 8 giờ làm việc kể từ khi tiếp nhận.',
    );
  });

  it('refuses an invalid step with the message beside it, and keeps the ladder as it was', async () => {
    const before = await ladderOf(ward.id);
    const fields = fieldsOf(htmlOf(await get(admin, url())), 'form.ladder');
    const res = await post(admin, url(), {
      ...fields,
      offset1: '1 ngày',
      key4: 'bao_pho_chu_tich',
      offset4: 'P2D',
    });
    expect(res.statusCode).toBe(400);
    const page = htmlOf(res);
    expect(errorBeside(page, 'offset1')).toContain('Thời hạn phải là chuỗi ISO 8601');
    expect(errorBeside(page, 'notify4')).toBe('Chọn ít nhất một người nhận');
    expect(page.querySelector('#offset1')?.getAttribute('value')).toBe('1 NGÀY');
    expect(await ladderOf(ward.id)).toEqual(before);
  });

  it('saves an edited step, a removed one and a new one', async () => {
    const fields = fieldsOf(htmlOf(await get(admin, url())), 'form.ladder');
    const res = await post(admin, url(), {
      ...fields,
      offset1: '-P2D',
      remove3: 'yes',
      key4: 'truoc_han',
      anchor4: 'dueAt',
      offset4: '-PT4H',
      clock4: 'working',
      notify4: ['department_officer', 'department_head'],
    });
    expect(res.statusCode).toBe(303);
    const ladder = await ladderOf(ward.id);
    expect(ladder.steps.map((s: { key: string }) => s.key)).toEqual([
      'accept_overdue',
      'reminder',
      'overdue',
      'truoc_han',
    ]);
    expect(ladder.steps[1].offset).toBe('-P2D');
    expect(ladder.steps[3]).toEqual({
      key: 'truoc_han',
      anchor: 'dueAt',
      offset: '-PT4H',
      clock: 'working',
      notify: ['department_officer', 'department_head'],
    });
    const page = htmlOf(await get(admin, res.headers.location as string));
    expect(textOf(page.querySelector('.ladder-words'))).toContain(
      '4 giờ làm việc trước hạn trả lời: báo Chuyên viên, Trưởng phòng.',
    );
  });

  it('is for admins only', async () => {
    expect((await get(chairman, url())).statusCode).toBe(403);
    expect((await post(head, url(), { rows: '0' })).statusCode).toBe(403);
  });
});

describe('webhooks', () => {
  const secret = `bi-mat-${'x'.repeat(20)}-${Date.now()}`;

  /** Every page of the console's webhook list, followed by its "Trang sau" links. */
  async function allWebhookPages(user: ConsoleUser) {
    const bodies: string[] = [];
    let next: string | undefined = '/console/admin/webhooks';
    while (next) {
      const res = await get(user, next);
      expect(res.statusCode).toBe(200);
      bodies.push(res.body);
      next = htmlOf(res).querySelector('a[href^="/console/admin/webhooks?cursor="]')?.getAttribute('href');
    }
    return bodies;
  }

  it('adds one without ever showing its secret, and stops it', async () => {
    const receiver = `http://127.0.0.1:9/pakn-${Date.now()}`;
    const short = await post(admin, '/console/admin/webhooks', {
      url: receiver,
      events: 'case.created',
      secret: 'ngắn',
    });
    expect(short.statusCode).toBe(400);
    expect(errorBeside(htmlOf(short), 'secret')).not.toBe('');
    expect(short.body).not.toContain('ngắn');
    expect(htmlOf(short).querySelector('#url')?.getAttribute('value')).toBe(receiver);

    const noEvents = await post(admin, '/console/admin/webhooks', { url: receiver, secret });
    expect(noEvents.statusCode).toBe(400);
    expect(textOf(htmlOf(noEvents).querySelector('#events-error'))).not.toBe('');
    expect(noEvents.body).not.toContain(secret);

    const created = await post(admin, '/console/admin/webhooks', {
      url: receiver,
      events: ['case.created', 'case.escalated'],
      secret,
    });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe('/console/admin/webhooks?done=created');
    const bodies = await allWebhookPages(admin);
    expect(bodies.join('')).toContain(receiver);
    for (const body of bodies) expect(body).not.toContain(secret);
    const mine = bodies
      .map((b) => parse(b))
      .flatMap((p) => p.querySelectorAll('li.webhook'))
      .find((li) => textOf(li).includes(receiver));
    expect(textOf(mine)).toContain('Đang gửi');
    const stop = mine?.querySelector('form')?.getAttribute('action') as string;
    const stopped = await post(admin, stop, {});
    expect(stopped.statusCode).toBe(303);
    const after = (await allWebhookPages(admin))
      .map((b) => parse(b))
      .flatMap((p) => p.querySelectorAll('li.webhook'))
      .find((li) => textOf(li).includes(receiver));
    expect(textOf(after)).toContain('Đã ngừng');
    expect(after?.querySelector('form')).toBeNull();
    // The audit trail has the creation, and no secret either.
    const trail = await get(admin, '/console/admin/audit?objectType=webhook');
    expect(trail.body).toContain(receiver);
    expect(trail.body).not.toContain(secret);
  });

  it('is for admins only', async () => {
    expect((await get(chairman, '/console/admin/webhooks')).statusCode).toBe(403);
    const res = await post(head, '/console/admin/webhooks', { url: 'http://127.0.0.1:9/x', secret });
    expect(res.statusCode).toBe(403);
  });
});

describe('the audit trail', () => {
  beforeAll(async () => {
    // A change in each ward: the ladder's acceptWithin, through the API.
    for (const w of [ward, other]) {
      const ladder = await ladderOf(w.id);
      await call(
        t.app,
        req('PUT', `/api/v1/wards/${w.id}/escalation-policy`, bearer(t.adminToken), {
          ...ladder,
          acceptWithin: { duration: 'PT6H', clock: 'working' },
        }),
        200,
      );
    }
  });

  const objectCells = (page: HTMLElement) =>
    page.querySelectorAll('table.audit tbody tr').map((tr) => textOf(tr.querySelectorAll('td')[4]));

  it('filters by the URL, and shows who, from where, what, and the change', async () => {
    const res = await get(admin, `/console/admin/audit?objectType=escalation_policy&objectId=${ward.id}`);
    expect(res.statusCode).toBe(200);
    const page = htmlOf(res);
    const rows = page.querySelectorAll('table.audit tbody tr');
    expect(rows.length).toBeGreaterThanOrEqual(2); // the console's save and the API's
    expect(objectCells(page).every((c) => c === `Thang cảnh báo ${ward.id}`)).toBe(true);
    const newest = rows[0];
    const cells = newest?.querySelectorAll('td') ?? [];
    expect(textOf(cells[3])).toBe('Thang cảnh báo: sửa');
    expect(textOf(cells[2])).not.toBe('');
    const change = textOf(cells[5]);
    expect(change).toContain('acceptWithin');
    expect(change).toContain('PT8H');
    expect(change).toContain('PT6H');
    expect(page.querySelector('#objectType option[selected]')?.getAttribute('value')).toBe(
      'escalation_policy',
    );
    expect(page.querySelector('#objectId')?.getAttribute('value')).toBe(ward.id);
  });

  it("shows a chairman their own ward's entries and never another ward's", async () => {
    const mine = htmlOf(await get(chairman, '/console/admin/audit?objectType=escalation_policy'));
    const objects = objectCells(mine);
    expect(objects).toContain(`Thang cảnh báo ${ward.id}`);
    expect(objects).not.toContain(`Thang cảnh báo ${other.id}`);
    // Object ids repeat across types (a department may have the other ward's id): type and id.
    const theirsUrl = `/console/admin/audit?objectType=escalation_policy&objectId=${other.id}`;
    expect(
      htmlOf(await get(admin, theirsUrl)).querySelectorAll('table.audit tbody tr').length,
    ).toBeGreaterThan(0);
    const theirs = await get(chairman, theirsUrl);
    expect(theirs.statusCode).toBe(200);
    expect(htmlOf(theirs).querySelectorAll('table.audit tbody tr')).toHaveLength(0);
    expect(textOf(htmlOf(theirs))).toContain('Không có thay đổi nào khớp.');
    // The board links to it.
    const board = htmlOf(await get(chairman, '/console/board'));
    expect(board.querySelector('a[href="/console/admin/audit"]')).not.toBeNull();
  });

  it('says which filter is wrong, and is closed to other roles', async () => {
    const bad = await get(admin, '/console/admin/audit?from=2026-13-45');
    expect(bad.statusCode).toBe(400);
    expect(errorBeside(htmlOf(bad), 'from')).toBe('Ngày không hợp lệ');
    const backwards = await get(admin, '/console/admin/audit?from=2026-06-10&to=2026-06-01');
    expect(backwards.statusCode).toBe(400);
    expect(errorBeside(htmlOf(backwards), 'to')).toBe('Ngày bắt đầu phải không muộn hơn ngày kết thúc');
    expect((await get(head, '/console/admin/audit')).statusCode).toBe(403);
  });
});

describe("the chairman's digests sent", () => {
  let mineId: string;
  let theirsId: string;

  beforeAll(async () => {
    await postCase(t.app, bearer(ward.tokens.intake), briefCaseBody(ward.code));
    const system: UserPrincipal = {
      kind: 'user',
      userId: '0',
      username: 'test',
      role: 'admin',
      wardId: null,
      departmentId: null,
    };
    // A digest as the worker stores it (running the schedule here would notify every ward of the
    // shared database): the ward's report as of now, for an occurrence of the schedule.
    const store = async (wardId: string) => {
      const content = await t.container.digests.preview(system, wardId);
      const row = await t.container.db
        .insertInto('digests')
        .values({
          ward_id: wardId,
          scheduled_for: new Date('2026-06-15T00:30:00Z'),
          content: JSON.stringify(content),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    };
    [mineId, theirsId] = await Promise.all([store(ward.id), store(other.id)]);
  });

  it("lists the chairman's ward's digests with their counts, each opening its report", async () => {
    const board = htmlOf(await get(chairman, '/console/board'));
    expect(board.querySelector('a[href="/console/board/digests"]')).not.toBeNull();
    const res = await get(chairman, '/console/board/digests');
    expect(res.statusCode).toBe(200);
    const page = htmlOf(res);
    const rows = page.querySelectorAll('table.digests tbody tr');
    expect(rows).toHaveLength(1);
    expect(textOf(rows[0]?.querySelector('th'))).toBe('15/06/2026 07:30');
    expect(textOf(rows[0]?.querySelectorAll('td')[0])).toBe('1');
    const link = rows[0]?.querySelector('a')?.getAttribute('href');
    expect(link).toBe(`/console/board/digests/${mineId}`);
    expect(page.querySelector(`a[href="/console/board/digests/${theirsId}"]`)).toBeNull();
    const one = await get(chairman, link as string);
    expect(one.statusCode).toBe(200);
    expect(textOf(htmlOf(one).querySelector('h1'))).toContain('Báo cáo ngày 15/06/2026 07:30');
    expect(textOf(htmlOf(one))).toContain('1 phản ánh chưa trả lời');
  });

  it("is 404 for another ward's digest and 403 for a department head", async () => {
    expect((await get(chairman, `/console/board/digests/${theirsId}`)).statusCode).toBe(404);
    expect((await get(head, '/console/board/digests')).statusCode).toBe(403);
    expect((await get(head, `/console/board/digests/${mineId}`)).statusCode).toBe(403);
  });

  it('lets an admin pick the ward', async () => {
    const picker = htmlOf(await get(admin, '/console/board/digests'));
    expect(picker.querySelector('select#wardId')).not.toBeNull();
    const theirs = htmlOf(await get(admin, `/console/board/digests?wardId=${other.id}`));
    expect(theirs.querySelector(`a[href="/console/board/digests/${theirsId}"]`)).not.toBeNull();
  });
});
