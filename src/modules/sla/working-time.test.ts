import { describe, expect, it } from 'vitest';
import type { WardCalendar } from './calendar.ts';
import { CalendarError, defaultCalendar } from './calendar.ts';
import { DurationError, parseDuration } from './duration.ts';
import {
  addBusinessSeconds,
  addDuration,
  businessSecondsBetween,
  isBusinessTime,
  isWorkingDay,
  MAX_WALK_DAYS,
} from './working-time.ts';

const cal = defaultCalendar();
/** A local Vietnamese wall time, e.g. `vn('2026-02-13T10:00')`. */
const vn = (local: string) => new Date(`${local}${local.length === 16 ? ':00' : ''}+07:00`);
const working = (from: string, duration: string) => addDuration(cal, vn(from), duration, 'working');

describe('PnD on the working clock (2026 calendar)', () => {
  it.each([
    // Ordinary weeks: received Friday afternoon or Saturday → Monday closing time.
    ['2026-03-06T15:00', 'P1D', '2026-03-09T17:00'],
    ['2026-03-07T10:00', 'P1D', '2026-03-09T17:00'],
    ['2026-03-08T23:59', 'P1D', '2026-03-09T17:00'],
    ['2026-03-02T00:00', 'P1D', '2026-03-03T17:00'],
    ['2026-03-02T23:59', 'P1D', '2026-03-03T17:00'],
    ['2026-03-02T10:00', 'P5D', '2026-03-09T17:00'],
    ['2026-03-02T10:00', 'P1W', '2026-03-11T17:00'],
    // Tết Dương lịch: 1–2 January off, make-up Saturday 10 January.
    ['2025-12-31T10:00', 'P1D', '2026-01-05T17:00'],
    ['2026-01-01T09:00', 'P1D', '2026-01-05T17:00'],
    ['2026-01-01T09:00', 'P5D', '2026-01-09T17:00'],
    ['2026-01-01T09:00', 'P6D', '2026-01-10T17:00'],
    ['2026-01-09T16:00', 'P1D', '2026-01-10T17:00'],
    ['2026-01-10T09:00', 'P1D', '2026-01-12T17:00'],
    // Tết Nguyên Đán: 16–20 February off.
    ['2026-02-13T10:00', 'P1D', '2026-02-23T17:00'],
    ['2026-02-12T10:00', 'P2D', '2026-02-23T17:00'],
    ['2026-02-16T08:00', 'P1D', '2026-02-23T17:00'],
    // Giỗ Tổ: Sunday 26 April compensated on Monday 27 April.
    ['2026-04-24T15:00', 'P1D', '2026-04-28T17:00'],
    ['2026-04-26T10:00', 'P1D', '2026-04-28T17:00'],
    // 30/4 (Thursday) and 1/5 (Friday).
    ['2026-04-29T09:00', 'P1D', '2026-05-04T17:00'],
    ['2026-04-28T09:00', 'P2D', '2026-05-04T17:00'],
    ['2026-04-24T09:00', 'P5D', '2026-05-06T17:00'],
    // Quốc khánh: 31/8–2/9 off, make-up Saturday 22 August.
    ['2026-08-21T10:00', 'P1D', '2026-08-22T17:00'],
    ['2026-08-22T10:00', 'P1D', '2026-08-24T17:00'],
    ['2026-08-28T10:00', 'P1D', '2026-09-03T17:00'],
    ['2026-08-28T10:00', 'P2D', '2026-09-04T17:00'],
  ])('received %s + %s → %s', (from, duration, due) => {
    expect(working(from, duration)).toEqual(vn(due));
  });

  it('uses the local (Vietnamese) day of receipt, not the UTC one', () => {
    // 18:30Z Monday is 01:30 Tuesday in Hà Nội.
    expect(addDuration(cal, new Date('2026-03-02T18:30:00Z'), 'P1D', 'working')).toEqual(
      vn('2026-03-04T17:00'),
    );
  });

  it('P0D and PT0S leave the instant unchanged, even outside business hours', () => {
    expect(working('2026-03-07T10:00', 'P0D')).toEqual(vn('2026-03-07T10:00'));
    expect(working('2026-03-02T12:00', 'PT0S')).toEqual(vn('2026-03-02T12:00'));
    expect(working('2026-03-02T12:00', '-P0D')).toEqual(vn('2026-03-02T12:00'));
  });
});

