/**
 * Days off by year: which schedule a ward's year follows (its own, the city's, or the provisional
 * statutory one), the checks a schedule must pass before it is confirmed, and which days a change
 * of schedule moves. Pure: the repository reads and writes the rows.
 */
import { type CalendarProblem, MAX_YEAR, MIN_YEAR, type WardCalendar } from './calendar.ts';
import { compileCalendar, hoursWeekdayOf } from './compiled-calendar.ts';
import { dayNumberOf, isoDateOf } from './local-day.ts';
import { type NamedDay, provisionalSchedule, type YearSchedule } from './statutory-holidays.ts';

/** Where a year's days come from: the ward's own confirmed schedule, the city's, or the rules. */
type YearSource = 'ward' | 'city' | 'statutory';

/** A schedule an admin confirmed (or that shipped confirmed, `confirmedBy` null). */
export type ConfirmedSchedule = YearSchedule & {
  id: string;
  scope: 'ward' | 'city';
  note: string | null;
  confirmedAt: Date;
  confirmedBy: string | null;
};

type YearStatus = {
  year: number;
  status: 'confirmed' | 'provisional';
  source: YearSource;
  confirmedAt: Date | null;
  confirmedBy: string | null;
};

type YearView = YearStatus & { daysOff: NamedDay[]; workingDays: NamedDay[]; note: string | null };

/** A year as a ward sees it: the confirmed schedule when there is one, the provisional one otherwise. */
export function yearView(year: number, confirmed: ConfirmedSchedule | undefined): YearView {
  if (!confirmed) {
    const p = provisionalSchedule(year);
    return {
      year,
      status: 'provisional',
      source: 'statutory',
      confirmedAt: null,
      confirmedBy: null,
      daysOff: p.daysOff,
      workingDays: p.workingDays,
      note: null,
    };
  }
  return {
    year,
    status: 'confirmed',
    source: confirmed.scope,
    confirmedAt: confirmed.confirmedAt,
    confirmedBy: confirmed.confirmedBy,
    daysOff: confirmed.daysOff,
    workingDays: confirmed.workingDays,
    note: confirmed.note,
  };
}

/**
 * The years a ward's calendar shows: from the first confirmed one (or this year, if earlier) through
 * next year, so next year's status is always in view.
 */
export function yearsShown(confirmedYears: number[], thisYear: number): number[] {
  const first = Math.min(thisYear, ...confirmedYears);
  const years: number[] = [];
  for (let y = first; y <= thisYear + 1; y++) years.push(y);
  return years;
}

const MSG = {
  year: `Năm phải là số nguyên từ ${MIN_YEAR} đến ${MAX_YEAR}`,
  date: 'Ngày không hợp lệ (cần dạng YYYY-MM-DD và là ngày có thật)',
  otherYear: (year: number) => `Ngày này không thuộc năm ${year}`,
  repeated: 'Ngày này đã có ở trên',
  both: 'Ngày này vừa là ngày nghỉ vừa là ngày làm bù',
} as const;

export const isValidYear = (year: number) => Number.isInteger(year) && year >= MIN_YEAR && year <= MAX_YEAR;

/** What is wrong with a schedule before it can be confirmed (empty when nothing). */
export function validateSchedule(schedule: YearSchedule): CalendarProblem[] {
  const problems: CalendarProblem[] = [];
  if (!isValidYear(schedule.year)) problems.push({ path: 'year', message: MSG.year });
  const seen = new Map<string, 'daysOff' | 'workingDays'>();
  for (const key of ['daysOff', 'workingDays'] as const) {
    schedule[key].forEach((d, i) => {
      const path = `${key}[${i}].date`;
      if (dayNumberOf(d.date) === null) problems.push({ path, message: MSG.date });
      else if (!d.date.startsWith(`${schedule.year}-`))
        problems.push({ path, message: MSG.otherYear(schedule.year) });
      else if (seen.get(d.date) === key) problems.push({ path, message: MSG.repeated });
      else if (seen.has(d.date)) problems.push({ path, message: MSG.both });
      else seen.set(d.date, key);
    });
  }
  return problems;
}

/** The schedule in date order, as it is stored. */
export function sortedSchedule(schedule: YearSchedule): YearSchedule {
  const byDate = (a: NamedDay, b: NamedDay) => a.date.localeCompare(b.date);
  return {
    year: schedule.year,
    daysOff: [...schedule.daysOff].sort(byDate),
    workingDays: [...schedule.workingDays].sort(byDate),
  };
}

