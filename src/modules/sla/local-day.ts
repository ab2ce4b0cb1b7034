/**
 * Local calendar days in a time zone, as integer day numbers (days since 1970-01-01 on the
 * local wall clock), and conversions between local wall-clock times and instants.
 */
import { tzOffset } from '@date-fns/tz';

const MS_PER_DAY = 86_400_000;
const MS_PER_MINUTE = 60_000;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day number of a `YYYY-MM-DD` date, or `null` when it is not a real calendar date. */
export function dayNumberOf(isoDate: string): number | null {
  const m = typeof isoDate === 'string' ? ISO_DATE.exec(isoDate) : null;
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / MS_PER_DAY;
}

export function isoDateOf(dayNumber: number): string {
  return new Date(dayNumber * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The year of a day number. */
export function yearOfDay(dayNumber: number): number {
  return new Date(dayNumber * MS_PER_DAY).getUTCFullYear();
}

/** ISO weekday, 1 = Monday … 7 = Sunday (day 0, 1970-01-01, was a Thursday). */
export function isoWeekdayOf(dayNumber: number): number {
  return ((((dayNumber + 3) % 7) + 7) % 7) + 1;
}

// UTC offsets change only on quarter-hour boundaries, so one lookup serves a whole quarter hour.
// Intake computes several deadlines per case; the cache keeps Intl out of that hot path. One map per
// zone keyed by the quarter hour's number: the SLA report measures working hours for a year of
// answers (tens of thousands of lookups a request), where a string key a lookup cost more than the
// arithmetic around it (and its garbage).
const QUARTER_HOUR = 15 * MS_PER_MINUTE;
const MAX_CACHED = 100_000;
const offsets = new Map<string, Map<number, number>>();
let cached = 0;

function offsetMs(timeZone: string, instantMs: number): number {
  const quarter = Math.floor(instantMs / QUARTER_HOUR);
  let zone = offsets.get(timeZone);
  const hit = zone?.get(quarter);
  if (hit !== undefined) return hit;
  const minutes = tzOffset(timeZone, new Date(instantMs));
  if (Number.isNaN(minutes)) throw new RangeError(`Unknown time zone: ${timeZone}`);
  if (cached >= MAX_CACHED) {
    offsets.clear();
    cached = 0;
    zone = undefined;
  }
  if (!zone) {
    zone = new Map();
    offsets.set(timeZone, zone);
  }
  zone.set(quarter, minutes * MS_PER_MINUTE);
  cached++;
  return minutes * MS_PER_MINUTE;
}

/** Local day number that contains the instant. */
export function localDayOf(timeZone: string, instantMs: number): number {
  return Math.floor((instantMs + offsetMs(timeZone, instantMs)) / MS_PER_DAY);
}

/**
 * Instant of a local wall-clock time (`dayNumber` plus `minutes` after local midnight; 1440 is the
 * next midnight). A wall time skipped by a DST jump maps forward past the gap; an ambiguous one
 * maps to its first occurrence.
 */
export function localToInstant(timeZone: string, dayNumber: number, minutes: number): number {
  const wall = dayNumber * MS_PER_DAY + minutes * MS_PER_MINUTE;
  const before = offsetMs(timeZone, wall - MS_PER_DAY);
  const after = offsetMs(timeZone, wall + MS_PER_DAY);
  if (before === after) return wall - before;
  // Around a transition: try both offsets, keep those that round-trip.
  const a = wall - before;
  const b = wall - after;
  const aOk = offsetMs(timeZone, a) === before;
  const bOk = offsetMs(timeZone, b) === after;
  if (aOk && bOk) return Math.min(a, b);
  if (aOk) return a;
  if (bOk) return b;
  // In a gap: keep the elapsed distance from the last valid wall time.
  return wall - before;
}
