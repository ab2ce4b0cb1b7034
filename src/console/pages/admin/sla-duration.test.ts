import { describe, expect, it } from 'vitest';
import { durationWords, fromIsoDuration, toIsoDuration } from './sla-duration.ts';

describe('SLA durations as admins type and read them', () => {
  it('says a duration in Vietnamese, with the working clock named', () => {
    expect(durationWords('P5D', 'working')).toBe('5 ngày làm việc');
    expect(durationWords('PT4H', 'continuous')).toBe('4 giờ');
    expect(durationWords('P1DT2H30M', 'continuous')).toBe('1 ngày 2 giờ 30 phút');
    expect(durationWords('PT30S', 'continuous')).toBe('30 giây');
    expect(durationWords('P1W', 'working')).toBe('7 ngày làm việc');
  });

  it('turns a number and a unit into ISO 8601 and back', () => {
    expect(toIsoDuration(5, 'days')).toBe('P5D');
    expect(toIsoDuration(4, 'hours')).toBe('PT4H');
    expect(toIsoDuration(90, 'minutes')).toBe('PT90M');
    expect(fromIsoDuration('P5D')).toEqual({ amount: 5, unit: 'days' });
    expect(fromIsoDuration('PT4H')).toEqual({ amount: 4, unit: 'hours' });
    expect(fromIsoDuration('PT90M')).toEqual({ amount: 90, unit: 'minutes' });
    expect(fromIsoDuration('P1DT2H')).toEqual({ amount: 26, unit: 'hours' });
    expect(fromIsoDuration('PT30S')).toEqual({ amount: 30, unit: 'seconds' });
    expect(fromIsoDuration('nonsense')).toBeNull();
  });
});