/**
 * The local days of `years` that are a day off, a make-up day or an ordinary day in one calendar and
 * not in the other (business hours aside): what a change of schedule moves.
 */
export function changedDays(before: WardCalendar, after: WardCalendar, years: number[]): string[] {
  const a = compileCalendar(before);
  const b = compileCalendar(after);
  const out: string[] = [];
  for (const year of [...new Set(years)].sort((x, y) => x - y)) {
    const first = dayNumberOf(`${year}-01-01`) as number;
    const last = dayNumberOf(`${year}-12-31`) as number;
    for (let day = first; day <= last; day++)
      if (hoursWeekdayOf(a, day) !== hoursWeekdayOf(b, day)) out.push(isoDateOf(day));
  }
  return out;
}

/** The years from that of local day `firstDay` to that of `lastDay` that are provisional in `calendar`. */
export function provisionalYearsBetween(calendar: WardCalendar, firstDay: number, lastDay: number): number[] {
  if (!calendar.confirmedYears) return [];
  const confirmed = new Set(calendar.confirmedYears);
  const from = Number(isoDateOf(Math.min(firstDay, lastDay)).slice(0, 4));
  const to = Number(isoDateOf(Math.max(firstDay, lastDay)).slice(0, 4));
  const out: number[] = [];
  for (let y = from; y <= to; y++) if (!confirmed.has(y)) out.push(y);
  return out;
}

/** The first month in which next year's provisional days off are warned about (November). */
const WARNING_FROM_MONTH = 11;

/**
 * Whether `today` (a Vietnam date) falls in the weeks before the year turns, when next year's days
 * off must be confirmed: from 1 November to 31 December, in weeks counted from 1 November (week 0
 * starts on 1 November, week 1 on 8 November, …). Null before November.
 */
export function warningWeek(today: string): { year: number; week: number } | null {
  const day = dayNumberOf(today);
  if (day === null) return null;
  const thisYear = Number(today.slice(0, 4));
  const start = dayNumberOf(`${thisYear}-${String(WARNING_FROM_MONTH).padStart(2, '0')}-01`) as number;
  if (day < start) return null;
  return { year: thisYear + 1, week: Math.floor((day - start) / 7) };
}

const shortDate = (date: string) => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;

/** The provisional Tết span of a year in words, e.g. "04/02/2027 – 10/02/2027". */
export function provisionalTetSpan(year: number): string {
  const tet = provisionalSchedule(year).daysOff.filter((d) => d.name.startsWith('Tết Nguyên đán'));
  const first = tet[0];
  const last = tet[tet.length - 1];
  return first && last ? `${shortDate(first.date)} – ${shortDate(last.date)}` : '';
}

/** The weekly warning's Vietnamese title and body: to a ward's intake staff, or the admins' summary. */
export function warningMessage(
  year: number,
  about: { wardName: string } | { wardCodes: string[] },
): { title: string; body: string } {
  const title = `Lịch nghỉ năm ${year} chưa được xác nhận`;
  const provisional = `vẫn là lịch tạm tính theo Bộ luật Lao động 2019 (Tết Nguyên đán tạm tính ${provisionalTetSpan(year)}, chưa có ngày hoán đổi, làm bù)`;
  if ('wardName' in about)
    return {
      title,
      body: `Lịch nghỉ lễ, Tết năm ${year} của ${about.wardName} ${provisional}. Hạn xử lý phản ánh rơi vào năm ${year} đang được tính theo lịch tạm này. Đề nghị báo quản trị viên đối chiếu với thông báo chính thức của Chính phủ và xác nhận lịch năm ${year}; khi đó hạn của các phản ánh đang xử lý được tính lại.`,
    };
  const n = about.wardCodes.length;
  const listed = about.wardCodes.slice(0, 20).join(', ') + (n > 20 ? ` và ${n - 20} phường/xã khác` : '');
  return {
    title,
    body: `Lịch nghỉ lễ, Tết năm ${year} ${provisional} ở ${n} phường/xã: ${listed}. Khi Chính phủ công bố lịch nghỉ chính thức, hãy xác nhận lịch năm ${year} cho toàn thành phố (PUT /api/v1/calendar/years/${year}) hoặc cho từng phường/xã (PUT /api/v1/wards/{id}/calendar/years/${year}), sửa những ngày khác với lịch tạm tính.`,
  };
}
