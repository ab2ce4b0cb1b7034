/**
 * The ward calendar (design.md §4, api.md `GET/PUT /wards/{id}/calendar`) and its validation.
 * Calendars are treated as immutable values: the working-time arithmetic caches per calendar object.
 */
import data from './data/vn-calendar-2026.json' with { type: 'json' };
import { dayNumberOf } from './local-day.ts';
import type { YearSchedule } from './statutory-holidays.ts';

type BusinessHours = {
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** Local opening time, "HH:MM". */
  start: string;
  /** Local closing time, "HH:MM" (up to "24:00"). */
  end: string;
};

/** The part of a ward's calendar that holds every year: its time zone and weekly business hours. */
export type WeeklyCalendar = {
  /** IANA time zone, e.g. "Asia/Ho_Chi_Minh". */
  timezone: string;
  businessHours: BusinessHours[];
};

export type WardCalendar = WeeklyCalendar & {
  /** Public holidays and other days off, "YYYY-MM-DD". */
  daysOff: string[];
  /** Make-up working days (e.g. a Saturday), "YYYY-MM-DD"; they keep Monday's business hours. */
  workingDays: string[];
  /**
   * The years whose days off and make-up days are exactly those listed (confirmed schedules); every
   * other year takes the statutory provisional schedule (statutory-holidays.ts). Absent: the lists
   * are the whole truth for every year, with no statutory holidays (calendars built by hand).
   */
  confirmedYears?: number[];
};

export type CalendarProblem = { path: string; message: string };

