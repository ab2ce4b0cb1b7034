import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalendarWarnings } from '../../src/modules/sla/calendar-warnings.ts';
import { warningWeek } from '../../src/modules/sla/calendar-years.ts';
import { createEscalationJob } from '../../src/modules/sla/escalation-job.ts';
import { dayNumberOf, isoDateOf, isoWeekdayOf } from '../../src/modules/sla/local-day.ts';
import { provisionalSchedule } from '../../src/modules/sla/statutory-holidays.ts';
import { vietnamDayOf } from '../../src/shared/vietnam-day.ts';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { reportCase } from '../support/cases.ts';
import { createIsolatedDatabase } from '../support/database.ts';
import { createCategory, createWard, type Ward, wardUsers } from '../support/fixtures.ts';
import { setWardPolicy } from '../support/ladders.ts';
import { expectProblem } from '../support/problems.ts';

// Days off by year (issue 12), on a database of its own: a city-wide confirmation reaches every ward
// of the database it runs on, so the other files' wards stay out of its way.

let database: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let t: TestApp;
let wardA: Ward;
let wardB: Ward;
let wardC: Ward;
/** A category whose answer deadline lies about a year ahead: it always crosses into next year. */
let longCategory: { code: string };

const thisYear = Number(vietnamDayOf(new Date()).slice(0, 4));
const next = thisYear + 1;
const admin = () => bearer(t.adminToken);

/** The n-th (1-based) weekday of January of `year` that is not a provisional day off. */
function workingDayOfJanuary(year: number, n: number): string {
  const off = new Set(provisionalSchedule(year).daysOff.map((d) => d.date));
  let seen = 0;
  for (let day = dayNumberOf(`${year}-01-01`) as number; ; day++) {
    const iso = isoDateOf(day);
    if (isoWeekdayOf(day) <= 5 && !off.has(iso) && ++seen === n) return iso;
  }
}

const get = (url: string, token: string) => t.app.inject({ method: 'GET', url, headers: bearer(token) });
const put = (url: string, token: string, payload: object) =>
  t.app.inject({ method: 'PUT', url, headers: bearer(token), payload });
/** The JSON of a read that must succeed (200), as the admin unless a token is given. */
const getJson = async (url: string, token = t.adminToken) =>
  (await call(t.app, { method: 'GET', url, headers: bearer(token) }, 200)).json();
/** The JSON of an admin's change that must succeed (200). */
const ok = async (method: 'PUT' | 'DELETE', url: string, payload?: object) =>
  (await call(t.app, { method, url, headers: admin(), ...(payload ? { payload } : {}) }, 200)).json();

const withExtraDayOff = (year: number, date: string, name = 'Nghỉ hoán đổi') => ({
  daysOff: [...provisionalSchedule(year).daysOff, { date, name }],
  workingDays: [],
  note: 'Thông báo lịch nghỉ (thử nghiệm)',
});

const caseOf = async (id: string, token: string) => await getJson(`/api/v1/cases/${id}`, token);
const eventsOf = async (id: string, token: string) =>
  (await getJson(`/api/v1/cases/${id}/events`, token)).items as {
    type: string;
    actor: { name: string };
    data: Record<string, unknown>;
  }[];
const timersOf = (caseId: string) =>
  t.container.db
    .selectFrom('case_timers')
    .select(['id', 'step', 'generation', 'status', 'due_at'])
    .where('case_id', '=', caseId)
    .orderBy('generation')
    .orderBy('due_at')
    .execute();

beforeAll(async () => {
  database = await createIsolatedDatabase();
  t = await createTestApp({ DATABASE_URL: database.url });
  [wardA, wardB, wardC] = [await createWard(t), await createWard(t), await createWard(t)];
  longCategory = await createCategory(t, {
    defaultDepartmentCode: 'ktht',
    sla: {
      normal: { duration: 'P260D', clock: 'working' },
      urgent: { duration: 'PT4H', clock: 'continuous' },
    },
  });
});
afterAll(async () => {
  await t.close();
  await database.drop();
});

