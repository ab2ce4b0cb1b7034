import { LRUCache } from 'lru-cache';
import type { Db } from '../../db/database.ts';
import type { Clock } from '../../db/types.ts';
import type { Publication } from '../directory/publication.ts';
import type { WardCalendar } from '../sla/calendar.ts';
import { calendarFromParts, confirmedYearsOf } from '../sla/calendar-repository.ts';
import type { CategorySla } from '../sla/deadlines.ts';
import { defaultEscalationPolicy, type EscalationPolicy } from '../sla/escalation-policy.ts';

export type IntakeContext = {
  ward: { id: string; code: string };
  category: {
    id: string;
    code: string;
    sla: CategorySla;
    defaultDepartmentCode: string | null;
    defaultDepartmentId: string | null;
    defaultDepartmentName: string | null;
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
        'wc.calendar',
        confirmedYearsOf('w.id').as('calendar_years'),
        'ep.policy',
        'c.id as category_id',
        'c.code as category_code',
        'c.sla_normal_duration',
        'c.sla_normal_clock',
        'c.sla_urgent_duration',
        'c.sla_urgent_clock',
        'c.default_department_code',
        'c.publication',
        'd.id as department_id',
        'd.name as department_name',
      ])
      .where('w.code', '=', wardCode)
      .executeTakeFirst();
    if (!row) return null;

    // The same calendar object while unchanged, so the working-time arithmetic keeps its compiled form.
    const calendar = calendarFromParts(row.calendar, row.calendar_years);
    return {
      ward: { id: row.ward_id, code: row.ward_code },
      category: row.category_id
        ? {
            id: row.category_id,
            code: row.category_code as string,
            sla: {
              normal: { duration: row.sla_normal_duration as string, clock: row.sla_normal_clock as Clock },
              urgent: { duration: row.sla_urgent_duration as string, clock: row.sla_urgent_clock as Clock },
            },
            defaultDepartmentCode: row.default_department_code,
            defaultDepartmentId: row.department_id,
            defaultDepartmentName: row.department_name,
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
