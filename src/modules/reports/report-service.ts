import { type InferResult, type RawBuilder, sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Channel } from '../../db/types.ts';
import { badRequest, forbidden } from '../../shared/errors.ts';
import { vietnamDayStart as dayStart, vietnamDayOf } from '../../shared/vietnam-day.ts';
import type { Principal } from '../auth/principal.ts';
import { answerClockRunning } from '../cases/status-labels.ts';
import { defaultCalendar } from '../sla/calendar.ts';
import { loadWardCalendars } from '../sla/calendar-repository.ts';
import type { SlaReportQuery } from './report-schemas.ts';
import { type ReportAnswer, type ReportTally, slaReportOf } from './sla-report.ts';

const maxDays = 366;

/** What each channel is called in the report. */
export const channelNames: Record<Channel, string> = {
  hotline_1022: 'Đường dây nóng 1022',
  smart_haiphong: 'Ứng dụng Smart Hải Phòng',
  walk_in: 'Trực tiếp tại Bộ phận một cửa',
  web: 'Cổng thông tin điện tử',
  email: 'Thư điện tử',
};

/** The column a report's rows are keyed by. */
const groupColumns = {
  department: 'c.department_id',
  category: 'c.category_id',
  channel: 'c.channel',
} as const;

/**
 * Milliseconds since the epoch, floored (as `floor(extract(epoch from t) * 1000)`), of Postgres's
 * float seconds for an instant with microseconds. The float is within 0.12 µs of the exact
 * microseconds / 10^6 until about the year 2250 and the product within 0.25 µs of the microseconds,
 * so rounding recovers them exactly; scaling the float straight to milliseconds could land just
 * below a whole millisecond and floor to the one before.
 */
export const epochMs = (seconds: number) => Math.floor(Math.round(seconds * 1e6) / 1000);

export type ReportService = ReturnType<typeof createReportService>;

