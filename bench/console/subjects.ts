/**
 * Who and what bench/console asks for, picked from the seeded city: the busiest ward (or `--ward`), its
 * staff (an intake officer, the head of the department with the most open cases, the chairman, as
 * bench/seed named them), cases of the ward to open (a random spread and those with the longest
 * timelines) and the ward's counts.
 */
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';

export type Subjects = Awaited<ReturnType<typeof pickSubjects>>;

async function username(db: Db, wardId: string, role: string, departmentId?: string) {
  const row = await sql<{ username: string }>`
    SELECT username FROM users
    WHERE ward_id = ${wardId} AND role = ${role} AND active
      ${departmentId ? sql`AND department_id = ${departmentId}` : sql``}
    ORDER BY id LIMIT 1`.execute(db);
  const name = row.rows[0]?.username;
  if (!name) throw new Error(`no active ${role} in ward ${wardId}`);
  return name;
}

export async function pickSubjects(db: Db, o: { ward: string; cases: number; longest: number }) {
  const wardRow = await sql<{ id: string; code: string; name: string; n: number }>`
    SELECT w.id, w.code, w.name, count(*)::int AS n FROM cases c JOIN wards w ON w.id = c.ward_id
    ${o.ward ? sql`WHERE w.code = ${o.ward.toUpperCase()}` : sql``}
    GROUP BY w.id ORDER BY n DESC LIMIT 1`.execute(db);
  const ward = wardRow.rows[0];
  if (!ward) throw new Error(`no ward ${o.ward}`);
  /** The department whose queue is longest: the head's queue page at its heaviest. */
  const dept = (
    await sql<{ id: string; code: string; name: string; open: number }>`
      SELECT d.id, d.code, d.name, count(*)::int AS open FROM cases c JOIN departments d ON d.id = c.department_id
      WHERE c.ward_id = ${ward.id} AND c.status IN ('assigned', 'in_progress', 'awaiting_info')
      GROUP BY d.id ORDER BY open DESC LIMIT 1`.execute(db)
  ).rows[0];
  if (!dept) throw new Error(`ward ${ward.code} has no open department cases`);
  const users = {
    intake: await username(db, ward.id, 'intake'),
    head: await username(db, ward.id, 'department_head', dept.id),
    chairman: await username(db, ward.id, 'chairman'),
  };
  /** A random spread of the ward's cases (a different one each round). */
  const spread = (
    await sql<{ id: string }>`
      SELECT id::text FROM cases TABLESAMPLE SYSTEM (5) WHERE ward_id = ${ward.id} LIMIT ${o.cases}`.execute(
      db,
    )
  ).rows.map((r) => r.id);
  /** The ward's cases with the longest timelines: the case page at its heaviest. */
  const longest = (
    await sql<{ id: string; events: number }>`
      SELECT e.case_id::text AS id, count(*)::int AS events
      FROM case_events e JOIN cases c ON c.id = e.case_id
      WHERE c.ward_id = ${ward.id}
      GROUP BY e.case_id ORDER BY events DESC, e.case_id LIMIT ${o.longest}`.execute(db)
  ).rows;
  const counts = (
    await sql<{ total: number; triage: number; lastYear: number; lastMonth: number }>`
      SELECT count(*)::int AS total,
             count(*) FILTER (WHERE status = 'received')::int AS triage,
             count(*) FILTER (WHERE received_at >= now() - interval '365 days')::int AS "lastYear",
             count(*) FILTER (WHERE received_at >= now() - interval '30 days')::int AS "lastMonth"
      FROM cases WHERE ward_id = ${ward.id}`.execute(db)
  ).rows[0];
  const totalCases = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM cases`.execute(db)).rows[0]?.n;
  return { ward, dept, users, spread, longest, counts, totalCases };
}
