/**
 * The tables of ward calendars: `ward_calendars` (a ward's time zone and business hours) and
 * `calendar_years` (confirmed days off by year, city-wide or for one ward). Every reader of a ward's
 * calendar goes through here, so the rule "the ward's own year, else the city's, else provisional"
 * lives in one place.
 */

import { type RawBuilder, sql } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Conn } from '../../db/database.ts';
import {
  composeCalendar,
  defaultWeeklyCalendar,
  type WardCalendar,
  type WeeklyCalendar,
} from './calendar.ts';
import type { ConfirmedSchedule } from './calendar-years.ts';
import type { NamedDay, YearSchedule } from './statutory-holidays.ts';

/** A confirmed year as the aggregate below returns it (JSON: dates as text). */
type ConfirmedYearJson = {
  id: string;
  year: number;
  daysOff: NamedDay[];
  workingDays: NamedDay[];
  at: string;
};

/**
 * A ward's confirmed years as one jsonb array, its own schedule of a year winning over the city's:
 * a column for queries that read a ward (`wardId` is a column reference such as `w.id`).
 */
export function confirmedYearsOf(wardId: string): RawBuilder<ConfirmedYearJson[]> {
  return sql<ConfirmedYearJson[]>`(
    SELECT coalesce(jsonb_agg(jsonb_build_object('id', y.id::text, 'year', y.year, 'daysOff', y.days_off,
      'workingDays', y.working_days, 'at', y.confirmed_at) ORDER BY y.year), '[]'::jsonb)
    FROM (SELECT DISTINCT ON (year) * FROM calendar_years
          WHERE ward_id = ${sql.ref(wardId)} OR ward_id IS NULL ORDER BY year, ward_id NULLS LAST) y)`;
}

const weeklyOf = (stored: unknown): WeeklyCalendar => {
  const s = stored as Partial<WeeklyCalendar> | null | undefined;
  return s?.timezone && s.businessHours
    ? { timezone: s.timezone, businessHours: s.businessHours }
    : defaultWeeklyCalendar();
};

// One calendar object per content: the working-time arithmetic caches its compiled form per object.
const calendars = new LRUCache<string, WardCalendar>({ max: 2_000 });

/** A ward's calendar from its stored weekly part (null: the default) and its confirmed years. */
export function calendarFromParts(stored: unknown, years: ConfirmedYearJson[]): WardCalendar {
  const weekly = weeklyOf(stored);
  const key = `${JSON.stringify(weekly)}|${years.map((y) => `${y.id}@${y.at}`).join(',')}`;
  const hit = calendars.get(key);
  if (hit) return hit;
  const calendar = composeCalendar(weekly, years);
  calendars.set(key, calendar);
  return calendar;
}

/** The calendars of the given wards (every ward when `wardIds` is omitted), by ward id. */
export async function loadWardCalendars(db: Conn, wardIds?: string[]): Promise<Map<string, WardCalendar>> {
  if (wardIds?.length === 0) return new Map();
  let q = db
    .selectFrom('wards as w')
    .leftJoin('ward_calendars as wc', 'wc.ward_id', 'w.id')
    .select(['w.id', 'wc.calendar', confirmedYearsOf('w.id').as('years')]);
  if (wardIds) q = q.where('w.id', 'in', wardIds);
  const rows = await q.execute();
  return new Map(rows.map((r) => [r.id, calendarFromParts(r.calendar, r.years)]));
}

export async function loadWardCalendar(db: Conn, wardId: string): Promise<WardCalendar | undefined> {
  return (await loadWardCalendars(db, [wardId])).get(wardId);
}

type ScheduleRow = {
  id: string;
  ward_id: string | null;
  year: number;
  days_off: NamedDay[];
  working_days: NamedDay[];
  note: string | null;
  confirmed_by: string | null;
  confirmed_at: Date;
};

