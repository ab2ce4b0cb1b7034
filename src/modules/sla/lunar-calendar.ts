/**
 * The Vietnamese lunisolar calendar (âm lịch), after Hồ Ngọc Đức's well-known algorithm
 * ("Thuật toán tính âm lịch", astronomical formulas from Jean Meeus, *Astronomical Algorithms*).
 * A lunar month starts on the local day of a new moon; month 11 holds the winter solstice; a year
 * with 13 months repeats the first month that holds no major solar term. Days are counted in a
 * time zone: Vietnam's calendar uses UTC+7, China's UTC+8, and in some years they differ (Tết 2007
 * was 17 February in Vietnam and 18 February in China; Tết 1985 was 21 January in Vietnam and
 * 20 February in China).
 *
 * Dates are day numbers: days since 1970-01-01 (local-day.ts), so no time zone of the host leaks in.
 */

/** The time zone of the Vietnamese lunar calendar, in hours east of UTC. */
const VIETNAM_UTC_OFFSET_HOURS = 7;

const JULIAN_DAY_OF_EPOCH = 2_440_588; // Julian day number of 1970-01-01
const SYNODIC_MONTH = 29.530588853;
const NEW_MOON_EPOCH = 2_415_021.076998695; // a new moon near 1900-01-01, in Julian days
const RAD = Math.PI / 180;

const julianDayOf = (dayNumber: number) => dayNumber + JULIAN_DAY_OF_EPOCH;
const dayNumberOfJulian = (jd: number) => jd - JULIAN_DAY_OF_EPOCH;
const julianDayOfDate = (year: number, month: number, day: number) =>
  julianDayOf(Date.UTC(year, month - 1, day) / 86_400_000);

/** Local day (Julian day number) of the k-th new moon after the epoch. */
function newMoonDay(k: number, zone: number): number {
  const T = k / 1236.85;
  const T2 = T * T;
  const T3 = T2 * T;
  let jd = 2415020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3;
  jd += 0.00033 * Math.sin((166.56 + 132.87 * T - 0.009173 * T2) * RAD);
  const M = 359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3; // Sun's mean anomaly
  const Mpr = 306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3; // Moon's mean anomaly
  const F = 21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3; // Moon's argument of latitude
  let c = (0.1734 - 0.000393 * T) * Math.sin(M * RAD) + 0.0021 * Math.sin(2 * RAD * M);
  c = c - 0.4068 * Math.sin(Mpr * RAD) + 0.0161 * Math.sin(RAD * 2 * Mpr);
  c -= 0.0004 * Math.sin(RAD * 3 * Mpr);
  c = c + 0.0104 * Math.sin(RAD * 2 * F) - 0.0051 * Math.sin(RAD * (M + Mpr));
  c = c - 0.0074 * Math.sin(RAD * (M - Mpr)) + 0.0004 * Math.sin(RAD * (2 * F + M));
  c = c - 0.0004 * Math.sin(RAD * (2 * F - M)) - 0.0006 * Math.sin(RAD * (2 * F + Mpr));
  c = c + 0.001 * Math.sin(RAD * (2 * F - Mpr)) + 0.0005 * Math.sin(RAD * (2 * Mpr + M));
  const deltaT =
    T < -11
      ? 0.001 + 0.000839 * T + 0.0002261 * T2 - 0.00000845 * T3 - 0.000000081 * T * T3
      : -0.000278 + 0.000265 * T + 0.000262 * T2;
  return Math.floor(jd + c - deltaT + 0.5 + zone / 24);
}

/** Which of the twelve 30° sectors the Sun's longitude is in at local midnight starting day `jd`. */
function sunLongitudeSector(jd: number, zone: number): number {
  const T = (jd - 2451545.5 - zone / 24) / 36525;
  const T2 = T * T;
  const M = 357.5291 + 35999.0503 * T - 0.0001559 * T2 - 0.00000048 * T * T2;
  const L0 = 280.46645 + 36000.76983 * T + 0.0003032 * T2;
  let dl = (1.9146 - 0.004817 * T - 0.000014 * T2) * Math.sin(RAD * M);
  dl = dl + (0.019993 - 0.000101 * T) * Math.sin(RAD * 2 * M) + 0.00029 * Math.sin(RAD * 3 * M);
  let l = (L0 + dl) * RAD;
  l -= Math.PI * 2 * Math.floor(l / (Math.PI * 2));
  return Math.floor((l / Math.PI) * 6);
}