describe('days off by year', () => {
  it('shows next year as provisional, computed from the Labour Code, and 2026 confirmed as shipped', async () => {
    const cal = await getJson(`/api/v1/wards/${wardA.id}/calendar`, wardA.tokens.intake);
    expect(cal.years).toContainEqual({
      year: 2026,
      status: 'confirmed',
      source: 'city',
      confirmedAt: expect.any(String),
    });
    expect(cal.years).toContainEqual({
      year: next,
      status: 'provisional',
      source: 'statutory',
      confirmedAt: null,
    });
    expect(cal.daysOff).toContain(provisionalSchedule(next).daysOff[1]?.date);

    // Any staff of the ward reads a year; the department head too.
    const year = await getJson(`/api/v1/wards/${wardA.id}/calendar/years/${next}`, wardA.tokens.infraHead);
    expect(year).toMatchObject({ year: next, status: 'provisional', source: 'statutory', confirmedBy: null });
    expect(year.daysOff).toEqual(provisionalSchedule(next).daysOff);

    const shipped = await getJson('/api/v1/calendar/years/2026');
    expect(shipped).toMatchObject({ year: 2026, status: 'confirmed', source: 'city', confirmedBy: null });
    expect(shipped.daysOff.map((d: { date: string }) => d.date)).toContain('2026-01-02');
    expect(shipped.workingDays.map((d: { date: string }) => d.date)).toEqual(['2026-01-10', '2026-08-22']);
    expect(shipped.note).toContain('9441/TB-BNV');

    // Another ward's staff: 404, as for every record of another ward.
    expectProblem(await get(`/api/v1/wards/${wardA.id}/calendar/years/${next}`, wardB.tokens.intake), 404);
  });

  it('computes deadlines across New Year and Tết on the provisional 2027 calendar, and says so', async () => {
    const deadline = async (from: string) =>
      await getJson(
        `/api/v1/wards/${wardC.id}/calendar/deadline?from=${encodeURIComponent(from)}&duration=P5D`,
        wardC.tokens.chairman,
      );
    expect(await deadline('2026-12-30T10:00:00+07:00')).toEqual({
      dueAt: '2027-01-07T10:00:00.000Z',
      provisional: true,
      provisionalYears: [2027],
    });
    expect(await deadline('2027-02-01T09:00:00+07:00')).toEqual({
      dueAt: '2027-02-15T10:00:00.000Z',
      provisional: true,
      provisionalYears: [2027],
    });
    expect(await deadline('2026-06-01T09:00:00+07:00')).toEqual({
      dueAt: '2026-06-08T10:00:00.000Z',
      provisional: false,
      provisionalYears: [],
    });
  });

  it('warns in /ready from 1 November while a ward’s next year is provisional, without failing readiness', async () => {
    const res = await call(t.app, { method: 'GET', url: '/ready' }, 200);
    const today = vietnamDayOf(new Date());
    if (warningWeek(today)) {
      const [warning] = res.json().warnings;
      expect(warning).toMatchObject({ code: 'calendar_provisional', year: next });
      expect(warning.wards).toEqual(expect.arrayContaining([wardA.code, wardB.code, wardC.code]));
      expect(warning.message).toContain(`Lịch nghỉ năm ${next} chưa được xác nhận`);
    } else {
      expect(res.json().warnings).toBeUndefined();
    }
    // The same check as of a fixed day of November names every ward of this database.
    const notice = await t.container.calendars.provisionalNextYear(new Date('2041-11-03T09:00:00+07:00'));
    expect(notice?.year).toBe(2042);
    expect(notice?.wards).toEqual([wardA.code, wardB.code, wardC.code].sort());
    expect(await t.container.calendars.provisionalNextYear(new Date('2041-10-31T09:00:00+07:00'))).toBeNull();
  });

  it('confirms a ward’s next year with an edit: an open case’s deadline moves once, with the reason on its timeline', async () => {
    const kase = await reportCase(t, wardA, longCategory.code);
    expect(kase.status).toBe('assigned');
    const before = await timersOf(kase.id);
    expect(before.map((x) => [x.step, x.generation, x.status])).toEqual([
      ['reminder', 1, 'pending'],
      ['overdue', 1, 'pending'],
      ['chairman', 1, 'pending'],
    ]);

    const extra = workingDayOfJanuary(next, 2);
    const body = withExtraDayOff(next, extra);
    const url = `/api/v1/wards/${wardA.id}/calendar/years/${next}`;
    expectProblem(await put(url, wardA.tokens.intake, body), 403);
    const wrongYear = await put(url, t.adminToken, {
      ...body,
      daysOff: [{ date: `${next + 1}-01-01`, name: 'Tết' }],
    });
    expectProblem(wrongYear, 400);
    expect(wrongYear.json().errors).toEqual([
      { path: 'daysOff[0].date', message: `Ngày này không thuộc năm ${next}` },
    ]);
    expect((await timersOf(kase.id)).every((x) => x.generation === 1)).toBe(true);

    const confirmed = await ok('PUT', url, body);
    expect(confirmed).toMatchObject({
      year: next,
      status: 'confirmed',
      source: 'ward',
      recalculatedCases: 1,
      note: 'Thông báo lịch nghỉ (thử nghiệm)',
      confirmedBy: { name: 'Quản trị thử nghiệm' },
    });
    expect(confirmed.daysOff.map((d: { date: string }) => d.date)).toContain(extra);

    // One working day more: the deadline is what the engine now computes from the same receipt.
    const moved = await caseOf(kase.id, wardA.tokens.intake);
    const expected = await getJson(
      `/api/v1/wards/${wardA.id}/calendar/deadline?from=${encodeURIComponent(kase.receivedAt)}&duration=P260D`,
    );
    expect(moved.dueAt).toBe(expected.dueAt);
    expect(new Date(moved.dueAt).getTime()).toBeGreaterThan(new Date(kase.dueAt as string).getTime());
    expect(moved.version).toBe(kase.version + 1);

    const recalculated = (await eventsOf(kase.id, wardA.tokens.intake)).filter(
      (e) => e.type === 'deadline_recalculated',
    );
    expect(recalculated).toHaveLength(1);
    expect(recalculated[0]?.actor.name).toBe('Quản trị thử nghiệm');
    expect(recalculated[0]?.data).toMatchObject({
      year: next,
      scope: 'ward',
      changedDays: [extra],
      previous: { dueAt: new Date(kase.dueAt as string).toISOString(), acceptDueAt: null },
      dueAt: moved.dueAt,
    });
    expect(recalculated[0]?.data.reason).toContain(
      `Lịch nghỉ năm ${next} (Phường ${wardA.code}) được xác nhận, thay cho lịch tạm tính`,
    );

    // The ladder follows: the old generation's timers are cancelled, the new one's run from the new deadline.
    const after = await timersOf(kase.id);
    expect(after.filter((x) => x.generation === 1).map((x) => x.status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    const current = after.filter((x) => x.generation === 2);
    expect(current.map((x) => [x.step, x.status])).toEqual([
      ['reminder', 'pending'],
      ['overdue', 'pending'],
      ['chairman', 'pending'],
    ]);
    expect(current[1]?.due_at.toISOString()).toBe(moved.dueAt);
    const job = createEscalationJob({
      db: t.container.db,
      queues: t.container.queues,
      log: pino({ level: 'silent' }),
    });
    expect(await job.run(before[1]?.id as string)).toEqual({ kind: 'skipped', reason: 'not_pending' });

    // The same confirmation again moves nothing and writes nothing.
    const again = await ok('PUT', url, body);
    expect(again.recalculatedCases).toBe(0);
    expect((await caseOf(kase.id, wardA.tokens.intake)).version).toBe(moved.version);
    expect((await timersOf(kase.id)).filter((x) => x.generation === 3)).toEqual([]);

    const cal = await getJson(`/api/v1/wards/${wardA.id}/calendar`, wardA.tokens.intake);
    expect(cal.years).toContainEqual({
      year: next,
      status: 'confirmed',
      source: 'ward',
      confirmedAt: expect.any(String),
    });
  });

  it('never fires a step twice: a step that fired stays fired when the confirmation moves the deadline', async () => {
    // A ladder with a step already due at intake (a year before the deadline, on the continuous clock).
    await setWardPolicy(t.container.db, wardB.id, {
      acceptWithin: { duration: 'PT8H', clock: 'working' },
      steps: [
        { key: 'early', anchor: 'dueAt', offset: '-P366D', clock: 'continuous', notify: ['intake'] },
        {
          key: 'overdue',
          anchor: 'dueAt',
          offset: 'PT0S',
          clock: 'working',
          notify: ['intake', 'department_head'],
        },
      ],
    });
    const category = await createCategory(t, {
      defaultDepartmentCode: 'ktht',
      sla: {
        normal: { duration: 'P200D', clock: 'working' },
        urgent: { duration: 'PT4H', clock: 'continuous' },
      },
    });
    const kase = await reportCase(t, wardB, category.code);
    const job = createEscalationJob({
      db: t.container.db,
      queues: t.container.queues,
      log: pino({ level: 'silent' }),
    });
    const early = (await timersOf(kase.id)).find((x) => x.step === 'early');
    expect((await job.run(early?.id as string)).kind).toBe('fired');

    // A day off two weeks from now, in whichever year that falls: the ward confirms that year with it.
    const inTwoWeeks = vietnamDayOf(new Date(Date.now() + 14 * 86_400_000));
    const year = Number(inTwoWeeks.slice(0, 4));
    const current = await getJson(`/api/v1/wards/${wardB.id}/calendar/years/${year}`);
    const extra = current.daysOff.some((d: { date: string }) => d.date === inTwoWeeks)
      ? isoDateOf((dayNumberOf(inTwoWeeks) as number) + 1)
      : inTwoWeeks;
    const changed = await ok('PUT', `/api/v1/wards/${wardB.id}/calendar/years/${year}`, {
      daysOff: [...current.daysOff, { date: extra, name: 'Nghỉ do bão' }],
      workingDays: current.workingDays,
    });
    expect(changed.recalculatedCases).toBe(1);

    const timers = await timersOf(kase.id);
    expect(timers.filter((x) => x.generation === 2).map((x) => [x.step, x.status])).toEqual([
      ['overdue', 'pending'],
    ]);
    expect(await job.run(early?.id as string)).toEqual({ kind: 'skipped', reason: 'not_pending' });
    const fired = await t.container.db
      .selectFrom('escalations')
      .select('step')
      .where('case_id', '=', kase.id)
      .execute();
    expect(fired).toEqual([{ step: 'early' }]);
  });

  it('confirms a year city-wide for every ward without its own, and a ward may drop its own to follow it', async () => {
    const inC = await reportCase(t, wardC, longCategory.code);
    const inA = (await getJson(`/api/v1/cases?categoryCode=${longCategory.code}`, wardA.tokens.intake))
      .items[0];
    const eventsOfA = (await eventsOf(inA.id, wardA.tokens.intake)).length;

    const day = workingDayOfJanuary(next, 3);
    expectProblem(
      await put(`/api/v1/calendar/years/${next}`, wardC.tokens.intake, withExtraDayOff(next, day)),
      403,
    );
    const city = await ok('PUT', `/api/v1/calendar/years/${next}`, withExtraDayOff(next, day));
    expect(city).toMatchObject({ year: next, status: 'confirmed', source: 'city' });
    expect(city.recalculatedCases).toBeGreaterThanOrEqual(1);

    const movedC = await caseOf(inC.id, wardC.tokens.intake);
    expect(new Date(movedC.dueAt).getTime()).toBeGreaterThan(new Date(inC.dueAt as string).getTime());
    const [event] = (await eventsOf(inC.id, wardC.tokens.intake)).filter(
      (e) => e.type === 'deadline_recalculated',
    );
    expect(event?.data).toMatchObject({ scope: 'city', changedDays: [day] });
    expect(event?.data.reason).toContain(
      `Lịch nghỉ năm ${next} (toàn thành phố) được xác nhận, thay cho lịch tạm tính`,
    );

    // Ward A keeps its own schedule: the city's leaves it and its case alone.
    const yearOfA = await getJson(`/api/v1/wards/${wardA.id}/calendar/years/${next}`);
    expect(yearOfA.source).toBe('ward');
    expect((await eventsOf(inA.id, wardA.tokens.intake)).length).toBe(eventsOfA);
    const yearOfC = await getJson(`/api/v1/wards/${wardC.id}/calendar/years/${next}`);
    expect(yearOfC).toMatchObject({ status: 'confirmed', source: 'city' });

    // Dropping A's own schedule: it follows the city's. Each has one extra January day off before the
    // deadline, so the deadline stays and nothing is written on the case.
    const dropped = await ok('DELETE', `/api/v1/wards/${wardA.id}/calendar/years/${next}`);
    expect(dropped).toMatchObject({ year: next, status: 'confirmed', source: 'city', recalculatedCases: 0 });
    expect((await caseOf(inA.id, wardA.tokens.intake)).dueAt).toBe(inA.dueAt);
    expectProblem(
      await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/wards/${wardA.id}/calendar/years/${next}`,
        headers: admin(),
      }),
      404,
    );

    // No ward of this database is provisional for next year any more: /ready says nothing of it.
    expect((await getJson('/ready')).warnings).toBeUndefined();
  });

  it('reads PUT /calendar year by year: an unchanged year stays as it was, a changed one becomes the ward’s own', async () => {
    const ward = await createWard(t);
    const kase = await reportCase(t, ward, longCategory.code);
    const url = `/api/v1/wards/${ward.id}/calendar`;
    const cal = await getJson(url);
    const yearAfterNext = next + 1;
    const roundTrip = await ok('PUT', url, cal);
    expect(roundTrip.recalculatedCases).toBe(0);
    expect(roundTrip.years).toEqual(cal.years);

    // Saturday hours added, and one more day off next year: that year becomes the ward's own.
    const extra = workingDayOfJanuary(next, 4);
    const changed = await ok('PUT', url, {
      ...cal,
      businessHours: [...cal.businessHours, { weekday: 6, start: '07:30', end: '11:30' }],
      daysOff: [...cal.daysOff, extra],
    });
    expect(changed.recalculatedCases).toBe(1);
    expect(changed.businessHours).toContainEqual({ weekday: 6, start: '07:30', end: '11:30' });
    expect(changed.years).toContainEqual({
      year: next,
      status: 'confirmed',
      source: 'ward',
      confirmedAt: expect.any(String),
    });
    const own = await getJson(`${url}/years/${next}`);
    expect(own.daysOff).toContainEqual({ date: extra, name: 'Ngày nghỉ' });
    expect(own.daysOff).toContainEqual(provisionalSchedule(next).daysOff[0]);
    expect(changed.years.some((y: { year: number }) => y.year === yearAfterNext)).toBe(false);
    expect((await caseOf(kase.id, ward.tokens.intake)).version).toBe(kase.version + 1);
  });

  it('refuses bad years and schedules with a message per field', async () => {
    for (const year of ['1999', '2201', 'abc', '2027.5'])
      expectProblem(await get(`/api/v1/calendar/years/${year}`, t.adminToken), 400);
    const bad = await put(`/api/v1/calendar/years/2044`, t.adminToken, {
      daysOff: [
        { date: '2044-01-01', name: ' ' },
        { date: '2044-02-30', name: 'Tết' },
      ],
      workingDays: [],
    });
    expectProblem(bad, 400);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual([
      'daysOff.0.name',
      'daysOff.1.date',
    ]);
    const twice = await put(`/api/v1/calendar/years/2044`, t.adminToken, {
      daysOff: [{ date: '2044-01-01', name: 'Tết Dương lịch' }],
      workingDays: [{ date: '2044-01-01', name: 'Làm bù' }],
    });
    expect(twice.json().errors).toEqual([
      { path: 'workingDays[0].date', message: 'Ngày này vừa là ngày nghỉ vừa là ngày làm bù' },
    ]);
    expectProblem(
      await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/wards/${wardB.id}/calendar/years/2044`,
        headers: bearer(wardB.tokens.chairman),
      }),
      403,
    );
  });
});

