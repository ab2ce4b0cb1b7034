import { sql, type Transaction } from 'kysely';
import type { Conn, Db } from '../../db/database.ts';
import type { Clock, Database } from '../../db/types.ts';
import { badRequest, notFound } from '../../shared/errors.ts';
import { vietnamDayOf } from '../../shared/vietnam-day.ts';
import type { StaffActor } from '../audit/audit-actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import { validateCalendar, type WardCalendar, type WeeklyCalendar } from './calendar.ts';
import {
  confirmedSchedules,
  deleteWardSchedule,
  loadWardCalendar,
  loadWardCalendars,
  saveSchedule,
  saveWeekly,
  wardsFollowingCity,
  wardsProvisionalIn,
} from './calendar-repository.ts';
import {
  type ConfirmedSchedule,
  changedDays,
  isValidYear,
  provisionalYearsBetween,
  sortedSchedule,
  validateSchedule,
  warningWeek,
  yearsShown,
  yearView,
} from './calendar-years.ts';
import { DurationError } from './duration.ts';
import type { EscalationPolicy } from './escalation-policy.ts';
import { localDayOf } from './local-day.ts';
import { loadPolicies } from './policy-repository.ts';
import type { NamedDay, YearSchedule } from './statutory-holidays.ts';
import { readableWard } from './ward-access.ts';
import { addDuration } from './working-time.ts';

/** What a change of days off did to one ward's calendar. */
export type WardDaysOff = {
  wardId: string;
  before: WardCalendar;
  after: WardCalendar;
  policy: EscalationPolicy;
  /** The local days whose status changed, `YYYY-MM-DD`, in order (never empty). */
  changedDays: string[];
  /** Why, in Vietnamese, for the timeline of the ward's cases. */
  reason: string;
};

/** A change of days off, handed to whoever re-derives the cases' deadlines (cases/). */
export type DaysOffChange = {
  wards: WardDaysOff[];
  /** What else the timeline's event keeps (the year, city-wide or the ward's own). */
  data: Record<string, unknown>;
  actorUserId: string;
  now: Date;
};

type DeadlineRederiver = (trx: Transaction<Database>, change: DaysOffChange) => Promise<number>;

export type CalendarService = ReturnType<typeof createCalendarService>;

const ddmm = (date: string) => `${date.slice(8, 10)}/${date.slice(5, 7)}`;
const daysInWords = (days: string[]) =>
  days.length <= 10
    ? days.map(ddmm).join(', ')
    : `${days.slice(0, 10).map(ddmm).join(', ')} và ${days.length - 10} ngày khác`;

const thisYearOf = (now: Date) => Number(vietnamDayOf(now).slice(0, 4));

/** A year's schedule in the audit trail: `<wardId>/<year>` for a ward's own, `<year>` city-wide. */
const yearObjectId = (wardId: string | null, year: number) => (wardId ? `${wardId}/${year}` : String(year));

/**
 * Ward calendars (design.md §4, issue 12): weekly hours per ward and days off by year — confirmed
 * (the ward's own, else the city's) or provisional (computed from the Labour Code). Every change of
 * days off re-derives, in the same transaction, the deadlines of the open cases it moves.
 */
