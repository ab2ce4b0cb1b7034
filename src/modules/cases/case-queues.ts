import { type SelectQueryBuilder, sql } from 'kysely';
import type { Conn } from '../../db/database.ts';
import type { CaseStatus, Database } from '../../db/types.ts';
import { scoped, selectCases } from './case-repository.ts';
import type { CaseScope } from './case-scope.ts';
import { answerClockRunning } from './status-labels.ts';

/**
 * The work queues of the console (issue 17) as queries over the caller's case scope — the same scope
 * as every other case read. Each is a status the planner can find through `cases_ward_status_idx` or
 * `cases_ward_open_idx` (`cases_department_idx` for a department), ordered by the date that says
 * what comes first; the EXPLAINs are in the report of the change that added them.
 *
 * - `triage`: waiting for the ward office's classification, by accept deadline;
 * - `returned`: of those, the ones a department sent back as out of its remit (a `returned` event:
 *   the only way back to `received`), by accept deadline — the clock kept running;
 * - `review`: answered, waiting for the ward office to close or refuse the answer, oldest answer first;
 * - `overdue`: with a department and past the answer deadline, the latest first;
 * - `department`: the department's open cases by answer deadline, paused ones last.
 */
export const queueKinds = ['triage', 'returned', 'review', 'overdue', 'department'] as const;
export type QueueKind = (typeof queueKinds)[number];

type CaseQuery = ReturnType<typeof selectCases>;

const departmentOpen: readonly CaseStatus[] = ['assigned', 'in_progress', 'awaiting_info'];

/** Whether the case has been returned by a department (case_events_case_idx: a probe per case). */
const wasReturned = sql<boolean>`EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = cases.id AND e.type = 'returned')`;

/** Past the answer deadline with the clock running (isOverdue in case-view.ts, for the department's part). */
const answerOverdue = (now: Date) =>
  sql<boolean>`(cases.status IN ('assigned', 'in_progress') AND cases.due_at < ${now})`;

export function queueQuery(db: Conn, scope: CaseScope, kind: QueueKind, now: Date): CaseQuery {
  const base = scoped(selectCases(db), scope);
  switch (kind) {
    case 'triage':
      return base.where('cases.status', '=', 'received').orderBy('cases.accept_due_at', 'asc');
    case 'returned':
      return base
        .where('cases.status', '=', 'received')
        .where(wasReturned)
        .orderBy('cases.accept_due_at', 'asc');
    case 'review':
      return base.where('cases.status', '=', 'answered').orderBy('cases.answered_at', 'asc');
    case 'overdue':
      return base
        .where('cases.status', 'in', answerClockRunning)
        .where('cases.due_at', '<', now)
        .orderBy('cases.due_at', 'asc');
    case 'department':
      return base
        .where('cases.status', 'in', departmentOpen)
        .orderBy(sql`cases.paused_at IS NOT NULL`)
        .orderBy(sql`cases.due_at ASC NULLS LAST`);
  }
}

/** How many cases each queue holds, in one pass over the scope's cases of the statuses concerned. */
export async function queueCounts(db: Conn, scope: CaseScope, now: Date): Promise<Record<QueueKind, number>> {
  const q = scoped(selectCases(db), scope) as unknown as SelectQueryBuilder<Database, 'cases', object>;
  const row = await q
    .clearSelect()
    .select([
      sql<string>`count(*) FILTER (WHERE cases.status = 'received')`.as('triage'),
      sql<string>`count(*) FILTER (WHERE cases.status = 'received' AND ${wasReturned})`.as('returned'),
      sql<string>`count(*) FILTER (WHERE cases.status = 'answered')`.as('review'),
      sql<string>`count(*) FILTER (WHERE ${answerOverdue(now)})`.as('overdue'),
      sql<string>`count(*) FILTER (WHERE cases.status IN ('assigned', 'in_progress', 'awaiting_info'))`.as(
        'department',
      ),
    ])
    .where('cases.status', 'in', ['received', 'answered', ...departmentOpen])
    .executeTakeFirstOrThrow();
  return {
    triage: Number(row.triage),
    returned: Number(row.returned),
    review: Number(row.review),
    overdue: Number(row.overdue),
    department: Number(row.department),
  };
}

/** The latest return of each case: when, by which department, why (the `returned` event's data). */
export async function latestReturns(db: Conn, caseIds: string[]) {
  const out = new Map<string, { at: Date; departmentName: string | null; note: string | null }>();
  if (caseIds.length === 0) return out;
  const rows = await db
    .selectFrom('case_events as e')
    .leftJoin('departments as d', (j) =>
      j.on(sql`d.id`, '=', sql`nullif(e.data->>'departmentId', '')::bigint`),
    )
    .select(['e.case_id', 'e.at', 'e.data', 'd.name'])
    .distinctOn('e.case_id')
    .where('e.case_id', 'in', caseIds)
    .where('e.type', '=', 'returned')
    .orderBy('e.case_id')
    .orderBy('e.id', 'desc')
    .execute();
  for (const r of rows) {
    const note = (r.data as { note?: unknown }).note;
    out.set(r.case_id, { at: r.at, departmentName: r.name, note: typeof note === 'string' ? note : null });
  }
  return out;
}

/**
 * The scope's overdue cases per department: how many, the department's name and its heads (who
 * answer to the chairman for it, design.md §1). Largest first.
 */
export async function overdueGroups(db: Conn, scope: CaseScope, now: Date) {
  const q = scoped(selectCases(db), scope) as unknown as SelectQueryBuilder<Database, 'cases', object>;
  const groups = await q
    .clearSelect()
    .innerJoin('departments as d', 'd.id', 'cases.department_id')
    .select(['d.id', 'd.name', sql<string>`count(*)`.as('count')])
    .where('cases.status', 'in', answerClockRunning)
    .where('cases.due_at', '<', now)
    .groupBy(['d.id', 'd.name'])
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('d.name')
    .execute();
  const heads = groups.length
    ? await db
        .selectFrom('users')
        .select(['department_id', 'full_name'])
        .where(
          'department_id',
          'in',
          groups.map((g) => g.id),
        )
        .where('role', '=', 'department_head')
        .where('active', '=', true)
        .orderBy('full_name')
        .execute()
    : [];
  return groups.map((g) => ({
    departmentId: g.id,
    name: g.name,
    count: Number(g.count),
    heads: heads.filter((h) => h.department_id === g.id).map((h) => h.full_name),
  }));
}
