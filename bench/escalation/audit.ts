/**
 * What bench/escalation reads from Postgres after the engine's window: the lag of each escalation
 * (fired_at − due_at), duplicates of every kind, misses, how the near timers ended, and whether any
 * far timer (days away) was handed to Redis or fired.
 */
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import { lagBySecond } from './measure.ts';

/** Timers matching `where`. */
export async function countTimers(db: Db, where: ReturnType<typeof sql>) {
  const r = await sql<{ n: string }>`SELECT count(*)::text AS n FROM case_timers WHERE ${where}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** The engine's phase as Postgres recorded it; `windowStart` (ms) is the first due time. */
export async function auditEngine(db: Db, windowStart: number) {
  const near = sql`t.due_at < now() + interval '1 day'`;
  const lagRows = await sql<{ lag: number; due: number }>`
    SELECT (extract(epoch FROM e.fired_at - t.due_at) * 1000)::float8 AS lag,
           (extract(epoch FROM t.due_at) * 1000)::float8 AS due
    FROM case_timers t JOIN escalations e USING (case_id, step, generation)
    WHERE ${near}
  `.execute(db);
  const lags = lagRows.rows.map((r) => r.lag);
  const lagByDueSecond = lagBySecond(
    lagRows.rows.map((r) => r.due - windowStart),
    lags,
  );
  const one = async (q: ReturnType<typeof sql>) =>
    Number((await sql<{ n: string }>`SELECT (${q})::text AS n`.execute(db)).rows[0]?.n ?? 0);
  const duplicates = {
    escalationsPerKey: await one(
      sql`SELECT count(*) FROM (SELECT 1 FROM escalations GROUP BY case_id, step, generation HAVING count(*) > 1) x`,
    ),
    escalationsPerCase: await one(
      sql`SELECT count(*) FROM (SELECT 1 FROM escalations GROUP BY case_id HAVING count(*) > 1) x`,
    ),
    notificationsPerEscalationUser: await one(
      sql`SELECT count(*) FROM (SELECT 1 FROM notifications GROUP BY escalation_id, user_id HAVING count(*) > 1) x`,
    ),
    notificationsPerUserCase: await one(
      sql`SELECT count(*) FROM (SELECT 1 FROM notifications GROUP BY user_id, case_id HAVING count(*) > 1) x`,
    ),
  };
  const notifications = await one(sql`SELECT count(*) FROM notifications`);
  const escalations = await one(sql`SELECT count(*) FROM escalations`);
  const misses = await one(sql`
    SELECT count(*) FROM case_timers t
    WHERE ${near} AND NOT EXISTS (
      SELECT 1 FROM escalations e WHERE (e.case_id, e.step, e.generation) = (t.case_id, t.step, t.generation)
    )`);
  const nearByStatus = await sql<{ status: string; n: string }>`
    SELECT status, count(*)::text AS n FROM case_timers t WHERE ${near} GROUP BY status
  `.execute(db);
  const farFired = await one(
    sql`SELECT count(*) FROM case_timers t WHERE NOT (${near}) AND status <> 'pending'`,
  );
  const farEnqueuedEnd = await one(
    sql`SELECT count(*) FROM case_timers t WHERE NOT (${near}) AND enqueued_at IS NOT NULL`,
  );
  return {
    lags,
    lagByDueSecond,
    /** Escalations per second from the first due time to the last firing (capacity when a backlog formed). */
    drainPerS: Math.round(
      lags.length /
        Math.max(
          0.001,
          (lagRows.rows.reduce((m, r) => Math.max(m, r.due + r.lag), windowStart) - windowStart) / 1000,
        ),
    ),
    duplicates,
    duplicateTotal: Object.values(duplicates).reduce((a, b) => a + b, 0),
    notifications,
    escalations,
    misses,
    nearTimersByStatus: Object.fromEntries(nearByStatus.rows.map((r) => [r.status, Number(r.n)])),
    farFired,
    farEnqueuedEnd,
  };
}
