import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../db/types.ts';
import type { Timer } from './deadlines.ts';

type Conn = Kysely<Database> | Transaction<Database>;

/**
 * Replaces a case's pending timers by those of its new SLA generation, inside the caller's
 * transaction (the outbox of design.md §5). A step that already fired for the same due time (say the
 * ward office refused an answer and the same deadline runs again) is not armed twice.
 */
export async function replaceTimers(
  db: Conn,
  caseId: string,
  generation: number,
  timers: Timer[],
): Promise<void> {
  await db
    .updateTable('case_timers')
    .set({ status: 'cancelled' })
    .where('case_id', '=', caseId)
    .where('status', '=', 'pending')
    .execute();
  if (timers.length === 0) return;
  await sql`
    INSERT INTO case_timers (case_id, step, generation, due_at)
    SELECT ${caseId}, x.step, ${generation}, x.due_at
    FROM jsonb_to_recordset(${JSON.stringify(timers.map((t) => ({ step: t.step, due_at: t.dueAt })))}::jsonb)
      AS x(step text, due_at timestamptz)
    WHERE NOT EXISTS (
      SELECT 1 FROM escalations e WHERE e.case_id = ${caseId} AND e.step = x.step AND e.due_at = x.due_at
    )
    ON CONFLICT (case_id, step, generation) DO NOTHING
  `.execute(db);
}
