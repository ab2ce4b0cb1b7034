import { describe, expect, it } from 'vitest';
import type { WardCalendar } from './calendar.ts';
import { defaultCalendar, parseTimeOfDay, validateCalendar } from './calendar.ts';

const base = (): WardCalendar => ({
  timezone: 'Asia/Ho_Chi_Minh',
  businessHours: [{ weekday: 1, start: '07:30', end: '11:30' }],
  daysOff: [],
  workingDays: [],
});

describe('defaultCalendar', () => {
  it('is the 2026 Vietnamese calendar, Mon–Fri 07:30–11:30 and 13:30–17:00', () => {
    const cal = defaultCalendar();
    expect(cal.timezone).toBe('Asia/Ho_Chi_Minh');
    expect(cal.businessHours).toHaveLength(10);
    expect(cal.businessHours).toContainEqual({ weekday: 5, start: '13:30', end: '17:00' });
    expect(cal.businessHours.some((b) => b.weekday > 5)).toBe(false);
    expect(cal.daysOff).toContain('2026-02-16');
    expect(cal.daysOff).toContain('2026-04-27');
    expect(cal.workingDays).toEqual(['2026-01-10', '2026-08-22']);
    // 2026 is confirmed as shipped; every other year follows the provisional statutory days off.
    expect(cal.confirmedYears).toEqual([2026]);
    expect(validateCalendar(cal)).toEqual([]);
  });

  it('refuses listed days of a year it does not say is confirmed', () => {
    expect(validateCalendar({ ...defaultCalendar(), daysOff: ['2026-02-16', '2027-02-04'] })).toEqual([
      { path: 'daysOff[1]', message: 'Ngày này thuộc một năm chưa được xác nhận' },
    ]);
    expect(validateCalendar({ ...defaultCalendar(), confirmedYears: [2026, 1999] })).toEqual([
      { path: 'confirmedYears[1]', message: 'Năm phải là số nguyên từ 2000 đến 2200' },
    ]);
  });

  it('returns a fresh object each time', () => {
    expect(defaultCalendar()).not.toBe(defaultCalendar());
  });
});

describe('parseTimeOfDay', () => {
  it('reads HH:MM from 00:00 to 24:00', () => {
    expect(parseTimeOfDay('00:00')).toBe(0);
    expect(parseTimeOfDay('07:30')).toBe(450);
    expect(parseTimeOfDay('24:00')).toBe(1440);
    for (const bad of ['24:01', '25:00', '7:30', '07:60', '07.30', '', '07:30:00']) {
      expect(parseTimeOfDay(bad)).toBeNull();
    }
  });
});

describe('validateCalendar', () => {
  it('accepts a sound calendar', () => {
    expect(validateCalendar(base())).toEqual([]);
  });

  it('reports an unknown time zone', () => {
    expect(validateCalendar({ ...base(), timezone: 'Asia/Hanoi_City' })).toEqual([
      { path: 'timezone', message: expect.stringContaining('Múi giờ') },
    ]);
  });

  it('reports bad times, inverted intervals and bad weekdays', () => {
    const problems = validateCalendar({
      ...base(),
      businessHours: [
        { weekday: 1, start: '11:30', end: '07:30' },
        { weekday: 8, start: '07:30', end: '11:30' },
        { weekday: 2, start: '7:30', end: '24:30' },
        { weekday: 1.5, start: '13:00', end: '14:00' },
      ],
    });
    expect(problems).toEqual([
      { path: 'businessHours[0]', message: 'Giờ bắt đầu phải trước giờ kết thúc' },
      { path: 'businessHours[1].weekday', message: expect.any(String) },
      { path: 'businessHours[2].start', message: expect.stringContaining('HH:MM') },
      { path: 'businessHours[2].end', message: expect.stringContaining('HH:MM') },
      { path: 'businessHours[3].weekday', message: expect.any(String) },
    ]);
  });

  it('reports overlapping intervals of one weekday, but not touching ones or other weekdays', () => {
    const problems = validateCalendar({
      ...base(),
      businessHours: [
        { weekday: 1, start: '07:30', end: '11:30' },
        { weekday: 1, start: '11:00', end: '12:00' },
        { weekday: 1, start: '12:00', end: '13:00' },
        { weekday: 2, start: '11:00', end: '12:00' },
      ],
    });
    expect(problems).toEqual([{ path: 'businessHours[1]', message: expect.stringContaining('chồng lấn') }]);
  });

  it('reports bad dates and days both off and working', () => {
    const problems = validateCalendar({
      ...base(),
      daysOff: ['2026-02-30', '2026-05-01', 'hôm nay'],
      workingDays: ['2026-05-01', '2026-01-10'],
    });
    expect(problems.map((p) => p.path)).toEqual(['daysOff[0]', 'daysOff[2]', 'workingDays[0]']);
    expect(problems[2]?.message).toBe('Ngày này vừa là ngày nghỉ vừa là ngày làm bù');
  });

  it('requires Monday hours when there are make-up days, and some hours at all', () => {
    expect(
      validateCalendar({
        ...base(),
        businessHours: [{ weekday: 2, start: '07:30', end: '11:30' }],
        workingDays: ['2026-01-10'],
      }),
    ).toEqual([{ path: 'workingDays', message: expect.stringContaining('thứ Hai') }]);
    expect(validateCalendar({ ...base(), businessHours: [] })).toEqual([
      { path: 'businessHours', message: 'Lịch chưa có giờ làm việc nào' },
    ]);
  });

  it('survives garbage from outside', () => {
    const problems = validateCalendar({
      timezone: 7,
      businessHours: [null, { weekday: 1 }],
      daysOff: 'none',
      workingDays: [1],
    } as unknown as WardCalendar);
    expect(problems.map((p) => p.path)).toEqual([
      'timezone',
      'businessHours[0]',
      'businessHours[1].start',
      'businessHours[1].end',
      'daysOff',
      'workingDays[0]',
    ]);
  });
});
