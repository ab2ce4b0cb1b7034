import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Channel } from '../../db/types.ts';
import { badRequest, forbidden } from '../../shared/errors.ts';
import { vietnamDayStart as dayStart, vietnamDayOf } from '../../shared/vietnam-day.ts';
import type { Principal } from '../auth/principal.ts';
import { defaultCalendar } from '../sla/calendar.ts';
import { loadWardCalendars } from '../sla/calendar-repository.ts';
import type { SlaReportQuery } from './report-schemas.ts';
import { type ReportCase, slaReport } from './sla-report.ts';

const maxDays = 366;

const channelNames: Record<Channel, string> = {
  hotline_1022: 'Đường dây nóng 1022',
  smart_haiphong: 'Ứng dụng Smart Hải Phòng',
  walk_in: 'Trực tiếp tại Bộ phận một cửa',
  web: 'Cổng thông tin điện tử',
  email: 'Thư điện tử',
};

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

      // The cases' own columns only, instants as epoch milliseconds: at a year of a big ward (14,000
      // cases) parsing timestamps and repeating names in every row cost more than the scan itself,
      // which cases_ward_received_idx answers from the index. Names come from the small tables below.
      const ms = (column: string) =>
        sql<number | null>`floor(extract(epoch from ${sql.ref(column)}) * 1000)::float8`;
      let q = db
        .selectFrom('cases as c')
        .select([
          'c.ward_id',
          'c.status',
          'c.channel',
          'c.department_id',
          'c.category_id',
          'c.rating_score',
          ms('c.assigned_at').as('assigned_ms'),
          ms('c.answered_at').as('answered_ms'),
          ms('c.due_at').as('due_ms'),
          ms('c.accept_due_at').as('accept_due_ms'),
        ])
        .where('c.received_at', '>=', dayStart(from))
        .where('c.received_at', '<', new Date(dayStart(to).getTime() + 86_400_000));
      if (wardId) q = q.where('c.ward_id', '=', wardId);
      let departments = db.selectFrom('departments').select(['id', 'name']);
      if (wardId) departments = departments.where('ward_id', '=', wardId);
      const [rows, ward, wardCodes, departmentRows, categoryRows] = await Promise.all([
        q.execute(),
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

      const keyed = (r: (typeof rows)[number]): Pick<ReportCase, 'key' | 'name'> => {
        switch (query.groupBy) {
          case 'department': {
            const d = r.department_id === null ? undefined : departmentsById.get(r.department_id);
            return {
              key: d?.id ?? null,
              // Departments belong to one ward: across the city, say which.
              name: !d ? null : wardId ? d.name : `${d.name} (${codeOfWard.get(r.ward_id)})`,
            };
          }
          case 'category': {
            const g = r.category_id === null ? undefined : categoriesById.get(r.category_id);
            return { key: g?.code ?? null, name: g?.name ?? null };
          }
          case 'channel':
            return { key: r.channel, name: channelNames[r.channel] };
        }
      };
      const date = (ms: number | null) => (ms === null ? null : new Date(ms));
      const cases: ReportCase[] = rows.map((r) => ({
        wardId: r.ward_id,
        ...keyed(r),
        status: r.status,
        assignedAt: date(r.assigned_ms),
        answeredAt: date(r.answered_ms),
        dueAt: date(r.due_ms),
        acceptDueAt: date(r.accept_due_ms),
        ratingScore: r.rating_score,
      }));
      return {
        wardId,
        wardName: ward?.name ?? null,
        from,
        to,
        groupBy: query.groupBy,
        generatedAt: now.toISOString(),
        rows: slaReport(cases, (id) => calendars.get(id) ?? fallback, now),
      };
    },
  };
}
