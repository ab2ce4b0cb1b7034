import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WardCalendar } from './calendar.ts';
import { defaultCalendar } from './calendar.ts';
import type { Duration } from './duration.ts';
import { dayNumberOf, isoDateOf, localDayOf, localToInstant } from './local-day.ts';
import {
  addBusinessSeconds,
  addDuration,
  businessSecondsBetween,
  isBusinessTime,
  isWorkingDay,
} from './working-time.ts';

const RUNS = { seed: 20_260_216, numRuns: 300 } as const;

/** An awkward calendar: DST transitions inside business hours, touching intervals, a make-up Saturday. */
const newYork: WardCalendar = {
  timezone: 'America/New_York',
  businessHours: [
    { weekday: 7, start: '00:00', end: '03:00' },
    { weekday: 7, start: '22:00', end: '24:00' },
    { weekday: 1, start: '00:00', end: '01:00' },
    { weekday: 1, start: '09:00', end: '12:00' },
    { weekday: 1, start: '12:00', end: '17:00' },
    { weekday: 3, start: '08:00', end: '16:30' },
    { weekday: 5, start: '10:15', end: '10:45' },
  ],
  daysOff: ['2026-03-09', '2026-07-03', '2026-11-02', '2026-12-25'],
  workingDays: ['2026-03-14', '2026-10-31'],
};

const calendars: [string, WardCalendar, Date, Date][] = [
  [
    '2026 Vietnam',
    defaultCalendar(),
    new Date('2025-11-01T00:00:00+07:00'),
    new Date('2027-02-28T00:00:00+07:00'),
  ],
  ['DST New York', newYork, new Date('2026-02-01T00:00:00Z'), new Date('2026-12-31T00:00:00Z')],
];

const pt = (seconds: number, sign: 1 | -1 = 1): Duration => ({ sign, days: 0, seconds });
const pd = (days: number, sign: 1 | -1 = 1): Duration => ({ sign, days, seconds: 0 });

const localDate = (timeZone: string, at: Date) => isoDateOf(localDayOf(timeZone, at.getTime()));
const justBefore = (at: Date) => new Date(at.getTime() - 1);

describe.each(calendars)('working clock properties (%s)', (_name, cal, min, max) => {
  const instant = fc.date({ min, max, noInvalidDate: true });
  const seconds = fc.integer({ min: 1, max: 400 * 3600 });
  const days = fc.integer({ min: 1, max: 60 });
  const add = (from: Date, d: Duration) => addDuration(cal, from, d, 'working');

  it('positive PT results are in business time or exactly at an interval end', () => {
    fc.assert(
      fc.property(instant, seconds, (from, s) => {
        const r = add(from, pt(s));
        expect(r.getTime()).toBeGreaterThan(from.getTime());
        expect(isBusinessTime(cal, r) || isBusinessTime(cal, justBefore(r))).toBe(true);
      }),
      RUNS,
    );
  });

  it('negative PT results are in business time', () => {
    fc.assert(
      fc.property(instant, seconds, (from, s) => {
        const r = add(from, pt(s, -1));
        expect(r.getTime()).toBeLessThan(from.getTime());
        expect(isBusinessTime(cal, r)).toBe(true);
      }),
      RUNS,
    );
  });

  it('adding a then b equals adding a + b', () => {
    fc.assert(
      fc.property(instant, seconds, seconds, (from, a, b) => {
        expect(add(add(from, pt(a)), pt(b))).toEqual(add(from, pt(a + b)));
        expect(add(add(from, pt(a, -1)), pt(b, -1))).toEqual(add(from, pt(a + b, -1)));
      }),
      RUNS,
    );
  });

  it('addBusinessSeconds and businessSecondsBetween are inverse', () => {
    fc.assert(
      fc.property(instant, seconds, (from, s) => {
        expect(businessSecondsBetween(cal, from, addBusinessSeconds(cal, from, s))).toBe(s);
        expect(businessSecondsBetween(cal, addBusinessSeconds(cal, from, -s), from)).toBe(s);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(instant, instant, (x, y) => {
        const [a, b] = x <= y ? [x, y] : [y, x];
        const between = businessSecondsBetween(cal, a, b);
        fc.pre(between > 0);
        if (isBusinessTime(cal, justBefore(b))) expect(addBusinessSeconds(cal, a, between)).toEqual(b);
        if (isBusinessTime(cal, a)) expect(addBusinessSeconds(cal, b, -between)).toEqual(a);
      }),
      RUNS,
    );
  });

  it('going back the same business time returns to a receipt made in business time', () => {
    fc.assert(
      fc.property(instant, seconds, (from, s) => {
        fc.pre(isBusinessTime(cal, from));
        expect(add(add(from, pt(s)), pt(s, -1))).toEqual(from);
      }),
      RUNS,
    );
  });

  it('PnD lands at the close of business of the n-th working day strictly after (or before) receipt', () => {
    fc.assert(
      fc.property(instant, days, fc.constantFrom<1 | -1>(1, -1), (from, n, sign) => {
        const r = add(from, pd(n, sign));
        // The day whose business ends at r (a closing time of 24:00 is the next day's midnight).
        const day = localDate(cal.timezone, justBefore(r));
        expect(isWorkingDay(cal, day)).toBe(true);
        expect(isBusinessTime(cal, justBefore(r))).toBe(true);
        const dayNumber = dayNumberOf(day) as number;
        const midnight = new Date(localToInstant(cal.timezone, dayNumber + 1, 0));
        expect(businessSecondsBetween(cal, r, midnight)).toBe(0);
        // Exactly n working days from the day of receipt (excluded) to the result's day (included).
        const fromDay = localDayOf(cal.timezone, from.getTime());
        let count = 0;
        for (let d = fromDay + sign; d !== dayNumber + sign; d += sign)
          if (isWorkingDay(cal, isoDateOf(d))) count++;
        expect(count).toBe(n);
      }),
      RUNS,
    );
  });

  it('results are monotonic in the duration', () => {
    fc.assert(
      fc.property(instant, seconds, seconds, days, days, (from, s1, s2, d1, d2) => {
        const [a, b] = s1 <= s2 ? [s1, s2] : [s2, s1];
        const [m, n] = d1 <= d2 ? [d1, d2] : [d2, d1];
        expect(add(from, pt(a)).getTime()).toBeLessThanOrEqual(add(from, pt(b)).getTime());
        expect(add(from, pt(b, -1)).getTime()).toBeLessThanOrEqual(add(from, pt(a, -1)).getTime());
        expect(add(from, pd(m)).getTime()).toBeLessThanOrEqual(add(from, pd(n)).getTime());
        expect(add(from, pd(n, -1)).getTime()).toBeLessThanOrEqual(add(from, pd(m, -1)).getTime());
      }),
      RUNS,
    );
  });
});
