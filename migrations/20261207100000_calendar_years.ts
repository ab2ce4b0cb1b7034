import { type Kysely, sql } from 'kysely';

// Days off by year (issue 12). A year's days off and make-up working days are *confirmed* once an admin
// stores the official schedule: city-wide (ward_id NULL, every ward) or for one ward (it overrides the
// city's). Years with no row are provisional: computed from the Labour Code's rules by the code. The
// official 2026 schedule ships confirmed, city-wide. `ward_calendars` keeps only what holds every year
// (time zone and business hours): its day lists move into rows of this table where they differed from
// the official schedule, so every ward computes the same deadlines as before.
//
// `calendar_warnings` holds one row per weekly warning that next year is still provisional (per ward
// for its intake staff, ward_id NULL for the admins' summary): its unique key makes the warning go
// out once however many workers tick.

type Day = { date: string; name: string };

// The official 2026 schedule as shipped in src/modules/sla/data/vn-calendar-2026.json (copied: a
// migration imports nothing from src/).
const OFFICIAL_2026: { daysOff: Day[]; workingDays: Day[] } = {
  daysOff: [
    { date: '2026-01-01', name: 'Tết Dương lịch' },
    { date: '2026-01-02', name: 'Tết Dương lịch (nghỉ hoán đổi, làm bù thứ Bảy 10/01)' },
    { date: '2026-02-16', name: 'Tết Nguyên Đán Bính Ngọ' },
    { date: '2026-02-17', name: 'Tết Nguyên Đán Bính Ngọ' },
    { date: '2026-02-18', name: 'Tết Nguyên Đán Bính Ngọ' },
    { date: '2026-02-19', name: 'Tết Nguyên Đán Bính Ngọ' },
    { date: '2026-02-20', name: 'Tết Nguyên Đán Bính Ngọ' },
    { date: '2026-04-27', name: 'Giỗ Tổ Hùng Vương (nghỉ bù cho Chủ nhật 26/04)' },
    { date: '2026-04-30', name: 'Ngày Giải phóng miền Nam' },
    { date: '2026-05-01', name: 'Ngày Quốc tế Lao động' },
    { date: '2026-08-31', name: 'Quốc khánh (nghỉ hoán đổi, làm bù thứ Bảy 22/08)' },
    { date: '2026-09-01', name: 'Quốc khánh' },
    { date: '2026-09-02', name: 'Quốc khánh' },
  ],
  workingDays: [
    { date: '2026-01-10', name: 'Làm bù cho ngày 02/01' },
    { date: '2026-08-22', name: 'Làm bù cho ngày 31/08' },
  ],
};
const NOTE_2026 = 'Công văn 12729/VPCP-KGVX; Thông báo 9441/TB-BNV (lịch nghỉ chính thức năm 2026)';

const sameDates = (a: string[], b: string[]) => a.length === b.length && a.every((d, i) => d === b[i]);

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE calendar_years (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      ward_id bigint REFERENCES wards (id),
      year integer NOT NULL CHECK (year BETWEEN 2000 AND 2200),
      days_off jsonb NOT NULL CHECK (jsonb_typeof(days_off) = 'array'),
      working_days jsonb NOT NULL CHECK (jsonb_typeof(working_days) = 'array'),
      note text CHECK (length(note) <= 500),
      confirmed_by bigint REFERENCES users (id),
      confirmed_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT calendar_years_ward_year_key UNIQUE NULLS NOT DISTINCT (ward_id, year)
    );
    CREATE INDEX calendar_years_confirmed_by_idx ON calendar_years (confirmed_by) WHERE confirmed_by IS NOT NULL;

    CREATE TABLE calendar_warnings (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      ward_id bigint REFERENCES wards (id),
      year integer NOT NULL,
      week integer NOT NULL CHECK (week >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT calendar_warnings_ward_year_week_key UNIQUE NULLS NOT DISTINCT (ward_id, year, week)
    );
  `.execute(db);

  await sql`
    INSERT INTO calendar_years (ward_id, year, days_off, working_days, note)
    VALUES (NULL, 2026, ${JSON.stringify(OFFICIAL_2026.daysOff)}::jsonb,
            ${JSON.stringify(OFFICIAL_2026.workingDays)}::jsonb, ${NOTE_2026})
  `.execute(db);

  // A ward whose stored days differ from the official schedule of a year keeps its own for that year.
  const rows = (
    await sql<{ ward_id: string; calendar: { daysOff?: string[]; workingDays?: string[] } }>`
      SELECT ward_id, calendar FROM ward_calendars
    `.execute(db)
  ).rows;
  for (const row of rows) {
    const daysOff = [...new Set(row.calendar.daysOff ?? [])].sort();
    const workingDays = [...new Set(row.calendar.workingDays ?? [])].sort();
    const years = new Set([2026, ...[...daysOff, ...workingDays].map((d) => Number(d.slice(0, 4)))]);
    for (const year of years) {
      const off = daysOff.filter((d) => d.startsWith(`${year}-`));
      const working = workingDays.filter((d) => d.startsWith(`${year}-`));
      const official = year === 2026 ? OFFICIAL_2026 : undefined;
      if (
        official &&
        sameDates(
          off,
          official.daysOff.map((d) => d.date),
        ) &&
        sameDates(
          working,
          official.workingDays.map((d) => d.date),
        )
      )
        continue;
      const name = (date: string, list: Day[] | undefined, fallback: string) =>
        list?.find((d) => d.date === date)?.name ?? fallback;
      await sql`
        INSERT INTO calendar_years (ward_id, year, days_off, working_days, note)
        VALUES (${row.ward_id}, ${year},
          ${JSON.stringify(off.map((date) => ({ date, name: name(date, official?.daysOff, 'Ngày nghỉ') })))}::jsonb,
          ${JSON.stringify(working.map((date) => ({ date, name: name(date, official?.workingDays, 'Ngày làm bù') })))}::jsonb,
          'Lịch riêng của phường/xã trước khi có lịch theo năm')
      `.execute(db);
    }
  }
  await sql`UPDATE ward_calendars SET calendar = calendar - 'daysOff' - 'workingDays'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Each ward's calendar takes back the days of the years confirmed for it (its own, else the city's).
  await sql`
    UPDATE ward_calendars wc SET calendar = wc.calendar || jsonb_build_object(
      'daysOff', coalesce((SELECT jsonb_agg(d->'date' ORDER BY d->>'date') FROM (
          SELECT DISTINCT ON (year) days_off FROM calendar_years
          WHERE ward_id = wc.ward_id OR ward_id IS NULL ORDER BY year, ward_id NULLS LAST) y,
          jsonb_array_elements(y.days_off) d), '[]'::jsonb),
      'workingDays', coalesce((SELECT jsonb_agg(d->'date' ORDER BY d->>'date') FROM (
          SELECT DISTINCT ON (year) working_days FROM calendar_years
          WHERE ward_id = wc.ward_id OR ward_id IS NULL ORDER BY year, ward_id NULLS LAST) y,
          jsonb_array_elements(y.working_days) d), '[]'::jsonb))
  `.execute(db);
  await sql`DROP TABLE IF EXISTS calendar_warnings, calendar_years`.execute(db);
}
