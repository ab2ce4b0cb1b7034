import { describe, expect, it } from 'vitest';
import { dayNumberOf, isoDateOf } from './local-day.ts';
import { lunarDateOf, lunarNewYear, sexagenaryName, solarDayOf } from './lunar-calendar.ts';

const day = (iso: string) => dayNumberOf(iso) as number;
const CHINA = 8;

describe('the Vietnamese lunar calendar', () => {
  it('puts Tết on the known dates of 2024–2030', () => {
    const tet = Object.fromEntries(
      [2024, 2025, 2026, 2027, 2028, 2029, 2030].map((y) => [y, isoDateOf(lunarNewYear(y))]),
    );
    expect(tet).toEqual({
      2024: '2024-02-10',
      2025: '2025-01-29',
      2026: '2026-02-17',
      2027: '2027-02-06',
      2028: '2028-01-26',
      2029: '2029-02-13',
      2030: '2030-02-02',
    });
  });

  it('counts days in UTC+7, so Tết differs from the Chinese new year where the new moon falls near midnight', () => {
    expect(isoDateOf(lunarNewYear(2007))).toBe('2007-02-17');
    expect(isoDateOf(lunarNewYear(2007, CHINA))).toBe('2007-02-18');
    // 1985: the solstice month differs, so the Chinese new year is a whole month later.
    expect(isoDateOf(lunarNewYear(1985))).toBe('1985-01-21');
    expect(isoDateOf(lunarNewYear(1985, CHINA))).toBe('1985-02-20');
    expect(isoDateOf(lunarNewYear(2030, CHINA))).toBe('2030-02-03');
    expect(isoDateOf(lunarNewYear(2026, CHINA))).toBe('2026-02-17');
  });

  it('gives Giỗ Tổ Hùng Vương (10th day of the 3rd month) on the dates the government announced', () => {
    const gioTo = (year: number) => isoDateOf(solarDayOf({ day: 10, month: 3, year, leap: false }) as number);
    expect([2021, 2022, 2023, 2024, 2025, 2026].map(gioTo)).toEqual([
      '2021-04-21',
      '2022-04-10',
      '2023-04-29',
      '2024-04-18',
      '2025-04-07',
      '2026-04-26',
    ]);
  });

  it('knows the leap months (nhuận tháng 2 of 2023, tháng 6 of 2025) and the last day of the year', () => {
    expect(lunarDateOf(day('2023-03-22'))).toEqual({ day: 1, month: 2, year: 2023, leap: true });
    expect(lunarDateOf(day('2025-07-25'))).toEqual({ day: 1, month: 6, year: 2025, leap: true });
    expect(lunarDateOf(day('2026-02-16'))).toEqual({ day: 29, month: 12, year: 2025, leap: false });
    expect(isoDateOf(solarDayOf({ day: 1, month: 2, year: 2023, leap: true }) as number)).toBe('2023-03-22');
    // A leap month the year does not have.
    expect(solarDayOf({ day: 1, month: 3, year: 2023, leap: true })).toBeNull();
    expect(solarDayOf({ day: 1, month: 6, year: 2026, leap: true })).toBeNull();
  });

  it('converts every day of 1990–2060 to a lunar date and back', () => {
    for (let d = day('1990-01-01'); d <= day('2060-12-31'); d++) {
      const lunar = lunarDateOf(d);
      expect(lunar.day).toBeGreaterThanOrEqual(1);
      expect(lunar.day).toBeLessThanOrEqual(30);
      if (solarDayOf(lunar) !== d) expect.fail(`${isoDateOf(d)} → ${JSON.stringify(lunar)} → back differs`);
      if (lunar.day === 1 && lunar.month === 1 && !lunar.leap) expect(lunarNewYear(lunar.year)).toBe(d);
    }
  });

  it('names the year in the sexagenary cycle', () => {
    expect(sexagenaryName(2024)).toBe('Giáp Thìn');
    expect(sexagenaryName(2026)).toBe('Bính Ngọ');
    expect(sexagenaryName(2027)).toBe('Đinh Mùi');
    expect(sexagenaryName(1985)).toBe('Ất Sửu');
  });
});
