import type { Conn } from '../../db/database.ts';
import { unassignedName } from '../reports/sla-report.ts';
import type { WardCalendar } from '../sla/calendar.ts';
import { calendarFromParts, confirmedYearsOf } from '../sla/calendar-repository.ts';
import { buildDigest, type Digest, type DigestDepartmentRow, unansweredStatuses } from './digest-content.ts';

/** The wards with what the digest's schedule needs: their time zone and when they were set up. */
export async function wardsForDigest(db: Conn) {
  const rows = await db
    .selectFrom('wards as w')
    .leftJoin('ward_calendars as wc', 'wc.ward_id', 'w.id')
    .select(['w.id', 'w.name', 'w.created_at', 'wc.calendar', confirmedYearsOf('w.id').as('years')])
    .orderBy('w.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    createdAt: r.created_at,
    calendar: calendarFromParts(r.calendar, r.years),
  }));
}

/** A ward's digest as of `now`: its unanswered cases by department, with who answers for each. */
export async function loadDigest(
  db: Conn,
  ward: { id: string; name: string; calendar: WardCalendar },
  now: Date,
): Promise<Digest> {
  const [cases, departments, people] = await Promise.all([
    db
      .selectFrom('cases')
      .select([
        'id',
        'code',
        'title',
        'reporter_name',
        'reporter_confidential',
        'status',
        'department_id',
        'received_at',
        'accept_due_at',
        'due_at',
      ])
      .where('ward_id', '=', ward.id)
      .where('status', 'in', unansweredStatuses)
      .execute(),
    db.selectFrom('departments').select(['id', 'name']).where('ward_id', '=', ward.id).execute(),
    db
      .selectFrom('users')
      .select(['full_name', 'role', 'department_id'])
      .where('ward_id', '=', ward.id)
      .where('active', '=', true)
      .where('role', 'in', ['department_head', 'intake'])
      .orderBy('full_name')
      .execute(),
  ]);
  const heads = (departmentId: string | null) =>
    people
      .filter((p) =>
        departmentId === null
          ? p.role === 'intake'
          : p.role === 'department_head' && p.department_id === departmentId,
      )
      .map((p) => p.full_name);
  const rows: DigestDepartmentRow[] = departments.map((d) => ({
    id: d.id,
    name: d.name,
    heads: heads(d.id),
  }));
  rows.push({ id: null, name: unassignedName, heads: heads(null) });
  return buildDigest({
    ward,
    calendar: ward.calendar,
    departments: rows,
    now,
    cases: cases.map((c) => ({
      id: c.id,
      code: c.code,
      title: c.title,
      reporterName: c.reporter_name,
      confidential: c.reporter_confidential,
      status: c.status,
      departmentId: c.department_id,
      receivedAt: c.received_at,
      acceptDueAt: c.accept_due_at,
      dueAt: c.due_at,
    })),
  });
}