describe('PTnHnMnS on the working clock', () => {
  it.each([
    // Within a morning; ending exactly at closing of an interval stays there.
    ['2026-03-02T07:30', 'PT4H', '2026-03-02T11:30'],
    ['2026-03-02T07:30', 'PT4H1S', '2026-03-02T13:30:01'],
    ['2026-03-02T10:00', 'PT5H', '2026-03-02T17:00'],
    ['2026-03-02T07:30', 'PT7H30M', '2026-03-02T17:00'],
    ['2026-03-02T07:30', 'PT7H31M', '2026-03-03T07:31'],
    // Lunch break skipped.
    ['2026-03-02T11:00', 'PT1H', '2026-03-02T14:00'],
    ['2026-03-02T10:15', 'PT2H', '2026-03-02T14:15'],
    // Received during lunch, in the evening, at night, at the weekend.
    ['2026-03-02T12:00', 'PT1H', '2026-03-02T14:30'],
    ['2026-03-02T11:30', 'PT1H', '2026-03-02T14:30'],
    ['2026-03-02T19:00', 'PT1H', '2026-03-03T08:30'],
    ['2026-03-03T05:00', 'PT30M', '2026-03-03T08:00'],
    ['2026-03-06T16:30', 'PT1H', '2026-03-09T08:00'],
    ['2026-03-07T09:00', 'PT2H', '2026-03-09T09:30'],
    ['2026-03-08T20:00', 'PT4H', '2026-03-09T11:30'],
    // Urgent matters across holidays.
    ['2026-02-13T16:00', 'PT4H', '2026-02-23T10:30'],
    ['2026-04-29T15:00', 'PT4H', '2026-05-04T09:30'],
    ['2026-08-28T16:00', 'PT2H', '2026-09-03T08:30'],
    ['2025-12-31T16:00', 'PT2H', '2026-01-05T08:30'],
    // Make-up Saturdays keep Monday's hours (07:30–11:30, 13:30–17:00).
    ['2026-08-21T16:00', 'PT8H', '2026-08-22T16:30'],
    ['2026-01-10T06:00', 'PT4H', '2026-01-10T11:30'],
    ['2026-01-10T12:00', 'PT1H', '2026-01-10T14:30'],
    ['2026-01-10T16:00', 'PT2H', '2026-01-12T08:30'],
  ])('received %s + %s → %s', (from, duration, due) => {
    expect(working(from, duration)).toEqual(vn(due));
  });

  it('keeps seconds and milliseconds of the receipt time', () => {
    const from = new Date('2026-03-02T01:00:00.250Z'); // 08:00:00.250 local
    expect(addDuration(cal, from, 'PT1H', 'working')).toEqual(new Date('2026-03-02T02:00:00.250Z'));
  });

  it('accepts a parsed Duration', () => {
    expect(addDuration(cal, vn('2026-03-02T07:30'), parseDuration('PT240M'), 'working')).toEqual(
      vn('2026-03-02T11:30'),
    );
  });
});

describe('negative offsets (escalation steps before a deadline)', () => {
  it.each([
    ['2026-03-04T17:00', '-P1D', '2026-03-03T17:00'],
    ['2026-03-09T17:00', '-P1D', '2026-03-06T17:00'],
    ['2026-03-09T17:00', '-P5D', '2026-03-02T17:00'],
    ['2026-02-23T17:00', '-P1D', '2026-02-13T17:00'],
    ['2026-04-28T17:00', '-P1D', '2026-04-24T17:00'],
    ['2026-05-04T17:00', '-P1D', '2026-04-29T17:00'],
    ['2026-09-03T17:00', '-P1D', '2026-08-28T17:00'],
    ['2026-08-24T17:00', '-P1D', '2026-08-22T17:00'],
    ['2026-01-05T17:00', '-P1D', '2025-12-31T17:00'],
    ['2026-03-02T17:00', '-PT2H', '2026-03-02T15:00'],
    ['2026-03-02T17:00', '-PT4H', '2026-03-02T11:00'],
    ['2026-03-02T17:00', '-PT3H30M', '2026-03-02T13:30'],
    ['2026-03-02T12:30', '-PT1H', '2026-03-02T10:30'],
    ['2026-03-09T09:00', '-PT2H', '2026-03-06T16:30'],
    ['2026-03-08T10:00', '-PT2H', '2026-03-06T15:00'],
    ['2026-02-23T08:30', '-PT2H', '2026-02-13T16:00'],
    ['2026-01-12T08:00', '-PT1H', '2026-01-10T16:30'],
  ])('%s %s → %s', (from, duration, at) => {
    expect(working(from, duration)).toEqual(vn(at));
  });

  it('escalation ladder: reminder the working day before, chairman the working day after', () => {
    const dueAt = working('2026-02-11T09:00', 'P5D'); // Wed before Tết + 5 working days
    expect(dueAt).toEqual(vn('2026-02-25T17:00'));
    expect(addDuration(cal, dueAt, '-P1D', 'working')).toEqual(vn('2026-02-24T17:00'));
    expect(addDuration(cal, dueAt, 'P1D', 'working')).toEqual(vn('2026-02-26T17:00'));
  });
});

