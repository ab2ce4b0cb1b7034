import { describe, expect, it } from 'vitest';
import { timeLeft, when } from './format.ts';

describe('console formats', () => {
  it('writes instants as dd/MM/yyyy HH:mm in Vietnam time', () => {
    expect(when('2026-12-06T17:05:00Z')).toBe('07/12/2026 00:05');
    expect(when(null)).toBe('');
  });
  it('says how much working time is left, or how late', () => {
    expect(timeLeft(3 * 3600 + 20 * 60, true)).toBe('còn 3 giờ 20 phút làm việc');
    expect(timeLeft(-45 * 60, true)).toBe('quá hạn 45 phút làm việc');
    expect(timeLeft(2 * 3600, false)).toBe('còn 2 giờ');
    // Past the deadline with no working time since (read in the lunch break): late all the same.
    expect(timeLeft(-0, true, true)).toMatch(/^quá hạn /);
  });
});