describe('the warning before the year turns', () => {
  it('tells the ward office and the admins once a week from 1 November while next year is provisional', async () => {
    const users = await wardUsers(t.container.db, wardB);
    await call(
      t.app,
      {
        method: 'PATCH',
        url: `/api/v1/users/${users.intake}`,
        headers: admin(),
        payload: { email: 'tiepnhan@phuong.test' },
      },
      200,
    );
    const warnings = createCalendarWarnings({ db: t.container.db, emailFrom: 'PAKN <pakn@phuong.test>' });
    const at = (day: string) => new Date(`${day}T09:00:00+07:00`);
    const wards = await t.container.db.selectFrom('wards').select('id').execute();

    expect(await warnings.runDue(at('2044-10-31'))).toEqual({ warnings: 0, emailIds: [] });
    const first = await warnings.runDue(at('2044-11-02'));
    expect(first.warnings).toBe(wards.length + 1);
    expect(first.emailIds).toHaveLength(1);
    expect((await warnings.runDue(at('2044-11-07'))).warnings).toBe(0);

    const inbox = async (token: string) =>
      (await getJson('/api/v1/notifications?limit=200', token)).items.filter(
        (n: { type: string }) => n.type === 'calendar',
      );
    const [toIntake] = await inbox(wardB.tokens.intake);
    expect(toIntake).toMatchObject({ title: 'Lịch nghỉ năm 2045 chưa được xác nhận', caseId: null });
    expect(toIntake.body).toContain(`Phường ${wardB.code}`);
    const [toAdmin] = await inbox(t.adminToken);
    expect(toAdmin.body).toContain(`ở ${wards.length} phường/xã`);
    expect(await inbox(wardB.tokens.chairman)).toEqual([]);
    const email = await t.container.db
      .selectFrom('email_deliveries')
      .select(['to_address', 'subject', 'body_text'])
      .where('id', '=', first.emailIds[0] as string)
      .executeTakeFirstOrThrow();
    expect(email).toMatchObject({
      to_address: 'tiepnhan@phuong.test',
      subject: 'Lịch nghỉ năm 2045 chưa được xác nhận',
    });

    // The next week again, once however many workers tick at the same time.
    const both = await Promise.all([warnings.runDue(at('2044-11-09')), warnings.runDue(at('2044-11-09'))]);
    expect(both[0].warnings + both[1].warnings).toBe(wards.length + 1);
    expect(await inbox(wardB.tokens.intake)).toHaveLength(2);

    // Confirmed city-wide: no more warnings about it.
    await ok('PUT', '/api/v1/calendar/years/2045', provisionalSchedule(2045));
    expect((await warnings.runDue(at('2044-11-16'))).warnings).toBe(0);
  });
});
