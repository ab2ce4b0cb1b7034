/**
 * Deadline arithmetic on a ward calendar (design.md §4): the continuous clock is plain elapsed
 * time; the working clock counts only business time in the calendar's time zone.
 */
import type { Clock } from '../../db/types.ts';
import type { WardCalendar } from './calendar.ts';
import type { CompiledCalendar } from './compiled-calendar.ts';
import { assertWorkingTimeAhead, compileCalendar, intervalsOf } from './compiled-calendar.ts';
import type { Duration } from './duration.ts';
import { DurationError, durationToSeconds, isZeroDuration, parseDuration } from './duration.ts';
import { dayNumberOf, localDayOf } from './local-day.ts';

function instantOf(value: Date, what: string): number {
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new RangeError(`${what} is not a valid date`);
  return ms;
}

function result(ms: number): Date {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) throw new RangeError('Deadline is out of the representable date range');
  return d;
}

/**
 * How far (in calendar days) the working clock may walk for one deadline: twenty years. Durations
 * are at most MAX_DURATION_DAYS, so only a calendar with almost no business time (a minute a week)
 * gets here; without the bound it would hold the event loop for minutes.
 */
export const MAX_WALK_DAYS = 7_305;

function assertWithinWalk(first: number, day: number): void {
  if (Math.abs(day - first) > MAX_WALK_DAYS)
    throw new DurationError(
      `Thời hạn kết thúc quá ${MAX_WALK_DAYS} ngày sau (hoặc trước) thời điểm bắt đầu theo lịch làm việc của phường; hãy kiểm tra giờ làm việc`,
    );
}

/**
 * The business intervals of each local day, from the day of `fromMs` on, walking `direction` (one
 * array a day, possibly empty); bounded by MAX_WALK_DAYS, and refusing a calendar with no working
 * time ahead.
 */
function* daysFrom(
  c: CompiledCalendar,
  fromMs: number,
  direction: 1 | -1,
): Generator<ReturnType<typeof intervalsOf>, never> {
  const first = localDayOf(c.timezone, fromMs);
  let empty = 0;
  for (let day = first; ; day += direction) {
    assertWithinWalk(first, day);
    const intervals = intervalsOf(c, day);
    if (intervals.length === 0) assertWorkingTimeAhead(c, day, direction, ++empty);
    else empty = 0;
    yield intervals;
  }
}

/** Moves `amountMs` (> 0) of business time forward from `fromMs`; an end exactly at closing stays there. */
function forward(c: CompiledCalendar, fromMs: number, amountMs: number): number {
  let remaining = amountMs;
  for (const intervals of daysFrom(c, fromMs, 1)) {
    for (const { start, end } of intervals) {
      if (end <= fromMs) continue;
      const from = Math.max(start, fromMs);
      const available = end - from;
      if (remaining <= available) return from + remaining;
      remaining -= available;
    }
  }
  throw new Error('unreachable: the walk ends in a deadline or a DurationError');
}

/** Moves `amountMs` (> 0) of business time backward from `fromMs`; an end exactly at opening stays there. */
function backward(c: CompiledCalendar, fromMs: number, amountMs: number): number {
  let remaining = amountMs;
  for (const intervals of daysFrom(c, fromMs, -1)) {
    for (let i = intervals.length - 1; i >= 0; i--) {
      const interval = intervals[i];
      if (!interval || interval.start >= fromMs) continue;
      const to = Math.min(interval.end, fromMs);
      const available = to - interval.start;
      if (remaining <= available) return to - remaining;
      remaining -= available;
    }
  }
  throw new Error('unreachable: the walk ends in a deadline or a DurationError');
}

/** Close of business of the n-th (n ≥ 1) working day strictly after (or before) local day `day`. */
function nthWorkingDayClose(c: CompiledCalendar, day: number, n: number, direction: 1 | -1): number {
  let count = 0;
  let empty = 0;
  for (let d = day + direction; ; d += direction) {
    assertWithinWalk(day, d);
    const intervals = intervalsOf(c, d);
    const last = intervals[intervals.length - 1];
    if (!last) {
      assertWorkingTimeAhead(c, d, direction, ++empty);
      continue;
    }
    empty = 0;
    if (++count === n) return last.end;
  }
}

