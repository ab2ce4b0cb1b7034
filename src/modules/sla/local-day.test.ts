import { describe, expect, it } from 'vitest';
import { dayNumberOf, isoDateOf, isoWeekdayOf, localDayOf, localToInstant } from './local-day.ts';

const day = (iso: string) => {
  const n = dayNumberOf(iso);
  if (n === null) throw new Error(iso);
  return n;
};

describe('day numbers', () => {
  it('round-trips dates and knows weekdays', () => {
    expect(isoDateOf(day('2026-02-16'))).toBe('2026-02-16');
    expect(isoWeekdayOf(day('2026-02-16'))).toBe(1);
    expect(isoWeekdayOf(day('2026-01-10'))).toBe(6);
    expect(isoWeekdayOf(day('2026-04-26'))).toBe(7);
    expect(isoWeekdayOf(day('1969-12-31'))).toBe(3);
  });

  it('refuses impossible dates', () => {
    for (const bad of ['2026-02-29', '2026-13-01', '2026-00-10', '2026-4-1', '20260401', 'x']) {
      expect(dayNumberOf(bad)).toBeNull();
    }
    expect(dayNumberOf('2028-02-29')).not.toBeNull();
  });
});

describe('local time', () => {
  it('maps Asia/Ho_Chi_Minh wall time to instants', () => {
    expect(new Date(localToInstant('Asia/Ho_Chi_Minh', day('2026-02-23'), 17 * 60)).toISOString()).toBe(
      '2026-02-23T10:00:00.000Z',
    );
    expect(localDayOf('Asia/Ho_Chi_Minh', Date.parse('2026-03-02T18:30:00Z'))).toBe(day('2026-03-03'));
  });

  it('handles DST gaps and overlaps', () => {
    // 02:30 does not exist on 2026-03-08 in New York: moved past the gap, to 03:30 EDT.
    expect(new Date(localToInstant('America/New_York', day('2026-03-08'), 150)).toISOString()).toBe(
      '2026-03-08T07:30:00.000Z',
    );
    // 01:30 happens twice on 2026-11-01: the first (EDT) one.
    expect(new Date(localToInstant('America/New_York', day('2026-11-01'), 90)).toISOString()).toBe(
      '2026-11-01T05:30:00.000Z',
    );
    expect(new Date(localToInstant('America/New_York', day('2026-11-01'), 1440)).toISOString()).toBe(
      '2026-11-02T05:00:00.000Z',
    );
  });
});
