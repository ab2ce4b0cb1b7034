import { LRUCache } from 'lru-cache';
import type { Db } from '../../db/database.ts';
import type { Clock } from '../../db/types.ts';
import { conflict } from '../../shared/errors.ts';
import type { Publication } from '../directory/publication.ts';
import type { WardCalendar } from '../sla/calendar.ts';
import { calendarFromParts, confirmedYearsOf } from '../sla/calendar-repository.ts';
import type { CategorySla } from '../sla/deadlines.ts';
import { defaultEscalationPolicy, type EscalationPolicy } from '../sla/escalation-policy.ts';

export type IntakeContext = {
  ward: { id: string; code: string; active: boolean };
  category: {
    id: string;
    code: string;
    name: string;
    /** A deactivated category takes no new case; its existing cases keep it. */
    active: boolean;
    sla: CategorySla;
    defaultDepartmentCode: string | null;
    defaultDepartmentId: string | null;
    defaultDepartmentName: string | null;
    /** Whether the default department (in this ward) takes new cases. */
    defaultDepartmentActive: boolean;
    publication: Publication;
  } | null;
  calendar: WardCalendar;
  policy: EscalationPolicy;
};

export type IntakeContextLoader = ReturnType<typeof createIntakeContextLoader>;

/**
 * Everything intake needs to know about a ward and a category, in one query. Results are kept for a
 * few seconds (REFERENCE_CACHE_TTL_MS): directory data changes rarely and intake is the hot path.
 * Misses (unknown ward or category) are never cached, so a ward created a moment ago is found.
 */
export function createIntakeContextLoader(deps: { db: Db; ttlMs: number }) {
  const cache = new LRUCache<string, IntakeContext>({ max: 5_000, ttl: Math.max(deps.ttlMs, 1) });
  const fallbackPolicy = defaultEscalationPolicy();

  async function load(wardCode: string, categoryCode: string | undefined): Promise<IntakeContext | null> {
    const row = await deps.db
      .selectFrom('wards as w')
      .leftJoin('ward_calendars as wc', 'wc.ward_id', 'w.id')
      .leftJoin('escalation_policies as ep', 'ep.ward_id', 'w.id')
      .leftJoin('categories as c', (j) => j.on('c.code', '=', categoryCode ?? null))
      .leftJoin('departments as d', (j) =>
        j.onRef('d.ward_id', '=', 'w.id').onRef('d.code', '=', 'c.default_department_code'),
      )
      .select([
        'w.id as ward_id',
        'w.code as ward_code',
        'w.active as ward_active',
        'wc.calendar',
        confirmedYearsOf('w.id').as('calendar_years'),
        'ep.policy',
        'c.id as category_id',
        'c.code as category_code',
        'c.name as category_name',
        'c.active as category_active',
        'c.sla_normal_duration',
        'c.sla_normal_clock',
        'c.sla_urgent_duration',
        'c.sla_urgent_clock',
        'c.default_department_code',
        'c.publication',
        'd.id as department_id',
        'd.name as department_name',
        'd.active as department_active',
      ])
      .where('w.code', '=', wardCode)
      .executeTakeFirst();
    if (!row) return null;

    // The same calendar object while unchanged, so the working-time arithmetic keeps its compiled form.
    const calendar = calendarFromParts(row.calendar, row.calendar_years);
    return {
      ward: { id: row.ward_id, code: row.ward_code, active: row.ward_active },
      category: row.category_id
        ? {
            id: row.category_id,
            code: row.category_code as string,
            name: row.category_name as string,
            active: row.category_active as boolean,
            sla: {
              normal: { duration: row.sla_normal_duration as string, clock: row.sla_normal_clock as Clock },
              urgent: { duration: row.sla_urgent_duration as string, clock: row.sla_urgent_clock as Clock },
            },
            defaultDepartmentCode: row.default_department_code,
            defaultDepartmentId: row.department_id,
            defaultDepartmentName: row.department_name,
            defaultDepartmentActive: row.department_active ?? false,
            publication: row.publication as Publication,
          }
        : null,
      calendar,
      policy: (row.policy as EscalationPolicy | null) ?? fallbackPolicy,
    };
  }

  return {
    async get(wardCode: string, categoryCode: string | undefined): Promise<IntakeContext | null> {
      const key = `${wardCode}\u0000${categoryCode ?? ''}`;
      const hit = cache.get(key);
      if (hit) return hit;
      const ctx = await load(wardCode, categoryCode);
      // Only fully resolved answers are kept: a category or department added a moment ago must be seen.
      const c = ctx?.category;
      const complete =
        categoryCode === undefined ||
        (c && (c.defaultDepartmentCode === null || c.defaultDepartmentId !== null));
      if (ctx && complete) cache.set(key, ctx);
      return ctx;
    },
    /** Forget what this process knows, after it changed a calendar, policy or category itself. */
    clear: () => cache.clear(),
  };
}

/**
 * What a new case may not be filed under (409, saying what to fix): a deactivated ward, a deactivated
 * category, or a category whose default department in the ward is deactivated — until an admin points
 * the category at another department. Cases already filed keep all of these.
 */
export function refuseRetired(ctx: IntakeContext): void {
  if (!ctx.ward.active)
    throw conflict(
      `Phường/xã ${ctx.ward.code} đã ngừng hoạt động trên hệ thống, không tiếp nhận phản ánh mới.`,
      'ward-inactive',
    );
  const c = ctx.category;
  if (!c) return;
  if (!c.active)
    throw conflict(
      `Lĩnh vực "${c.name}" (${c.code}) đã ngừng sử dụng, không nhận phản ánh mới; hãy chọn lĩnh vực khác.`,
      'category-inactive',
    );
  if (c.defaultDepartmentId !== null && !c.defaultDepartmentActive)
    throw conflict(
      `Lĩnh vực "${c.name}" (${c.code}) đang chuyển mặc định cho đơn vị "${c.defaultDepartmentName}" đã ngừng hoạt động. ` +
        `Quản trị viên cần chọn đơn vị mặc định khác cho lĩnh vực này (defaultDepartmentCode) hoặc mở lại đơn vị.`,
      'default-department-inactive',
    );
}
