/**
 * What bench/queries asks about, picked from the seeded city: the busiest ward (or `--ward`), its
 * street with the fewest cases, an old case code, a street of other wards that none of this ward's
 * cases mentions, cases to open, and the ward's counts.
 */
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';

/** Text as staff type it into the search box: accent-free, lower case. */
export const plain = (s: string) =>
  s.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase();

export async function pickSubjects(db: Db, o: { ward: string; cases: number }) {
  const wardRow = await sql<{ id: string; code: string; name: string; n: number }>`
    SELECT w.id, w.code, w.name, count(*)::int AS n FROM cases c JOIN wards w ON w.id = c.ward_id
    ${o.ward ? sql`WHERE w.code = ${o.ward.toUpperCase()}` : sql``}
    GROUP BY w.id ORDER BY n DESC LIMIT 1`.execute(db);
  const ward = wardRow.rows[0];
  if (!ward) throw new Error(`no ward ${o.ward}`);
  /** The ward's street with the fewest cases: a name staff look up, with matches sparse in the ward's list. */
  const streetRow = await sql<{ street: string; n: number }>`
    SELECT substring(location_address FROM '(?:đường|Đường) ([^,]+)') AS street, count(*)::int AS n
    FROM cases WHERE ward_id = ${ward.id} AND location_address ~ '(đường|Đường) '
    GROUP BY 1 HAVING count(*) >= 20 ORDER BY n ASC LIMIT 1`.execute(db);
  const street = streetRow.rows[0]?.street ?? 'Lạch Tray';
  /** Two searches outside the budget, to show the other side of the search plan: a case code, and a street of another ward. */
  const codeRow = await sql<{ code: string }>`
    SELECT code FROM cases WHERE ward_id = ${ward.id} AND received_at < now() - interval '90 days'
    ORDER BY id DESC LIMIT 1`.execute(db);
  const code = codeRow.rows[0]?.code ?? '';
  const otherStreets = await sql<{ street: string }>`
    SELECT DISTINCT substring(location_address FROM 'đường ([^,]+)') AS street
    FROM cases TABLESAMPLE SYSTEM (1) WHERE location_address LIKE '%đường %' AND ward_id <> ${ward.id}`.execute(
    db,
  );
  let absent = '';
  for (const { street: s } of otherStreets.rows) {
    const here = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM cases WHERE ward_id = ${ward.id} AND strpos(search_text, pakn_search_normalize(${s})) > 0`.execute(
      db,
    );
    if (s && here.rows[0]?.n === 0) {
      absent = s;
      break;
    }
  }
  const caseIds = (
    await sql<{ id: string }>`
      SELECT id::text FROM cases TABLESAMPLE SYSTEM (5) WHERE ward_id = ${ward.id} LIMIT ${o.cases}`.execute(
      db,
    )
  ).rows.map((r) => r.id);
  const counts = (
    await sql<{ total: number; overdue: number }>`
      SELECT count(*)::int AS total,
             count(*) FILTER (WHERE (status IN ('assigned', 'in_progress') AND due_at < now())
                                 OR (status = 'received' AND accept_due_at < now()))::int AS overdue
      FROM cases WHERE ward_id = ${ward.id}`.execute(db)
  ).rows[0];
  const totalCases = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM cases`.execute(db)).rows[0]?.n;
  return { ward, street, code, absent, caseIds, counts, totalCases };
}
