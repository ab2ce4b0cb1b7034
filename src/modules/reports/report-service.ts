import { type RawBuilder, sql } from 'kysely';
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
      // One statement, so that counts and instants come from one snapshot.
      const ms = (column: string) =>
        sql<number | null>`floor(extract(epoch from ${sql.ref(column)}) * 1000)::float8`;
      const column = sql.ref(groupColumns[query.groupBy]);
      const count = (condition: RawBuilder<unknown>) =>
        sql<number | null>`(count(*) filter (where ${condition}))::int`;
      const nothing = sql<number | null>`null::int`;
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
          'c.ward_id',
          sql<string | null>`${column}`.as('group_value'),
          sql<number | null>`count(*)::int`.as('received'),
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
          sql<number | null>`count(c.rating_score)::int`.as('ratings'),
          sql<number | null>`coalesce(sum(c.rating_score), 0)::int`.as('rating_sum'),
          nothing.as('assigned_ms'),
          nothing.as('answered_ms'),
        ])
        .groupBy(['c.ward_id', column]);
      const answers = period()
        .where('c.answered_at', 'is not', null)
        .where('c.assigned_at', 'is not', null)
        .select([
          'c.ward_id',
          sql<string | null>`${column}`.as('group_value'),
          nothing.as('received'),
          nothing.as('answered'),
          nothing.as('answered_on_time'),
          nothing.as('overdue_open'),
          nothing.as('ratings'),
          nothing.as('rating_sum'),
          ms('c.assigned_at').as('assigned_ms'),
          ms('c.answered_at').as('answered_ms'),
        ]);
      let departments = db.selectFrom('departments').select(['id', 'name']);
      if (wardId) departments = departments.where('ward_id', '=', wardId);
      const [rows, ward, wardCodes, departmentRows, categoryRows] = await Promise.all([
        tallies.unionAll(answers).execute(),
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

      const calendars = await loadWardCalendars(db, [...new Set(rows.map((r) => r.ward_id))]);
      const fallback = defaultCalendar();

      const keyed = (r: (typeof rows)[number]): Pick<ReportTally, 'key' | 'name'> => {
        switch (query.groupBy) {
          case 'department': {
            const d = r.group_value === null ? undefined : departmentsById.get(r.group_value);
            return {
              key: d?.id ?? null,
              // Departments belong to one ward: across the city, say which.
              name: !d ? null : wardId ? d.name : `${d.name} (${codeOfWard.get(r.ward_id)})`,
            };
          }
          case 'category': {
            const g = r.group_value === null ? undefined : categoriesById.get(r.group_value);
            return { key: g?.code ?? null, name: g?.name ?? null };
          }
          case 'channel': {
            const channel = r.group_value as Channel;
            return { key: channel, name: channelNames[channel] };
          }
        }
      };
      const reportTallies: ReportTally[] = [];
      const reportAnswers: ReportAnswer[] = [];
      for (const r of rows) {
        if (r.received !== null)
          reportTallies.push({
            ...keyed(r),
            received: r.received,
            answered: r.answered ?? 0,
            answeredOnTime: r.answered_on_time ?? 0,
            overdueOpen: r.overdue_open ?? 0,
            ratings: r.ratings ?? 0,
            ratingSum: r.rating_sum ?? 0,
          });
        else
          reportAnswers.push({
            wardId: r.ward_id,
            key: keyed(r).key,
            assignedAt: new Date(r.assigned_ms as number),
            answeredAt: new Date(r.answered_ms as number),
          });
      }
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