describe('refusals and the continuous clock', () => {
  it('refuses durations mixing days and time on the working clock', () => {
    expect(() => working('2026-03-02T09:00', 'P1DT2H')).toThrow(DurationError);
    expect(() => working('2026-03-02T09:00', '-P1DT1S')).toThrow(/mixing days and time/);
    expect(() => working('2026-03-02T09:00', 'PT')).toThrow(DurationError);
  });

  it('counts plain elapsed time on the continuous clock', () => {
    const from = vn('2026-02-13T16:00');
    expect(addDuration(cal, from, 'PT4H', 'continuous')).toEqual(vn('2026-02-13T20:00'));
    expect(addDuration(cal, from, 'P1D', 'continuous')).toEqual(vn('2026-02-14T16:00'));
    expect(addDuration(cal, from, 'P1DT2H', 'continuous')).toEqual(vn('2026-02-14T18:00'));
    expect(addDuration(cal, from, '-PT30M', 'continuous')).toEqual(vn('2026-02-13T15:30'));
    expect(addDuration(cal, from, 'PT1S', 'continuous')).toEqual(vn('2026-02-13T16:00:01'));
  });

  it('refuses invalid dates and clocks', () => {
    expect(() => addDuration(cal, new Date(Number.NaN), 'P1D', 'working')).toThrow(RangeError);
    expect(() => addDuration(cal, vn('2026-03-02T09:00'), 'P1D', 'wall' as 'working')).toThrow(
      /Unknown clock/,
    );
  });

  it('refuses an invalid calendar on the working clock', () => {
    const bad: WardCalendar = { ...defaultCalendar(), timezone: 'Mars/Olympus' };
    expect(() => addDuration(bad, vn('2026-03-02T09:00'), 'P1D', 'working')).toThrow(CalendarError);
    // The continuous clock does not need the calendar.
    expect(addDuration(bad, vn('2026-03-02T09:00'), 'PT1H', 'continuous')).toEqual(vn('2026-03-02T10:00'));
  });

  it('throws instead of looping when a calendar has no working time ahead', () => {
    // Only Mondays are worked, and every Monday from 2026 to 2037 is a day off.
    const mondays: string[] = [];
    for (let d = Date.UTC(2026, 0, 5); d < Date.UTC(2038, 0, 1); d += 7 * 86_400_000) {
      mondays.push(new Date(d).toISOString().slice(0, 10));
    }
    const closed: WardCalendar = {
      timezone: 'Asia/Ho_Chi_Minh',
      businessHours: [{ weekday: 1, start: '08:00', end: '12:00' }],
      daysOff: mondays,
      workingDays: [],
    };
    expect(() => addDuration(closed, vn('2026-01-01T09:00'), 'P1D', 'working')).toThrow(/no working time/);
    expect(() => addDuration(closed, vn('2026-01-01T09:00'), 'PT1H', 'working')).toThrow(/no working time/);
    // Before 2026 it still works.
    expect(addDuration(closed, vn('2026-01-01T09:00'), '-P1D', 'working')).toEqual(vn('2025-12-29T12:00'));
  });
});

describe('isWorkingDay / isBusinessTime', () => {
  it.each([
    ['2026-01-01', false],
    ['2026-01-02', false],
    ['2026-01-05', true],
    ['2026-01-10', true],
    ['2026-01-17', false],
    ['2026-02-18', false],
    ['2026-04-27', false],
    ['2026-04-28', true],
    ['2026-08-22', true],
    ['2026-08-23', false],
    ['2026-09-02', false],
    ['2026-09-03', true],
  ])('%s working: %s', (date, expected) => {
    expect(isWorkingDay(cal, date)).toBe(expected);
  });

  it('refuses malformed dates', () => {
    expect(() => isWorkingDay(cal, '2026-02-30')).toThrow(RangeError);
  });

  it('treats business intervals as [opening, closing)', () => {
    expect(isBusinessTime(cal, vn('2026-03-02T07:29'))).toBe(false);
    expect(isBusinessTime(cal, vn('2026-03-02T07:30'))).toBe(true);
    expect(isBusinessTime(cal, vn('2026-03-02T11:29'))).toBe(true);
    expect(isBusinessTime(cal, vn('2026-03-02T11:30'))).toBe(false);
    expect(isBusinessTime(cal, vn('2026-03-02T12:00'))).toBe(false);
    expect(isBusinessTime(cal, vn('2026-03-02T16:59'))).toBe(true);
    expect(isBusinessTime(cal, vn('2026-03-02T17:00'))).toBe(false);
    expect(isBusinessTime(cal, vn('2026-01-10T09:00'))).toBe(true);
    expect(isBusinessTime(cal, vn('2026-01-17T09:00'))).toBe(false);
    expect(isBusinessTime(cal, vn('2026-02-17T09:00'))).toBe(false);
  });
});