export function createReportService(deps: { db: Db }) {
  const { db } = deps;

  /** The ward the caller may report on: an admin any (or the city, null), ward staff their own. */
  function wardOf(caller: Principal, wardId: string | undefined): string | null {
    if (caller.kind !== 'user') throw forbidden();
    if (caller.role === 'admin') return wardId ?? null;
    if (wardId !== undefined && wardId !== caller.wardId)
      throw forbidden('Bạn chỉ xem được báo cáo của phường/xã mình.');
    return caller.wardId;
  }

  return {
    async sla(caller: Principal, query: SlaReportQuery, now = new Date()) {
      const wardId = wardOf(caller, query.wardId);
      const to = query.to ?? vietnamDayOf(now);
      const from = query.from ?? vietnamDayOf(new Date(dayStart(to).getTime() - 29 * 86_400_000));
      const days = (dayStart(to).getTime() - dayStart(from).getTime()) / 86_400_000 + 1;
      if (days < 1 || days > maxDays)
        throw badRequest(`Khoảng thời gian phải từ 1 đến ${maxDays} ngày (từ ${from} đến ${to}).`, [
          { path: 'from', message: `from phải không sau to, cách nhau tối đa ${maxDays} ngày` },
        ]);

      // The counts are added up in SQL, per ward and grouping column; only the answered, dispatched
      // cases come to Node, as their two instants, for the median of working hours (the ward's
      // calendar is JavaScript). At a year of a big ward (14,000 cases) shipping every case and
      // folding it here cost 50-100 ms; cases_ward_received_idx answers both halves from the index.
      // One statement, so that counts and instants come from one snapshot: the tallies as one JSON
      // row, then a narrow row per answer (each column of a row costs its parsing, 12,800 times).
      const ms = (column: string) =>
        sql<number>`floor(extract(epoch from ${sql.ref(column)}) * 1000)::float8`;
      // The answers' instants as float seconds (date_part: microseconds / 10^6, correctly rounded),
      // not as extract's numeric milliseconds: the numeric arithmetic took 10 of the statement's 13
      // ms. `epochMs` gets the same milliseconds back exactly.
      const seconds = (column: string) => sql<number | null>`date_part('epoch', ${sql.ref(column)})`;
      const column = sql<string | null>`${sql.ref(groupColumns[query.groupBy])}::text`;
      const count = (condition: RawBuilder<unknown>) =>
        sql<number>`(count(*) filter (where ${condition}))::int`;
      const period = () => {
        let q = db
          .selectFrom('cases as c')
          .where('c.received_at', '>=', dayStart(from))
          .where('c.received_at', '<', new Date(dayStart(to).getTime() + 86_400_000));
        if (wardId) q = q.where('c.ward_id', '=', wardId);
        return q;
      };
      const tallies = period()
        .select([
          sql<string>`c.ward_id::text`.as('ward_id'),
          column.as('group_value'),
          sql<number>`count(*)::int`.as('received'),
          count(sql`c.answered_at is not null`).as('answered'),
          // answered_at <= due_at to the millisecond, as the report has always compared them (as
          // JavaScript instants): equal milliseconds count as on time.
          count(
            sql`c.answered_at is not null and c.due_at is not null and (c.answered_at <= c.due_at or ${ms('c.answered_at')} = ${ms('c.due_at')})`,
          ).as('answered_on_time'),
          // The case view's isOverdue: waiting past the acceptance deadline, or the answer clock
          // running past the answer's.
          count(
            sql`case when c.status = 'received' then c.accept_due_at < ${now}
              else c.status in (${sql.join(answerClockRunning)}) and c.due_at < ${now} end`,
          ).as('overdue_open'),
          sql<number>`count(c.rating_score)::int`.as('ratings'),
          sql<number>`coalesce(sum(c.rating_score), 0)::int`.as('rating_sum'),
        ])
        .groupBy(['c.ward_id', sql.ref(groupColumns[query.groupBy])]);
      type TallyRow = InferResult<typeof tallies>[number];
      const statement = db
        .selectFrom(tallies.as('t'))
        .select([
          sql<string | null>`null::bigint`.as('ward_id'),
          sql<string | null>`null::text`.as('group_value'),
          sql<number | null>`null::float8`.as('assigned_s'),
          sql<number | null>`null::float8`.as('answered_s'),
          sql<TallyRow[] | null>`json_agg(t)`.as('tallies'),
        ])
        .unionAll(
          period()
            .where('c.answered_at', 'is not', null)
            .where('c.assigned_at', 'is not', null)
            .select([
              'c.ward_id',
              column.as('group_value'),
              seconds('c.assigned_at').as('assigned_s'),
              seconds('c.answered_at').as('answered_s'),
              sql<TallyRow[] | null>`null::json`.as('tallies'),
            ]),
        );
      let departments = db.selectFrom('departments').select(['id', 'name']);
      if (wardId) departments = departments.where('ward_id', '=', wardId);
      const [rows, ward, wardCodes, departmentRows, categoryRows] = await Promise.all([
        statement.execute(),
        wardId
          ? db.selectFrom('wards').select('name').where('id', '=', wardId).executeTakeFirst()
          : undefined,
        wardId ? [] : db.selectFrom('wards').select(['id', 'code']).execute(),
        query.groupBy === 'department' ? departments.execute() : [],
        query.groupBy === 'category'
          ? db.selectFrom('categories').select(['id', 'code', 'name']).execute()
          : [],
      ]);
      const codeOfWard = new Map(wardCodes.map((w) => [w.id, w.code]));
      const departmentsById = new Map(departmentRows.map((d) => [d.id, d]));
      const categoriesById = new Map(categoryRows.map((g) => [g.id, g]));

      const keyOf = (groupValue: string | null): string | null => {
        if (groupValue === null) return null;
        switch (query.groupBy) {
          case 'department':
            return departmentsById.get(groupValue)?.id ?? null;
          case 'category':
            return categoriesById.get(groupValue)?.code ?? null;
          case 'channel':
            return groupValue;
        }
      };
      const nameOf = (wardOfRow: string, groupValue: string | null): string | null => {
        if (groupValue === null) return null;
        switch (query.groupBy) {
          case 'department': {
            const d = departmentsById.get(groupValue);
            // Departments belong to one ward: across the city, say which.
            return !d ? null : wardId ? d.name : `${d.name} (${codeOfWard.get(wardOfRow)})`;
          }
          case 'category':
            return categoriesById.get(groupValue)?.name ?? null;
          case 'channel':
            return channelNames[groupValue as Channel];
        }
      };
      const reportTallies: ReportTally[] = [];
      const reportAnswers: ReportAnswer[] = [];
      for (const r of rows) {
        if (r.assigned_s === null)
          for (const t of r.tallies ?? [])
            reportTallies.push({
              key: keyOf(t.group_value),
              name: nameOf(t.ward_id, t.group_value),
              received: t.received,
              answered: t.answered,
              answeredOnTime: t.answered_on_time,
              overdueOpen: t.overdue_open,
              ratings: t.ratings,
              ratingSum: t.rating_sum,
            });
        else
          reportAnswers.push({
            wardId: r.ward_id as string,
            key: keyOf(r.group_value),
            assignedAt: new Date(epochMs(r.assigned_s)),
            answeredAt: new Date(epochMs(r.answered_s as number)),
          });
      }
      const calendars = await loadWardCalendars(db, [...new Set(reportAnswers.map((a) => a.wardId))]);
      const fallback = defaultCalendar();
      return {
        wardId,
        wardName: ward?.name ?? null,
        from,
        to,
        groupBy: query.groupBy,
        generatedAt: now.toISOString(),
        rows: slaReportOf(reportTallies, reportAnswers, (id) => calendars.get(id) ?? fallback),
      };
    },
  };
}
