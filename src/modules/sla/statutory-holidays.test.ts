import { describe, expect, it } from 'vitest';
import { officialSchedules } from './calendar.ts';
import { provisionalSchedule } from './statutory-holidays.ts';

const dates = (year: number) => provisionalSchedule(year).daysOff.map((d) => d.date.slice(5));

describe('provisional days off (Labour Code 2019, Art. 112)', () => {
  // Worked out by hand from the rules; weekdays: 2027-02-06 is a Saturday, 2028-01-01 a Saturday,
  // 2028-04-30 a Sunday, 2028-09-02 a Saturday, 2029-02-11 and 2029-09-02 Sundays, 2030-02-02 a Saturday.
  it.each([
    [
      2024,
      ['01-01', '02-08', '02-09', '02-12', '02-13', '02-14', '04-18', '04-30', '05-01', '09-02', '09-03'],
    ],
    [
      2025,
      ['01-01', '01-27', '01-28', '01-29', '01-30', '01-31', '04-07', '04-30', '05-01', '09-01', '09-02'],
    ],
    [
      2026,
      ['01-01', '02-16', '02-17', '02-18', '02-19', '02-20', '04-27', '04-30', '05-01', '09-01', '09-02'],
    ],
    [
      2027,
      ['01-01', '02-04', '02-05', '02-08', '02-09', '02-10', '04-16', '04-30', '05-03', '09-02', '09-03'],
    ],
    [
      2028,
      ['01-03', '01-24', '01-25', '01-26', '01-27', '01-28', '04-04', '05-01', '05-02', '09-01', '09-04'],
    ],
    [
      2029,
      ['01-01', '02-12', '02-13', '02-14', '02-15', '02-16', '04-23', '04-30', '05-01', '09-03', '09-04'],
    ],
    [
      2030,
      ['01-01', '01-31', '02-01', '02-04', '02-05', '02-06', '04-12', '04-30', '05-01', '09-02', '09-03'],
    ],
  ])(
    '%i: eleven weekdays off, holidays on a weekend compensated on the next working day',
    (year, expected) => {
      expect(dates(year as number)).toEqual(expected);
    },
  );

  // The statutory days off the government set for 2021–2025 (its swaps and make-up Saturdays aside):
  // the provisional rules give every one of them.
  it.each([
    [
      2021,
      ['01-01', '02-10', '02-11', '02-12', '02-15', '02-16', '04-21', '04-30', '05-03', '09-02', '09-03'],
    ],
    [
      2022,
      ['01-03', '01-31', '02-01', '02-02', '02-03', '02-04', '04-11', '05-02', '05-03', '09-01', '09-02'],
    ],
    [
      2023,
      ['01-02', '01-20', '01-23', '01-24', '01-25', '01-26', '05-01', '05-02', '05-03', '09-01', '09-04'],
    ],
  ])('%i matches the official statutory days off', (year, official) => {
    expect(dates(year as number)).toEqual(official);
  });

  it('differs from the official 2026 schedule only by its two swapped days and their make-up Saturdays', () => {
    const official = officialSchedules().find((s) => s.year === 2026);
    const provisional = provisionalSchedule(2026);
    const officialOff = official?.daysOff.map((d) => d.date) ?? [];
    const provisionalOff = provisional.daysOff.map((d) => d.date);
    expect(officialOff.filter((d) => !provisionalOff.includes(d))).toEqual(['2026-01-02', '2026-08-31']);
    expect(provisionalOff.filter((d) => !officialOff.includes(d))).toEqual([]);
    expect(official?.workingDays.map((d) => d.date)).toEqual(['2026-01-10', '2026-08-22']);
    expect(provisional.workingDays).toEqual([]);
  });

  it('names each day in Vietnamese, with the lunar year and what a compensated day stands for', () => {
    const y2027 = provisionalSchedule(2027).daysOff;
    expect(y2027.find((d) => d.date === '2027-02-05')?.name).toBe('Tết Nguyên đán Đinh Mùi');
    expect(y2027.find((d) => d.date === '2027-02-09')?.name).toBe(
      'Tết Nguyên đán Đinh Mùi (nghỉ bù cho thứ Bảy 06/02)',
    );
    expect(y2027.find((d) => d.date === '2027-05-03')?.name).toBe(
      'Ngày Quốc tế Lao động (nghỉ bù cho thứ Bảy 01/05)',
    );
    expect(provisionalSchedule(2028).daysOff[0]).toEqual({
      date: '2028-01-03',
      name: 'Tết Dương lịch (nghỉ bù cho thứ Bảy 01/01)',
    });
  });

  it('returns a copy: a caller that edits it changes nothing for the next one', () => {
    provisionalSchedule(2031).daysOff.pop();
    expect(provisionalSchedule(2031).daysOff).toHaveLength(11);
  });
});