/**
 * The instant `duration` after `from` (before it when the duration is negative).
 * Working clock: `PnD` ends at the close of business of the n-th working day strictly after the
 * local day of `from` (`-PnD`: strictly before); `PTnHnMnS` counts business time, starting at the
 * next opening when `from` is outside business hours (backwards from the previous closing).
 * Zero durations return `from` unchanged. Mixing days and time is refused on the working clock.
 */
export function addDuration(
  calendar: WardCalendar,
  from: Date,
  duration: string | Duration,
  clock: Clock,
): Date {
  const fromMs = instantOf(from, 'from');
  const d = typeof duration === 'string' ? parseDuration(duration) : duration;
  if (clock === 'continuous') return result(fromMs + durationToSeconds(d) * 1000);
  if (clock !== 'working') throw new RangeError(`Unknown clock: ${String(clock)}`);
  if (isZeroDuration(d)) return new Date(fromMs);
  if (d.days > 0 && d.seconds > 0) {
    throw new DurationError(
      'A duration mixing days and time (e.g. P1DT2H) is not allowed on the working clock; use PnD or PTnHnMnS',
    );
  }
  const c = compileCalendar(calendar);
  if (d.days > 0) return result(nthWorkingDayClose(c, localDayOf(c.timezone, fromMs), d.days, d.sign));
  return result(d.sign === 1 ? forward(c, fromMs, d.seconds * 1000) : backward(c, fromMs, d.seconds * 1000));
}

/** Whether a local date has business hours: a make-up working day, or a non-day-off weekday with hours. */
export function isWorkingDay(calendar: WardCalendar, isoDate: string): boolean {
  const day = dayNumberOf(isoDate);
  if (day === null) throw new RangeError(`Invalid date (expected YYYY-MM-DD): ${isoDate}`);
  return intervalsOf(compileCalendar(calendar), day).length > 0;
}

/** Whether `at` falls inside a business interval `[opening, closing)`. */
export function isBusinessTime(calendar: WardCalendar, at: Date): boolean {
  const ms = instantOf(at, 'at');
  const c = compileCalendar(calendar);
  return intervalsOf(c, localDayOf(c.timezone, ms)).some((i) => i.start <= ms && ms < i.end);
}

/** Business seconds in `[a, b)` (0 when `b <= a`); fractional when the instants carry milliseconds. */
export function businessSecondsBetween(calendar: WardCalendar, a: Date, b: Date): number {
  const aMs = instantOf(a, 'a');
  const bMs = instantOf(b, 'b');
  if (bMs <= aMs) return 0;
  const c = compileCalendar(calendar);
  const last = localDayOf(c.timezone, bMs);
  let total = 0;
  for (let day = localDayOf(c.timezone, aMs); day <= last; day++) {
    for (const { start, end } of intervalsOf(c, day)) {
      const overlap = Math.min(end, bMs) - Math.max(start, aMs);
      if (overlap > 0) total += overlap;
    }
  }
  return total / 1000;
}

/**
 * Moves `seconds` of business time from `from` (backwards when negative), rounded to the
 * millisecond. Inverse of `businessSecondsBetween`: `businessSecondsBetween(cal, from,
 * addBusinessSeconds(cal, from, s)) === s` for s ≥ 0.
 */
export function addBusinessSeconds(calendar: WardCalendar, from: Date, seconds: number): Date {
  const fromMs = instantOf(from, 'from');
  if (!Number.isFinite(seconds)) throw new RangeError(`seconds must be finite: ${seconds}`);
  const ms = Math.round(Math.abs(seconds) * 1000);
  if (ms === 0) return new Date(fromMs);
  const c = compileCalendar(calendar);
  return result(seconds > 0 ? forward(c, fromMs, ms) : backward(c, fromMs, ms));
}