export class CalendarError extends Error {
  override name = 'CalendarError';
  readonly problems: CalendarProblem[];
  constructor(problems: CalendarProblem[]) {
    super(`Invalid ward calendar: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    this.problems = problems;
  }
}

/** Weekday whose business hours a make-up working day keeps. */
export const MAKE_UP_DAY_WEEKDAY = 1;

/** Office hours of a ward that has not set its own: Monday to Friday, 07:30–11:30 and 13:30–17:00. */
export function defaultWeeklyCalendar(): WeeklyCalendar {
  const businessHours: BusinessHours[] = [];
  for (let weekday = 1; weekday <= 5; weekday++) {
    businessHours.push({ weekday, start: '07:30', end: '11:30' }, { weekday, start: '13:30', end: '17:00' });
  }
  return { timezone: data.timezone, businessHours };
}

/** The official schedules shipped with pakn (src/modules/sla/data), confirmed as they are. */
export function officialSchedules(): YearSchedule[] {
  return [
    {
      year: 2026,
      daysOff: data.daysOff.map((d) => ({ ...d })),
      workingDays: data.workingDays.map((d) => ({ ...d })),
    },
  ];
}

/** A ward's calendar from its weekly hours and the schedules confirmed for it (other years: provisional). */
export function composeCalendar(weekly: WeeklyCalendar, confirmed: YearSchedule[]): WardCalendar {
  const years = [...confirmed].sort((a, b) => a.year - b.year);
  return {
    timezone: weekly.timezone,
    businessHours: weekly.businessHours,
    daysOff: years.flatMap((y) => y.daysOff.map((d) => d.date)),
    workingDays: years.flatMap((y) => y.workingDays.map((d) => d.date)),
    confirmedYears: years.map((y) => y.year),
  };
}

/** The calendar of a ward with nothing of its own: default hours, the official 2026, provisional after. */
export function defaultCalendar(): WardCalendar {
  return composeCalendar(defaultWeeklyCalendar(), officialSchedules());
}

const HHMM = /^(\d{2}):(\d{2})$/;

/** Minutes after midnight of an "HH:MM" time in 00:00–24:00, or `null`. */
export function parseTimeOfDay(text: string): number | null {
  const m = typeof text === 'string' ? HHMM.exec(text) : null;
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return null;
  return h * 60 + min;
}

function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const MSG = {
  timezone: 'Múi giờ không hợp lệ (cần tên múi giờ IANA, ví dụ Asia/Ho_Chi_Minh)',
  list: 'Phải là một danh sách',
  entry: 'Khung giờ làm việc phải có weekday, start và end',
  weekday: 'Thứ trong tuần phải là số nguyên từ 1 (thứ Hai) đến 7 (Chủ nhật)',
  time: 'Giờ phải có dạng HH:MM, từ 00:00 đến 24:00',
  order: 'Giờ bắt đầu phải trước giờ kết thúc',
  overlap: 'Khung giờ này chồng lấn với một khung giờ khác của cùng ngày trong tuần',
  date: 'Ngày không hợp lệ (cần dạng YYYY-MM-DD và là ngày có thật)',
  both: 'Ngày này vừa là ngày nghỉ vừa là ngày làm bù',
  noMonday: 'Ngày làm bù dùng giờ làm việc của thứ Hai, nhưng thứ Hai chưa có giờ làm việc',
  empty: 'Lịch chưa có giờ làm việc nào',
  year: 'Năm phải là số nguyên từ 2000 đến 2200',
  unconfirmed: 'Ngày này thuộc một năm chưa được xác nhận',
} as const;

/** Years a schedule may be kept for. */
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2200;

/**
 * Consistency problems of a calendar (empty list when it is usable). Messages are in Vietnamese
 * since they are shown to ward staff; paths point into the calendar, e.g. `businessHours[2].end`.
 */
export function validateCalendar(calendar: WardCalendar): CalendarProblem[] {
  const problems: CalendarProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });

  if (!isValidTimeZone(calendar.timezone)) add('timezone', MSG.timezone);

  const valid: { index: number; weekday: number; start: number; end: number }[] = [];
  if (!Array.isArray(calendar.businessHours)) {
    add('businessHours', MSG.list);
  } else {
    calendar.businessHours.forEach((bh, index) => {
      const path = `businessHours[${index}]`;
      if (bh === null || typeof bh !== 'object') {
        add(path, MSG.entry);
        return;
      }
      const weekdayOk = Number.isInteger(bh.weekday) && bh.weekday >= 1 && bh.weekday <= 7;
      if (!weekdayOk) add(`${path}.weekday`, MSG.weekday);
      const start = parseTimeOfDay(bh.start);
      const end = parseTimeOfDay(bh.end);
      if (start === null) add(`${path}.start`, MSG.time);
      if (end === null) add(`${path}.end`, MSG.time);
      if (start !== null && end !== null && start >= end) add(path, MSG.order);
      else if (weekdayOk && start !== null && end !== null)
        valid.push({ index, weekday: bh.weekday, start, end });
    });
    const sorted = [...valid].sort((a, b) => a.weekday - b.weekday || a.start - b.start);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1];
      const cur = sorted[i];
      if (prev && cur && prev.weekday === cur.weekday && cur.start < prev.end) {
        add(`businessHours[${cur.index}]`, MSG.overlap);
      }
    }
  }

  const checkDates = (key: 'daysOff' | 'workingDays'): Set<string> => {
    const seen = new Set<string>();
    const list = calendar[key];
    if (!Array.isArray(list)) {
      add(key, MSG.list);
      return seen;
    }
    list.forEach((date, i) => {
      if (dayNumberOf(date) === null) add(`${key}[${i}]`, MSG.date);
      else seen.add(date);
    });
    return seen;
  };
  const off = checkDates('daysOff');
  const working = checkDates('workingDays');
  if (Array.isArray(calendar.workingDays)) {
    calendar.workingDays.forEach((date, i) => {
      if (off.has(date)) add(`workingDays[${i}]`, MSG.both);
    });
  }

  if (calendar.confirmedYears !== undefined) {
    const years = new Set<number>();
    (Array.isArray(calendar.confirmedYears) ? calendar.confirmedYears : []).forEach((year, i) => {
      if (Number.isInteger(year) && year >= MIN_YEAR && year <= MAX_YEAR) years.add(year);
      else add(`confirmedYears[${i}]`, MSG.year);
    });
    for (const key of ['daysOff', 'workingDays'] as const)
      (Array.isArray(calendar[key]) ? calendar[key] : []).forEach((date, i) => {
        if (dayNumberOf(date) !== null && !years.has(Number(date.slice(0, 4))))
          add(`${key}[${i}]`, MSG.unconfirmed);
      });
  }

  if (working.size > 0 && !valid.some((v) => v.weekday === MAKE_UP_DAY_WEEKDAY))
    add('workingDays', MSG.noMonday);
  if (Array.isArray(calendar.businessHours) && valid.length === 0 && problems.length === 0) {
    add('businessHours', MSG.empty);
  }
  return problems;
}