describe('businessSecondsBetween / addBusinessSeconds', () => {
  it('counts business seconds in [a, b)', () => {
    expect(businessSecondsBetween(cal, vn('2026-03-02T07:30'), vn('2026-03-03T07:30'))).toBe(27_000);
    expect(businessSecondsBetween(cal, vn('2026-03-02T11:00'), vn('2026-03-02T14:00'))).toBe(3_600);
    expect(businessSecondsBetween(cal, vn('2026-03-06T12:00'), vn('2026-03-09T09:00'))).toBe(
      3.5 * 3600 + 1.5 * 3600,
    );
    expect(businessSecondsBetween(cal, vn('2026-02-13T17:00'), vn('2026-02-23T07:30'))).toBe(0);
    expect(businessSecondsBetween(cal, vn('2026-02-13T07:30'), vn('2026-02-23T17:00'))).toBe(2 * 27_000);
    expect(businessSecondsBetween(cal, vn('2026-03-03T09:00'), vn('2026-03-02T09:00'))).toBe(0);
    expect(
      businessSecondsBetween(cal, vn('2026-03-02T09:00'), new Date(vn('2026-03-02T09:00').getTime() + 1500)),
    ).toBe(1.5);
  });

  it('moves business seconds forward and backward', () => {
    expect(addBusinessSeconds(cal, vn('2026-03-06T16:00'), 7200)).toEqual(vn('2026-03-09T08:30'));
    expect(addBusinessSeconds(cal, vn('2026-03-09T08:30'), -7200)).toEqual(vn('2026-03-06T16:00'));
    expect(addBusinessSeconds(cal, vn('2026-03-07T08:30'), 0)).toEqual(vn('2026-03-07T08:30'));
  });

  it('resuming a paused case adds the remaining working time', () => {
    const received = vn('2026-02-12T09:00');
    const dueAt = addDuration(cal, received, 'PT8H', 'working');
    expect(dueAt).toEqual(vn('2026-02-13T09:30'));
    const pausedAt = vn('2026-02-12T15:00');
    const remaining = businessSecondsBetween(cal, pausedAt, dueAt);
    expect(remaining).toBe(4 * 3600);
    expect(addBusinessSeconds(cal, vn('2026-02-24T10:00'), remaining)).toEqual(vn('2026-02-24T16:00'));
  });
});

describe('a calendar with almost no business time', () => {
  // One minute a week: a year of business hours would end ~500 000 years later, after a walk of minutes.
  const sparse: WardCalendar = {
    timezone: 'Asia/Ho_Chi_Minh',
    businessHours: [{ weekday: 3, start: '10:00', end: '10:01' }],
    daysOff: [],
    workingDays: [],
  };

  it('still computes deadlines within the walk bound', () => {
    expect(addDuration(sparse, vn('2026-06-15T09:00'), 'PT3M', 'working')).toEqual(vn('2026-07-01T10:01'));
    expect(addDuration(sparse, vn('2026-06-15T09:00'), 'P2D', 'working')).toEqual(vn('2026-06-24T10:01'));
    // A year of working days is 366 weeks here: within the bound.
    expect(addDuration(sparse, vn('2026-06-15T09:00'), 'P366D', 'working').getFullYear()).toBe(2033);
  });

  it('refuses, quickly, a deadline further than MAX_WALK_DAYS away', () => {
    const started = performance.now();
    for (const [duration, error] of [
      ['PT8784H', DurationError],
      ['-PT8784H', DurationError],
      ['PT122H', DurationError],
    ] as const)
      expect(() => addDuration(sparse, vn('2026-06-15T09:00'), duration, 'working'), duration).toThrow(error);
    expect(() => addBusinessSeconds(sparse, vn('2026-06-15T09:00'), 8784 * 3600)).toThrow(DurationError);
    expect(MAX_WALK_DAYS).toBeGreaterThan(366 * 7 * 2);
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});