export function createCalendarService(deps: { db: Db; onChange: () => void; rederive: DeadlineRederiver }) {
  const { db } = deps;

  const wardFor = (caller: UserPrincipal, wardId: string) => readableWard(db, caller, wardId);

  function yearOf(year: number) {
    if (!isValidYear(year))
      throw badRequest('Năm không hợp lệ.', [{ path: 'year', message: 'Năm từ 2000 đến 2200' }]);
    return year;
  }

  /** One calendar change at a time: two admins confirming at once would re-derive from stale calendars. */
  function inChange<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtext('pakn:calendar-change'))`.execute(trx);
      return work(trx);
    });
  }

  /**
   * Runs `write` between reading the wards' calendars before and after it, checks the result, and
   * re-derives the deadlines the changed days of `years` move. Returns how many cases moved.
   */
  async function applyChange(
    trx: Transaction<Database>,
    change: {
      wardIds: string[];
      years: number[];
      write: () => Promise<void>;
      reason: (days: string[]) => string;
      data: Record<string, unknown>;
      caller: UserPrincipal;
      now: Date;
    },
  ): Promise<number> {
    const before = await loadWardCalendars(trx, change.wardIds);
    await change.write();
    const after = await loadWardCalendars(trx, change.wardIds);
    const policies = await loadPolicies(trx, change.wardIds);
    const wards: WardDaysOff[] = [];
    for (const wardId of change.wardIds) {
      const a = before.get(wardId);
      const b = after.get(wardId);
      const policy = policies.get(wardId);
      if (!a || !b || !policy) continue;
      const problems = validateCalendar(b);
      if (problems.length) throw badRequest('Lịch làm việc sau khi sửa không hợp lệ.', problems);
      const days = changedDays(a, b, change.years);
      if (days.length > 0)
        wards.push({ wardId, before: a, after: b, policy, changedDays: days, reason: change.reason(days) });
    }
    if (wards.length === 0) return 0;
    return deps.rederive(trx, {
      wards,
      data: change.data,
      actorUserId: change.caller.userId,
      now: change.now,
    });
  }

  async function calendarView(conn: Conn, wardId: string, now: Date) {
    const calendar = (await loadWardCalendar(conn, wardId)) as WardCalendar;
    const schedules = await confirmedSchedules(conn, wardId);
    const views = yearsShown([...schedules.keys()], thisYearOf(now)).map((y) =>
      yearView(y, schedules.get(y)),
    );
    return {
      timezone: calendar.timezone,
      businessHours: calendar.businessHours,
      daysOff: views.flatMap((v) => v.daysOff.map((d) => d.date)),
      workingDays: views.flatMap((v) => v.workingDays.map((d) => d.date)),
      years: views.map((v) => ({
        year: v.year,
        status: v.status,
        source: v.source,
        confirmedAt: v.confirmedAt?.toISOString() ?? null,
      })),
    };
  }

  async function yearResponse(conn: Conn, year: number, confirmed: ConfirmedSchedule | undefined) {
    const v = yearView(year, confirmed);
    const by = v.confirmedBy
      ? await conn
          .selectFrom('users')
          .select(['id', 'full_name'])
          .where('id', '=', v.confirmedBy)
          .executeTakeFirst()
      : undefined;
    return {
      year: v.year,
      status: v.status,
      source: v.source,
      daysOff: v.daysOff,
      workingDays: v.workingDays,
      note: v.note,
      confirmedAt: v.confirmedAt?.toISOString() ?? null,
      confirmedBy: by ? { id: by.id, name: by.full_name } : null,
    };
  }

  function checkedSchedule(
    year: number,
    body: { daysOff: NamedDay[]; workingDays: NamedDay[] },
  ): YearSchedule {
    const schedule = sortedSchedule({ year, daysOff: body.daysOff, workingDays: body.workingDays });
    const problems = validateSchedule(schedule);
    if (problems.length) throw badRequest(`Lịch nghỉ năm ${year} không hợp lệ.`, problems);
    return schedule;
  }

  return {
    async getCalendar(caller: UserPrincipal, wardId: string, now = new Date()) {
      const ward = await wardFor(caller, wardId);
      return calendarView(db, ward.id, now);
    },

    /**
     * Replaces the ward's time zone and business hours (for deadlines set from now on). Days off and
     * make-up days are read by year: a year whose days in the body differ from those the ward has
     * becomes the ward's own confirmed schedule, and the open cases it moves are re-derived; years
     * that are the same stay as they were (provisional stays provisional).
     */
    async putCalendar(caller: StaffActor, wardId: string, body: WardCalendar, now = new Date()) {
      const ward = await wardFor(caller, wardId);
      const legacy: WardCalendar = {
        timezone: body.timezone,
        businessHours: body.businessHours,
        daysOff: [...new Set(body.daysOff)].sort(),
        workingDays: [...new Set(body.workingDays)].sort(),
      };
      const problems = validateCalendar(legacy);
      if (problems.length) throw badRequest('Lịch làm việc không hợp lệ.', problems);
      const result = await inChange(async (trx) => {
        const before = await calendarView(trx, ward.id, now);
        const schedules = await confirmedSchedules(trx, ward.id);
        const mentioned = [...legacy.daysOff, ...legacy.workingDays].map((d) => Number(d.slice(0, 4)));
        const years = [...new Set([...yearsShown([...schedules.keys()], thisYearOf(now)), ...mentioned])];
        const edits: YearSchedule[] = [];
        for (const year of years) {
          const current = yearView(year, schedules.get(year));
          const named = (dates: string[], known: NamedDay[], fallback: string) =>
            dates
              .filter((d) => d.startsWith(`${year}-`))
              .map((date) => ({ date, name: known.find((k) => k.date === date)?.name ?? fallback }));
          const edit = {
            year,
            daysOff: named(legacy.daysOff, current.daysOff, 'Ngày nghỉ'),
            workingDays: named(legacy.workingDays, current.workingDays, 'Ngày làm bù'),
          };
          const same = (a: NamedDay[], b: NamedDay[]) =>
            a.map((d) => d.date).join() === b.map((d) => d.date).join();
          if (!same(edit.daysOff, current.daysOff) || !same(edit.workingDays, current.workingDays))
            edits.push(edit);
        }
        const moved = await applyChange(trx, {
          wardIds: [ward.id],
          years: edits.map((e) => e.year),
          write: async () => {
            await saveWeekly(trx, ward.id, legacy satisfies WeeklyCalendar);
            for (const edit of edits)
              await saveSchedule(trx, ward.id, edit, {
                note: 'Sửa cùng lịch làm việc của phường/xã (PUT /calendar)',
                confirmedBy: caller.userId,
              });
          },
          reason: (days) =>
            `Lịch làm việc của ${ward.name} được sửa (các ngày ${daysInWords(days)}); hạn được tính lại theo lịch mới.`,
          data: { years: edits.map((e) => e.year), scope: 'ward' },
          caller,
          now,
        });
        const view = await calendarView(trx, ward.id, now);
        await recordAudit(trx, caller, {
          action: 'calendar.update',
          objectType: 'calendar',
          objectId: ward.id,
          wardId: ward.id,
          before,
          after: view,
        });
        return { view, moved };
      });
      deps.onChange();
      return { ...result.view, recalculatedCases: result.moved };
    },

    /** A year of a ward (`wardId`) or of the whole city (null): confirmed, or provisional. */
    async getYear(caller: UserPrincipal, wardId: string | null, year: number) {
      yearOf(year);
      const id = wardId === null ? null : (await wardFor(caller, wardId)).id;
      return yearResponse(db, year, (await confirmedSchedules(db, id)).get(year));
    },

    /**
     * Confirms a year's days off for a ward, or city-wide (`wardId` null: every ward without its own
     * schedule of that year), and re-derives the deadlines the changed days move.
     */
    async putYear(
      caller: StaffActor,
      wardId: string | null,
      year: number,
      body: { daysOff: NamedDay[]; workingDays: NamedDay[]; note?: string | undefined },
      now = new Date(),
    ) {
      yearOf(year);
      const ward = wardId === null ? null : await wardFor(caller, wardId);
      const schedule = checkedSchedule(year, body);
      const where = ward ? ward.name : 'toàn thành phố';
      const result = await inChange(async (trx) => {
        const previous = (await confirmedSchedules(trx, ward?.id ?? null)).get(year);
        const before = await yearResponse(trx, year, previous);
        const replaced = !previous
          ? 'lịch tạm tính'
          : previous.scope === 'city' && ward
            ? 'lịch chung của thành phố'
            : 'lịch đã xác nhận trước đó';
        const moved = await applyChange(trx, {
          wardIds: ward ? [ward.id] : await wardsFollowingCity(trx, year),
          years: [year],
          write: () =>
            saveSchedule(trx, ward?.id ?? null, schedule, {
              note: body.note ?? null,
              confirmedBy: caller.userId,
            }),
          reason: (days) =>
            `Lịch nghỉ năm ${year} (${where}) được xác nhận, thay cho ${replaced}: các ngày ${daysInWords(days)} thay đổi; hạn được tính lại theo lịch đã xác nhận.`,
          data: { year, scope: ward ? 'ward' : 'city' },
          caller,
          now,
        });
        const view = await yearResponse(
          trx,
          year,
          (await confirmedSchedules(trx, ward?.id ?? null)).get(year),
        );
        await recordAudit(trx, caller, {
          action: 'calendar_year.confirm',
          objectType: 'calendar_year',
          objectId: yearObjectId(ward?.id ?? null, year),
          wardId: ward?.id ?? null,
          before,
          after: view,
        });
        return { ...view, recalculatedCases: moved };
      });
      deps.onChange();
      return result;
    },

    /** Drops a ward's own schedule of a year: it follows the city's again, or the provisional one. */
    async deleteYear(caller: StaffActor, wardId: string, year: number, now = new Date()) {
      yearOf(year);
      const ward = await wardFor(caller, wardId);
      const result = await inChange(async (trx) => {
        const before = await yearResponse(trx, year, (await confirmedSchedules(trx, ward.id)).get(year));
        let found = false;
        const moved = await applyChange(trx, {
          wardIds: [ward.id],
          years: [year],
          write: async () => {
            found = await deleteWardSchedule(trx, ward.id, year);
          },
          reason: (days) =>
            `${ward.name} bỏ lịch nghỉ riêng năm ${year}, theo lịch chung (các ngày ${daysInWords(days)} thay đổi); hạn được tính lại.`,
          data: { year, scope: 'ward' },
          caller,
          now,
        });
        if (!found) throw notFound(`Phường/xã không có lịch nghỉ riêng năm ${year}.`);
        const view = await yearResponse(trx, year, (await confirmedSchedules(trx, ward.id)).get(year));
        await recordAudit(trx, caller, {
          action: 'calendar_year.delete',
          objectType: 'calendar_year',
          objectId: yearObjectId(ward.id, year),
          wardId: ward.id,
          before,
          after: view,
        });
        return { ...view, recalculatedCases: moved };
      });
      deps.onChange();
      return result;
    },

    /** What the SLA engine computes, and which years of the days it crossed are still provisional. */
    async deadline(caller: UserPrincipal, wardId: string, from: Date, duration: string, clock: Clock) {
      const ward = await wardFor(caller, wardId);
      const calendar = (await loadWardCalendar(db, ward.id)) as WardCalendar;
      try {
        const dueAt = addDuration(calendar, from, duration, clock);
        const tz = calendar.timezone;
        const provisionalYears =
          clock === 'working'
            ? provisionalYearsBetween(
                calendar,
                localDayOf(tz, from.getTime()),
                localDayOf(tz, dueAt.getTime()),
              )
            : [];
        return { dueAt: dueAt.toISOString(), provisional: provisionalYears.length > 0, provisionalYears };
      } catch (err) {
        if (err instanceof DurationError)
          throw badRequest(err.message, [{ path: 'duration', message: err.message }]);
        throw err;
      }
    },

    /** From 1 November: the wards whose next year is still provisional (null before, or when none). */
    async provisionalNextYear(now = new Date()): Promise<{ year: number; wards: string[] } | null> {
      const due = warningWeek(vietnamDayOf(now));
      if (!due) return null;
      const wards = await wardsProvisionalIn(db, due.year);
      return wards.length ? { year: due.year, wards: wards.map((w) => w.code) } : null;
    },
  };
}
