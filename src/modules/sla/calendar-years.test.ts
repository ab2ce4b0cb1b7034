import { describe, expect, it } from 'vitest';
import { composeCalendar, defaultCalendar, defaultWeeklyCalendar, officialSchedules } from './calendar.ts';
import {
  changedDays,
  provisionalTetSpan,
  provisionalYearsBetween,
  validateSchedule,
  warningMessage,
  warningWeek,
  yearsShown,
  yearView,
} from './calendar-years.ts';
import { dayNumberOf } from './local-day.ts';
import { provisionalSchedule } from './statutory-holidays.ts';

const day = (iso: string) => dayNumberOf(iso) as number;

describe('years of a ward calendar', () => {
  it('shows from the first confirmed year through next year', () => {
    expect(yearsShown([2026], 2026)).toEqual([2026, 2027]);
    expect(yearsShown([2026], 2027)).toEqual([2026, 2027, 2028]);
    expect(yearsShown([], 2027)).toEqual([2027, 2028]);
    expect(yearsShown([2026, 2030], 2026)).toEqual([2026, 2027]);
  });

  it('reads a year as provisional until a schedule is confirmed', () => {
    const provisional = yearView(2027, undefined);
    expect(provisional).toMatchObject({
      year: 2027,
      status: 'provisional',
      source: 'statutory',
      confirmedAt: null,
    });
    expect(provisional.daysOff).toEqual(provisionalSchedule(2027).daysOff);
    const at = new Date('2026-12-10T03:00:00Z');
    const confirmed = yearView(2027, {
      id: '1',
      year: 2027,
      scope: 'city',
      daysOff: [{ date: '2027-01-01', name: 'Tết Dương lịch' }],
      workingDays: [],
      note: 'TB-BNV',
      confirmedAt: at,
      confirmedBy: '7',
    });
    expect(confirmed).toMatchObject({ status: 'confirmed', source: 'city', confirmedAt: at, note: 'TB-BNV' });
  });

  it('refuses a schedule with dates of another year, impossible dates, repeats, or a day both off and worked', () => {
    const problems = validateSchedule({
      year: 2027,
      daysOff: [
        { date: '2027-02-04', name: 'Tết' },
        { date: '2028-01-01', name: 'Tết Dương lịch' },
        { date: '2027-02-30', name: 'x' },
        { date: '2027-02-04', name: 'Tết' },
        { date: '2027-02-13', name: 'Tết' },
      ],
      workingDays: [{ date: '2027-02-13', name: 'Làm bù' }],
    });
    expect(problems).toEqual([
      { path: 'daysOff[1].date', message: 'Ngày này không thuộc năm 2027' },
      { path: 'daysOff[2].date', message: 'Ngày không hợp lệ (cần dạng YYYY-MM-DD và là ngày có thật)' },
      { path: 'daysOff[3].date', message: 'Ngày này đã có ở trên' },
      { path: 'workingDays[0].date', message: 'Ngày này vừa là ngày nghỉ vừa là ngày làm bù' },
    ]);
    expect(validateSchedule(provisionalSchedule(2027))).toEqual([]);
  });

  it('finds the days a confirmation moves: days off added or removed, make-up days', () => {
    const before = defaultCalendar();
    const official2027 = {
      year: 2027,
      daysOff: [
        ...provisionalSchedule(2027).daysOff.filter((d) => d.date !== '2027-02-10'),
        { date: '2027-02-11', name: 'Tết (hoán đổi)' },
      ],
      workingDays: [{ date: '2027-02-20', name: 'Làm bù' }],
    };
    const after = composeCalendar(defaultWeeklyCalendar(), [...officialSchedules(), official2027]);
    expect(changedDays(before, after, [2027])).toEqual(['2027-02-10', '2027-02-11', '2027-02-20']);
    expect(changedDays(before, after, [2026])).toEqual([]);
    expect(changedDays(before, before, [2026, 2027])).toEqual([]);
  });

  it('tells which years a span of days crosses that are still provisional', () => {
    const cal = defaultCalendar();
    expect(provisionalYearsBetween(cal, day('2026-12-30'), day('2027-01-07'))).toEqual([2027]);
    expect(provisionalYearsBetween(cal, day('2026-03-01'), day('2026-03-09'))).toEqual([]);
    expect(provisionalYearsBetween(cal, day('2027-12-30'), day('2028-01-05'))).toEqual([2027, 2028]);
    // A calendar built by hand follows no statutory rules, so nothing in it is provisional.
    expect(
      provisionalYearsBetween({ ...cal, confirmedYears: undefined }, day('2027-01-01'), day('2027-02-01')),
    ).toEqual([]);
  });
});

describe('the warning before the year turns', () => {
  it('runs from 1 November in weeks counted from that day, for next year', () => {
    expect(warningWeek('2026-10-31')).toBeNull();
    expect(warningWeek('2026-11-01')).toEqual({ year: 2027, week: 0 });
    expect(warningWeek('2026-11-07')).toEqual({ year: 2027, week: 0 });
    expect(warningWeek('2026-11-08')).toEqual({ year: 2027, week: 1 });
    expect(warningWeek('2026-12-06')).toEqual({ year: 2027, week: 5 });
    expect(warningWeek('2026-12-31')).toEqual({ year: 2027, week: 8 });
    expect(warningWeek('2027-01-01')).toBeNull();
  });

  it('says in Vietnamese what is provisional, for the ward office and for the admins', () => {
    expect(provisionalTetSpan(2027)).toBe('04/02/2027 – 10/02/2027');
    const ward = warningMessage(2027, { wardName: 'Phường Việt Hoà' });
    expect(ward.title).toBe('Lịch nghỉ năm 2027 chưa được xác nhận');
    expect(ward.body).toContain('Phường Việt Hoà');
    expect(ward.body).toContain('04/02/2027 – 10/02/2027');
    const codes = Array.from({ length: 25 }, (_, i) => `P${i}`);
    const admins = warningMessage(2027, { wardCodes: codes });
    expect(admins.body).toContain('ở 25 phường/xã: P0, P1');
    expect(admins.body).toContain('P19 và 5 phường/xã khác');
    expect(admins.body).toContain('PUT /api/v1/calendar/years/2027');
  });
});
