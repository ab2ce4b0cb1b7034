import { sql, type Transaction } from 'kysely';
import type { Conn } from '../../db/database.ts';
import type { CaseStatus, Database } from '../../db/types.ts';

type TimerToEnqueue = { id: string; delayMs: number };

/**
 * Claims pending timers due within the horizon that the queue has not been given yet, soonest first,
 * by marking them `enqueued_at` in one statement. Rows another scheduler (a replica) is claiming are
 * skipped, not waited for, so replicas share the work without handing a timer over twice. The delay
 * is computed by Postgres, the clock that also decides whether a timer is due.
 */
export async function claimTimersToEnqueue(
  db: Conn,
  horizonMs: number,
  limit: number,
): Promise<TimerToEnqueue[]> {
  const result = await sql<{ id: string; delay_ms: number }>`
    UPDATE case_timers SET enqueued_at = now()
    WHERE id IN (
      SELECT id FROM case_timers
      WHERE status = 'pending' AND enqueued_at IS NULL
        AND due_at <= now() + make_interval(secs => ${horizonMs / 1000})
      ORDER BY due_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING id, (extract(epoch from (due_at - now())) * 1000)::float8 AS delay_ms
  `.execute(db);
  return result.rows.map((r) => ({ id: r.id, delayMs: Math.max(0, Math.round(r.delay_ms)) }));
}

/** Undoes a claim whose jobs could not be added (Redis away): the next tick claims them again. */
export async function releaseTimers(db: Conn, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('case_timers')
    .set({ enqueued_at: null })
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .execute();
}

/**
 * Timers that are due and still pending: normally only those whose job is about to run; after a
 * worker crash or a Redis loss, also those whose job is gone. Ids after `afterId` in (due_at, id)
 * order, so a long backlog is walked in pages.
 */
export async function dueUnfiredTimers(
  db: Conn,
  limit: number,
  after?: { dueAt: Date; id: string },
): Promise<Array<{ id: string; due_at: Date }>> {
  let q = db
    .selectFrom('case_timers')
    .select(['id', 'due_at'])
    .where('status', '=', 'pending')
    .where('due_at', '<=', sql<Date>`now()`)
    .orderBy('due_at')
    .orderBy('id')
    .limit(limit);
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('due_at', '>', after.dueAt),
        eb.and([eb('due_at', '=', after.dueAt), eb('id', '>', after.id)]),
      ]),
    );
  return q.execute();
}

/** After Redis lost its data: every pending timer must be handed to the queue again. */
export async function forgetEnqueued(db: Conn): Promise<number> {
  const result = await db
    .updateTable('case_timers')
    .set({ enqueued_at: null })
    .where('status', '=', 'pending')
    .where('enqueued_at', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

type EscalationCase = {
  id: string;
  code: string;
  ward_id: string;
  ward_code: string;
  department_id: string | null;
  department_name: string | null;
  status: CaseStatus;
  sla_generation: number;
  accept_due_at: Date | null;
  due_at: Date | null;
  /** The ward's escalation ladder as stored (null: the default ladder). */
  policy: unknown;
};

/**
 * The case a timer belongs to, share-locked, with its department's name and its ward's ladder. A
 * workflow action on the case (which holds the row for update, then replaces the timers) either
 * commits before this read or waits until the escalation commits. Case before timer: the order the
 * workflow takes its locks in, so the two never deadlock.
 */
export function lockCaseOfTimer(
  trx: Transaction<Database>,
  timerId: string,
): Promise<EscalationCase | undefined> {
  return trx
    .selectFrom('cases')
    .innerJoin('wards', 'wards.id', 'cases.ward_id')
    .leftJoin('departments', 'departments.id', 'cases.department_id')
    .leftJoin('escalation_policies', 'escalation_policies.ward_id', 'cases.ward_id')
    .select([
      'cases.id',
      'cases.code',
      'cases.ward_id',
      'wards.code as ward_code',
      'cases.department_id',
      'departments.name as department_name',
      'cases.status',
      'cases.sla_generation',
      'cases.accept_due_at',
      'cases.due_at',
      'escalation_policies.policy',
    ])
    .where('cases.id', '=', (eb) => eb.selectFrom('case_timers').select('case_id').where('id', '=', timerId))
    .forShare('cases')
    .executeTakeFirst();
}

export function lockTimer(trx: Transaction<Database>, timerId: string) {
  return trx
    .selectFrom('case_timers')
    .select(['id', 'case_id', 'step', 'generation', 'due_at', 'status', sql<Date>`now()`.as('db_now')])
    .where('id', '=', timerId)
    .forUpdate()
    .executeTakeFirst();
}

export async function settleTimer(
  trx: Transaction<Database>,
  timerId: string,
  status: 'fired' | 'cancelled',
): Promise<void> {
  await trx
    .updateTable('case_timers')
    .set(status === 'fired' ? { status, fired_at: sql`now()` } : { status })
    .where('id', '=', timerId)
    .where('status', '=', 'pending')
    .execute();
}

/** The exactly-once guard: (case_id, step, generation) is unique, so a second attempt inserts nothing. */
export function insertEscalation(
  trx: Transaction<Database>,
  e: { caseId: string; step: string; generation: number; dueAt: Date },
) {
  return trx
    .insertInto('escalations')
    .values({ case_id: e.caseId, step: e.step, generation: e.generation, due_at: e.dueAt })
    .onConflict((oc) => oc.columns(['case_id', 'step', 'generation']).doNothing())
    .returning(['id', 'fired_at'])
    .executeTakeFirst();
}

export const listCaseEscalations = (db: Conn, caseId: string) =>
  db
    .selectFrom('escalations')
    .select(['step', 'due_at', 'fired_at', 'generation'])
    .where('case_id', '=', caseId)
    .orderBy('fired_at')
    .orderBy('id')
    .execute();

type EscalationLag = {
  /** Age of the oldest timer that is due and has not fired, in seconds (0 when none). */
  oldestDueSeconds: number;
  /** fired_at − due_at over the last `windowMinutes`, in seconds; null when nothing fired. */
  p50Seconds: number | null;
  maxSeconds: number | null;
  fired: number;
};

export async function escalationLag(db: Conn, windowMinutes = 10): Promise<EscalationLag> {
  const oldest = await db
    .selectFrom('case_timers')
    .select(sql<number | null>`extract(epoch from now() - min(due_at))::float8`.as('age'))
    .where('status', '=', 'pending')
    .where('due_at', '<=', sql<Date>`now()`)
    .executeTakeFirstOrThrow();
  const lag = sql<number>`extract(epoch from fired_at - due_at)`;
  const recent = await db
    .selectFrom('escalations')
    .select([
      sql<number | null>`percentile_cont(0.5) WITHIN GROUP (ORDER BY ${lag})::float8`.as('p50'),
      sql<number | null>`max(${lag})::float8`.as('max'),
      sql<string>`count(*)`.as('n'),
    ])
    .where('fired_at', '>', sql<Date>`now() - make_interval(mins => ${windowMinutes})`)
    .executeTakeFirstOrThrow();
  return {
    oldestDueSeconds: Math.max(0, oldest.age ?? 0),
    p50Seconds: recent.p50,
    maxSeconds: recent.max,
    fired: Number(recent.n),
  };
}
