/**
 * The provisional days off of any year, computed from the Labour Code 2019, Article 112 (in force
 * since 2021), until an admin confirms the official schedule the government announces each year.
 *
 * - Tết Dương lịch: 1 January.
 * - Tết Âm lịch: five days. The law leaves the span to the government; from 2021 to 2026 it was every
 *   time the last two days of the old lunar year and the first three of the new one (with weekly days
 *   off compensated, below), so that is the provisional span.
 * - Giỗ Tổ Hùng Vương: the 10th day of the 3rd lunar month.
 * - Ngày Chiến thắng (30 April) and Quốc tế Lao động (1 May).
 * - Quốc khánh: 2 September and one adjacent day. The government picks the day before or after; the
 *   provisional pick follows 2021–2026: the day after when 2 September is a Monday, Thursday or
 *   Sunday (it then joins a weekend or the compensated day), the day before otherwise.
 * - A holiday that falls on a weekly day off (Saturday or Sunday for public bodies) is compensated
 *   on the next working day that is not itself a holiday.
 *
 * Swapped days and make-up Saturdays are decided by the government each year and cannot be
 * computed: a provisional year has none.
 */
import { dayNumberOf, isoDateOf, isoWeekdayOf } from './local-day.ts';
import { lunarNewYear, sexagenaryName, solarDayOf } from './lunar-calendar.ts';

export type NamedDay = { date: string; name: string };

/** A year's days off and make-up working days (dates `YYYY-MM-DD`, in order). */
export type YearSchedule = { year: number; daysOff: NamedDay[]; workingDays: NamedDay[] };

const isWeeklyDayOff = (day: number) => isoWeekdayOf(day) >= 6;

const ddmm = (day: number) => {
  const iso = isoDateOf(day);
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}`;
};
const weekdayName = (day: number) => (isoWeekdayOf(day) === 6 ? 'thứ Bảy' : 'Chủ nhật');

const day = (year: number, month: number, date: number) =>
  dayNumberOf(`${year}-${String(month).padStart(2, '0')}-${String(date).padStart(2, '0')}`) as number;

/** The statutory holidays of a year before compensation, in order. */
function holidays(year: number): { day: number; name: string }[] {
  const tet = lunarNewYear(year);
  const tetName = `Tết Nguyên đán ${sexagenaryName(year)}`;
  const gioTo = solarDayOf({ day: 10, month: 3, year, leap: false }) as number;
  const sep2 = day(year, 9, 2);
  const adjacent = [1, 4, 7].includes(isoWeekdayOf(sep2)) ? sep2 + 1 : sep2 - 1;
  const list = [
    { day: day(year, 1, 1), name: 'Tết Dương lịch' },
    ...[-2, -1, 0, 1, 2].map((d) => ({ day: tet + d, name: tetName })),
    { day: gioTo, name: 'Giỗ Tổ Hùng Vương' },
    { day: day(year, 4, 30), name: 'Ngày Giải phóng miền Nam, thống nhất đất nước' },
    { day: day(year, 5, 1), name: 'Ngày Quốc tế Lao động' },
    { day: Math.min(sep2, adjacent), name: 'Quốc khánh' },
    { day: Math.max(sep2, adjacent), name: 'Quốc khánh' },
  ];
  return list.sort((a, b) => a.day - b.day);
}

const memo = new Map<number, YearSchedule>();

/**
 * The provisional schedule of `year`: its statutory holidays that fall on working days, and for each
 * one that falls on a Saturday or Sunday, the next working day that is not a holiday, in compensation.
 * No holiday is late enough in December for its compensation to cross into the next year, and no two
 * fall on the same day (Giỗ Tổ falls between 31 March and 29 April).
 */
export function provisionalSchedule(year: number): YearSchedule {
  const hit = memo.get(year);
  if (hit) return structuredClone(hit);
  const off = new Map<number, string>();
  const taken = new Set<number>();
  const all = holidays(year);
  for (const h of all) taken.add(h.day);
  for (const h of all) {
    if (!isWeeklyDayOff(h.day)) {
      off.set(h.day, h.name);
      continue;
    }
    let d = h.day + 1;
    while (isWeeklyDayOff(d) || taken.has(d)) d++;
    taken.add(d);
    off.set(d, `${h.name} (nghỉ bù cho ${weekdayName(h.day)} ${ddmm(h.day)})`);
  }
  const daysOff = [...off].sort(([a], [b]) => a - b).map(([d, name]) => ({ date: isoDateOf(d), name }));
  const schedule = { year, daysOff, workingDays: [] };
  memo.set(year, schedule);
  return structuredClone(schedule);
}

/** Day numbers of a provisional year's days off, for the working-time arithmetic (shared, read-only). */
const offSets = new Map<number, ReadonlySet<number>>();
export function provisionalDaysOff(year: number): ReadonlySet<number> {
  let set = offSets.get(year);
  if (!set) {
    set = new Set(provisionalSchedule(year).daysOff.map((d) => dayNumberOf(d.date) as number));
    offSets.set(year, set);
  }
  return set;
}