/** First day (Julian day) of the lunar month 11 that holds the winter solstice of solar `year`. */
function month11Start(year: number, zone: number): number {
  const k = Math.floor((julianDayOfDate(year, 12, 31) - 2415021) / SYNODIC_MONTH);
  const nm = newMoonDay(k, zone);
  return sunLongitudeSector(nm, zone) >= 9 ? newMoonDay(k - 1, zone) : nm;
}

/** In a 13-month year starting at month 11 `a11`, the offset of the leap month from it. */
function leapMonthOffset(a11: number, zone: number): number {
  const k = Math.floor((a11 - NEW_MOON_EPOCH) / SYNODIC_MONTH + 0.5);
  let i = 1;
  let arc = sunLongitudeSector(newMoonDay(k + i, zone), zone);
  let last: number;
  do {
    last = arc;
    i++;
    arc = sunLongitudeSector(newMoonDay(k + i, zone), zone);
  } while (arc !== last && i < 14);
  return i - 1;
}

type LunarDate = { day: number; month: number; year: number; leap: boolean };

/** The lunar date of a day (day number since 1970-01-01). */
export function lunarDateOf(dayNumber: number, zone = VIETNAM_UTC_OFFSET_HOURS): LunarDate {
  const jd = julianDayOf(dayNumber);
  const solarYear = new Date(dayNumber * 86_400_000).getUTCFullYear();
  // The mean lunation puts the month's new moon at k or k + 1; the true one may fall a day later
  // still (2054-05-07), so step back until the month has begun.
  let k = Math.floor((jd - NEW_MOON_EPOCH) / SYNODIC_MONTH) + 1;
  let monthStart = newMoonDay(k, zone);
  while (monthStart > jd) monthStart = newMoonDay(--k, zone);
  let a11 = month11Start(solarYear, zone);
  let b11 = a11;
  let year: number;
  if (a11 >= monthStart) {
    year = solarYear;
    a11 = month11Start(solarYear - 1, zone);
  } else {
    year = solarYear + 1;
    b11 = month11Start(solarYear + 1, zone);
  }
  const day = jd - monthStart + 1;
  const diff = Math.floor((monthStart - a11) / 29);
  let leap = false;
  let month = diff + 11;
  if (b11 - a11 > 365) {
    const leapDiff = leapMonthOffset(a11, zone);
    if (diff >= leapDiff) {
      month = diff + 10;
      leap = diff === leapDiff;
    }
  }
  if (month > 12) month -= 12;
  if (month >= 11 && diff < 4) year -= 1;
  return { day, month, year, leap };
}

/**
 * The day number of a lunar date, or `null` when it does not exist (a leap month the year does not
 * have). Day 30 of a 29-day month spills into the next month, as the arithmetic gives it.
 */
export function solarDayOf(lunar: LunarDate, zone = VIETNAM_UTC_OFFSET_HOURS): number | null {
  const { day, month, year, leap } = lunar;
  let a11: number;
  let b11: number;
  if (month < 11) {
    a11 = month11Start(year - 1, zone);
    b11 = month11Start(year, zone);
  } else {
    a11 = month11Start(year, zone);
    b11 = month11Start(year + 1, zone);
  }
  let off = month - 11;
  if (off < 0) off += 12;
  if (b11 - a11 > 365) {
    const leapOff = leapMonthOffset(a11, zone);
    let leapMonth = leapOff - 2;
    if (leapMonth < 0) leapMonth += 12;
    if (leap && month !== leapMonth) return null;
    if (leap || off >= leapOff) off += 1;
  } else if (leap) {
    return null;
  }
  const k = Math.floor(0.5 + (a11 - NEW_MOON_EPOCH) / SYNODIC_MONTH);
  return dayNumberOfJulian(newMoonDay(k + off, zone) + day - 1);
}

/** Mùng 1 Tết: the first day of the lunar year that begins in solar `year`. */
export function lunarNewYear(year: number, zone = VIETNAM_UTC_OFFSET_HOURS): number {
  return solarDayOf({ day: 1, month: 1, year, leap: false }, zone) as number;
}

const STEMS = ['Giáp', 'Ất', 'Bính', 'Đinh', 'Mậu', 'Kỷ', 'Canh', 'Tân', 'Nhâm', 'Quý'];
const BRANCHES = ['Tý', 'Sửu', 'Dần', 'Mão', 'Thìn', 'Tỵ', 'Ngọ', 'Mùi', 'Thân', 'Dậu', 'Tuất', 'Hợi'];

/** The year's name in the sexagenary cycle, e.g. 2026 → "Bính Ngọ". */
export function sexagenaryName(lunarYear: number): string {
  return `${STEMS[(((lunarYear + 6) % 10) + 10) % 10]} ${BRANCHES[(((lunarYear + 8) % 12) + 12) % 12]}`;
}