const toSchedule = (r: ScheduleRow): ConfirmedSchedule => ({
  id: r.id,
  year: r.year,
  scope: r.ward_id === null ? 'city' : 'ward',
  daysOff: r.days_off,
  workingDays: r.working_days,
  note: r.note,
  confirmedAt: r.confirmed_at,
  confirmedBy: r.confirmed_by,
});

const scheduleColumns = [
  'id',
  'ward_id',
  'year',
  'days_off',
  'working_days',
  'note',
  'confirmed_by',
  'confirmed_at',
] as const;

/**
 * The schedules confirmed for a ward (its own winning over the city's), or for the city alone when
 * `wardId` is null, by year.
 */
export async function confirmedSchedules(
  db: Conn,
  wardId: string | null,
): Promise<Map<number, ConfirmedSchedule>> {
  const rows = await db
    .selectFrom('calendar_years')
    .select(scheduleColumns)
    .where((eb) =>
      wardId === null
        ? eb('ward_id', 'is', null)
        : eb.or([eb('ward_id', '=', wardId), eb('ward_id', 'is', null)]),
    )
    .orderBy('year')
    .execute();
  const out = new Map<number, ConfirmedSchedule>();
  for (const r of rows) if (!out.has(r.year) || r.ward_id !== null) out.set(r.year, toSchedule(r));
  return out;
}

/** Stores a confirmed schedule for a ward, or city-wide (`wardId` null), replacing what was there. */
export async function saveSchedule(
  db: Conn,
  wardId: string | null,
  schedule: YearSchedule,
  meta: { note: string | null; confirmedBy: string },
): Promise<void> {
  const values = {
    days_off: JSON.stringify(schedule.daysOff),
    working_days: JSON.stringify(schedule.workingDays),
    note: meta.note,
    confirmed_by: meta.confirmedBy,
    confirmed_at: new Date(),
  };
  await db
    .insertInto('calendar_years')
    .values({ ward_id: wardId, year: schedule.year, ...values })
    .onConflict((oc) => oc.constraint('calendar_years_ward_year_key').doUpdateSet(values))
    .execute();
}

/** Drops a ward's own schedule of a year (it follows the city's or the provisional one again). */
export async function deleteWardSchedule(db: Conn, wardId: string, year: number): Promise<boolean> {
  const r = await db
    .deleteFrom('calendar_years')
    .where('ward_id', '=', wardId)
    .where('year', '=', year)
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** Replaces a ward's time zone and business hours. */
export async function saveWeekly(db: Conn, wardId: string, weekly: WeeklyCalendar): Promise<void> {
  const calendar = JSON.stringify({ timezone: weekly.timezone, businessHours: weekly.businessHours });
  await db
    .insertInto('ward_calendars')
    .values({ ward_id: wardId, calendar })
    .onConflict((oc) => oc.column('ward_id').doUpdateSet({ calendar, updated_at: new Date() }))
    .execute();
}

/**
 * Wards with no schedule of `year` of their own (`counting: 'own'`), or neither of their own nor the
 * city's (`counting: 'own_or_city'`: their year is provisional).
 */
function wardsWithoutSchedule(db: Conn, year: number, counting: 'own' | 'own_or_city') {
  return db
    .selectFrom('wards as w')
    .select(['w.id', 'w.code', 'w.name'])
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('calendar_years as y')
            .select(sql`1`.as('one'))
            .where('y.year', '=', year)
            .where((e) =>
              counting === 'own'
                ? e('y.ward_id', '=', e.ref('w.id'))
                : e.or([e('y.ward_id', 'is', null), e('y.ward_id', '=', e.ref('w.id'))]),
            ),
        ),
      ),
    )
    .orderBy('w.code')
    .execute();
}

/** Wards whose `year` is provisional: no schedule of it, neither their own nor the city's. */
export const wardsProvisionalIn = (db: Conn, year: number) => wardsWithoutSchedule(db, year, 'own_or_city');

/** Wards that follow the city's schedule of `year` (they have none of their own). */
export const wardsFollowingCity = async (db: Conn, year: number) =>
  (await wardsWithoutSchedule(db, year, 'own')).map((w) => w.id);
