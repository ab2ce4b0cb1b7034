import { sql } from 'kysely';
import type { Conn } from '../../db/database.ts';
import type { Timer } from './deadlines.ts';

/**
 * Replaces a case's pending timers by those of its new SLA generation, inside the caller's
 * transaction (the outbox of design.md §5). A step that already fired for the same due time (say the
 * ward office refused an answer and the same deadline runs again) is not armed twice.
 */
export function replaceTimers(db: Conn, caseId: string, generation: number, timers: Timer[]): Promise<void> {
  return replaceTimersOf(db, [{ caseId, generation, timers }]);
}

/** `replaceTimers` for many cases at once: two statements however many there are. */
export async function replaceTimersOf(
  db: Conn,
  cases: { caseId: string; generation: number; timers: Timer[] }[],
): Promise<void> {
  if (cases.length === 0) return;
  await db
    .updateTable('case_timers')
    .set({ status: 'cancelled' })
    .where('case_id', '=', sql<string>`ANY(${cases.map((c) => c.caseId)}::bigint[])`)
    .where('status', '=', 'pending')
    .execute();
  const rows = cases.flatMap((c) =>
    c.timers.map((t) => ({ case_id: c.caseId, step: t.step, generation: c.generation, due_at: t.dueAt })),
  );
  if (rows.length === 0) return;
  await sql`
    INSERT INTO case_timers (case_id, step, generation, due_at)
    SELECT x.case_id, x.step, x.generation, x.due_at
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS x(case_id bigint, step text, generation integer, due_at timestamptz)
    WHERE NOT EXISTS (
      SELECT 1 FROM escalations e WHERE e.case_id = x.case_id AND e.step = x.step AND e.due_at = x.due_at
    )
    ON CONFLICT (case_id, step, generation) DO NOTHING
  `.execute(db);
}

/**
 * The timers of each case's current SLA generation: when that generation's deadlines were set (the
 * timers are written in the same transaction) and which of its steps have fired.
 */
export async function currentGenerationTimers(
  db: Conn,
  cases: { id: string; generation: number }[],
): Promise<Map<string, { setAt: Date; fired: Set<string> }>> {
  const out = new Map<string, { setAt: Date; fired: Set<string> }>();
  if (cases.length === 0) return out;
  const { rows } = await sql<{ case_id: string; step: string; status: string; created_at: Date }>`
    SELECT t.case_id, t.step, t.status, t.created_at
    FROM case_timers t
    JOIN jsonb_to_recordset(${JSON.stringify(cases)}::jsonb) AS x(id bigint, generation integer)
      ON x.id = t.case_id AND x.generation = t.generation
  `.execute(db);
  for (const r of rows) {
    const entry = out.get(r.case_id) ?? { setAt: r.created_at, fired: new Set<string>() };
    if (r.created_at < entry.setAt) entry.setAt = r.created_at;
    if (r.status === 'fired') entry.fired.add(r.step);
    out.set(r.case_id, entry);
  }
  return out;
}
