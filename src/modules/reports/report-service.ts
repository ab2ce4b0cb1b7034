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

      let q = db
        .selectFrom('cases as c')
        .innerJoin('wards as w', 'w.id', 'c.ward_id')
        .leftJoin('departments as d', 'd.id', 'c.department_id')
        .leftJoin('categories as g', 'g.id', 'c.category_id')
        .select([
          'c.ward_id',
          'w.code as ward_code',
          'c.status',
          'c.channel',
          'c.assigned_at',
          'c.answered_at',
          'c.due_at',
          'c.accept_due_at',
          'c.rating_score',
          'd.id as department_id',
          'd.name as department_name',
          'g.code as category_code',
          'g.name as category_name',
        ])
        .where('c.received_at', '>=', dayStart(from))
        .where('c.received_at', '<', new Date(dayStart(to).getTime() + 86_400_000));
      if (wardId) q = q.where('c.ward_id', '=', wardId);
      const [rows, ward] = await Promise.all([
        q.execute(),
        wardId
          ? db.selectFrom('wards').select('name').where('id', '=', wardId).executeTakeFirst()
          : undefined,
      ]);

      const calendars = await loadWardCalendars(db, [...new Set(rows.map((r) => r.ward_id))]);
      const fallback = defaultCalendar();

      const keyed = (r: (typeof rows)[number]): Pick<ReportCase, 'key' | 'name'> => {
        switch (query.groupBy) {
          case 'department':
            return {
              key: r.department_id,
              // Departments belong to one ward: across the city, say which.
              name:
                r.department_name === null
                  ? null
                  : wardId
                    ? r.department_name
                    : `${r.department_name} (${r.ward_code})`,
            };
          case 'category':
            return { key: r.category_code, name: r.category_name };
          case 'channel':
            return { key: r.channel, name: channelNames[r.channel] };
        }
      };
      const cases: ReportCase[] = rows.map((r) => ({
        wardId: r.ward_id,
        ...keyed(r),
        status: r.status,
        assignedAt: r.assigned_at,
        answeredAt: r.answered_at,
        dueAt: r.due_at,
        acceptDueAt: r.accept_due_at,
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
