import { describe, expect, it } from 'vitest';
import {
  DurationError,
  durationToSeconds,
  isValidDuration,
  isWithinDurationLimit,
  MAX_DURATION_DAYS,
  parseDuration,
} from './duration.ts';

describe('parseDuration', () => {
  it.each([
    ['P5D', { sign: 1, days: 5, seconds: 0 }],
    ['P2W', { sign: 1, days: 14, seconds: 0 }],
    ['P1W2D', { sign: 1, days: 9, seconds: 0 }],
    ['PT4H', { sign: 1, days: 0, seconds: 14_400 }],
    ['PT1H30M', { sign: 1, days: 0, seconds: 5_400 }],
    ['PT90M', { sign: 1, days: 0, seconds: 5_400 }],
    ['PT1H2M3S', { sign: 1, days: 0, seconds: 3_723 }],
    ['PT0S', { sign: 1, days: 0, seconds: 0 }],
    ['P0D', { sign: 1, days: 0, seconds: 0 }],
    ['P1DT2H', { sign: 1, days: 1, seconds: 7_200 }],
    ['-P1D', { sign: -1, days: 1, seconds: 0 }],
    ['-PT2H', { sign: -1, days: 0, seconds: 7_200 }],
  ])('%s', (text, expected) => {
    expect(parseDuration(text)).toEqual(expected);
    expect(isValidDuration(text)).toBe(true);
  });

  it.each([
    '',
    'P',
    'PT',
    '-P',
    'P1DT',
    '1D',
    'P1',
    'PT1.5H',
    'PT0,5H',
    'P1.5D',
    'P1Y',
    'P1M',
    'p1d',
    '+P1D',
    '--P1D',
    ' P1D',
    'P1D ',
    'PT1S1M',
    'P1D1W',
    'PT-1H',
    'P-1D',
    'garbage',
    'P99999999999999999999D',
  ])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
    expect(isValidDuration(text)).toBe(false);
  });

  it('says what was wrong', () => {
    expect(() => parseDuration('PT')).toThrow(/Invalid ISO 8601 duration: "PT"/);
  });

  it('refuses non-strings', () => {
    expect(() => parseDuration(5 as unknown as string)).toThrow(DurationError);
  });
});

describe('durationToSeconds', () => {
  it('counts a day as 86400 s and keeps the sign', () => {
    expect(durationToSeconds(parseDuration('P1DT1S'))).toBe(86_401);
    expect(durationToSeconds(parseDuration('-PT2H'))).toBe(-7_200);
    expect(durationToSeconds(parseDuration('P1W'))).toBe(604_800);
  });
});

describe('isWithinDurationLimit', () => {
  it('accepts up to a year either way and refuses longer or invalid durations', () => {
    expect(MAX_DURATION_DAYS).toBe(366);
    for (const d of ['P5D', 'PT4H', '-P1D', 'P366D', '-P366D', 'PT8784H', 'P52W', 'P0D'])
      expect(isWithinDurationLimit(d), d).toBe(true);
    for (const d of ['P367D', '-P367D', 'PT8785H', 'P53W', 'P365DT24H1S', 'P999999999D', 'nonsense'])
      expect(isWithinDurationLimit(d), d).toBe(false);
  });
});
