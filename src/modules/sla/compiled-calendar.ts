/**
 * A calendar prepared for fast arithmetic: day-off / make-up-day sets as day numbers, weekly
 * intervals in minutes, and a per-day memo of business intervals as instants. Cached per calendar
 * object in a WeakMap, so calendars must not be mutated after first use.
 */

import type { WardCalendar } from './calendar.ts';
import { CalendarError, MAKE_UP_DAY_WEEKDAY, parseTimeOfDay, validateCalendar } from './calendar.ts';
import { dayNumberOf, isoDateOf, isoWeekdayOf, localToInstant, yearOfDay } from './local-day.ts';
import { provisionalDaysOff } from './statutory-holidays.ts';

/** A business interval `[start, end)` as epoch milliseconds. */
type Interval = { start: number; end: number };

type Minutes = { start: number; end: number };

export type CompiledCalendar = {
  timezone: string;
  daysOff: ReadonlySet<number>;
  workingDays: ReadonlySet<number>;
  /** Index 1..7 (ISO weekday); sorted, non-overlapping. */
  weekly: readonly (readonly Minutes[])[];
  hasWeeklyHours: boolean;
  /** Years whose days are listed; others take the provisional statutory days off. Null: no statutory rules. */
  confirmedYears: ReadonlySet<number> | null;
  /** First and last make-up working day (day numbers), or ±Infinity when there are none. */
  firstWorkingDay: number;
  lastWorkingDay: number;
  days: Map<number, readonly Interval[]>;
};

/** How many consecutive days without business time a search tolerates before giving up. */
const MAX_EMPTY_DAYS = 3660;
const MAX_MEMO_DAYS = 20_000;

const cache = new WeakMap<WardCalendar, CompiledCalendar>();

function toDayNumbers(dates: string[]): Set<number> {
  const out = new Set<number>();
  for (const d of dates) {
    const n = dayNumberOf(d);
    if (n !== null) out.add(n);
  }
  return out;
}

export function compileCalendar(calendar: WardCalendar): CompiledCalendar {
  const hit = cache.get(calendar);
  if (hit) return hit;
  const problems = validateCalendar(calendar);
  if (problems.length > 0) throw new CalendarError(problems);

  const weekly: Minutes[][] = [[], [], [], [], [], [], [], []];
  for (const bh of calendar.businessHours) {
    const start = parseTimeOfDay(bh.start);
    const end = parseTimeOfDay(bh.end);
    if (start !== null && end !== null) weekly[bh.weekday]?.push({ start, end });
  }
  for (const list of weekly) list.sort((a, b) => a.start - b.start);
  const workingDays = toDayNumbers(calendar.workingDays);
  const listed = [...workingDays];
  const compiled: CompiledCalendar = {
    timezone: calendar.timezone,
    daysOff: toDayNumbers(calendar.daysOff),
    workingDays,
    weekly,
    hasWeeklyHours: weekly.some((list) => list.length > 0),
    confirmedYears: calendar.confirmedYears ? new Set(calendar.confirmedYears) : null,
    firstWorkingDay: listed.length > 0 ? Math.min(...listed) : Number.POSITIVE_INFINITY,
    lastWorkingDay: listed.length > 0 ? Math.max(...listed) : Number.NEGATIVE_INFINITY,
    days: new Map(),
  };
  cache.set(calendar, compiled);
  return compiled;
}

/** Whether the day's year follows the provisional statutory schedule rather than the listed days. */
function isProvisionalDay(c: CompiledCalendar, day: number): boolean {
  return c.confirmedYears !== null && !c.confirmedYears.has(yearOfDay(day));
}

/** The weekday whose hours a day keeps: 0 (none) on a day off, Monday's on a make-up day. */
export function hoursWeekdayOf(c: CompiledCalendar, day: number): number {
  if (isProvisionalDay(c, day)) return provisionalDaysOff(yearOfDay(day)).has(day) ? 0 : isoWeekdayOf(day);
  if (c.workingDays.has(day)) return MAKE_UP_DAY_WEEKDAY;
  return c.daysOff.has(day) ? 0 : isoWeekdayOf(day);
}

/** Business intervals of a local day, in order (empty on a day off). */
export function intervalsOf(c: CompiledCalendar, day: number): readonly Interval[] {
  const memo = c.days.get(day);
  if (memo) return memo;
  const weekday = hoursWeekdayOf(c, day);
  const minutes = c.weekly[weekday] ?? [];
  const out = minutes.map((m) => ({
    start: localToInstant(c.timezone, day, m.start),
    end: localToInstant(c.timezone, day, m.end),
  }));
  if (c.days.size >= MAX_MEMO_DAYS) c.days.clear();
  c.days.set(day, out);
  return out;
}

/**
 * Throws when a search stepping in `direction` from `day` can never meet business time again, or
 * has already crossed `emptyDays` consecutive days without any.
 */
export function assertWorkingTimeAhead(
  c: CompiledCalendar,
  day: number,
  direction: 1 | -1,
  emptyDays: number,
): void {
  const hopeless = !c.hasWeeklyHours && (direction === 1 ? day > c.lastWorkingDay : day < c.firstWorkingDay);
  if (hopeless || emptyDays > MAX_EMPTY_DAYS) {
    const side = direction === 1 ? 'after' : 'before';
    throw new Error(
      `Ward calendar has no working time ${side} ${isoDateOf(day)} (searched ${Math.min(emptyDays, MAX_EMPTY_DAYS)} days); check its business hours and days off`,
    );
  }
}
