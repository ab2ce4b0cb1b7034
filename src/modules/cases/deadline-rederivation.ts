import { sql, type Transaction } from 'kysely';
import type { Clock, Database } from '../../db/types.ts';
import type { DaysOffChange, WardDaysOff } from '../sla/calendar-service.ts';
import { type RunningDeadlines, rederiveDeadlines, type Timer } from '../sla/deadlines.ts';
import { dayNumberOf, localToInstant } from '../sla/local-day.ts';
import { currentGenerationTimers, replaceTimersOf } from '../sla/timer-repository.ts';
import { insertEvents } from './case-repository.ts';

/** Cases written per round of statements (the events' insert binds 8 parameters a case). */
const CHUNK = 1_000;

const iso = (d: Date | null) => d?.toISOString() ?? null;

/**
 * Re-derives the deadlines of the cases whose clock runs and that the changed days of their ward can
 * move, inside the caller's transaction (the change of schedule commits with them): each moved case
 * gets its new deadlines, a new SLA generation with its ladder (so escalations follow exactly once),
 * a new version, and a `deadline_recalculated` event saying why. Every ward the change reaches is
 * handled at once (a city-wide change reaches them all). Returns how many cases moved.
 */
export async function rederiveCaseDeadlines(
  trx: Transaction<Database>,
  change: DaysOffChange,
): Promise<number> {
  const wards = new Map(change.wards.map((w) => [w.wardId, w]));
  const starts = change.wards.map((w) =>
    localToInstant(w.after.timezone, dayNumberOf(w.changedDays[0] as string) as number, 0),
  );
  if (starts.length === 0) return 0;
  // A case can move only if something it waits for (a deadline, or a step of its ladder) lies on or
  // after the first changed day.
  const from = new Date(Math.min(...starts));
  const rows = await trx
    .selectFrom('cases as c')
    .leftJoin('categories as g', 'g.id', 'c.category_id')
    .select([
      'c.id',
      'c.ward_id',
      'c.status',
      'c.urgency',
      'c.accept_due_at',
      'c.due_at',
      'c.sla_generation',
      'c.version',
      'g.sla_normal_clock',
      'g.sla_urgent_clock',
    ])
    .where('c.ward_id', '=', sql<string>`ANY(${[...wards.keys()]}::bigint[])`)
    .where('c.status', 'in', ['received', 'assigned', 'in_progress'])
    .where((eb) =>
      eb.or([
        eb('c.accept_due_at', '>=', from),
        eb('c.due_at', '>=', from),
        eb.exists(
          eb
            .selectFrom('case_timers as t')
            .select(sql`1`.as('one'))
            .whereRef('t.case_id', '=', 'c.id')
            .where('t.status', '=', 'pending')
            .where('t.due_at', '>=', from),
        ),
      ]),
    )
    .orderBy('c.id')
    .forUpdate('c')
    .execute();
  const timers = await currentGenerationTimers(
    trx,
    rows.map((r) => ({ id: r.id, generation: r.sla_generation })),
  );

  const moves: {
    row: (typeof rows)[number];
    ward: WardDaysOff;
    running: RunningDeadlines;
    next: RunningDeadlines;
    timers: Timer[];
  }[] = [];
  for (const row of rows) {
    const ward = wards.get(row.ward_id) as WardDaysOff;
    const received = row.status === 'received';
    const running = {
      acceptDueAt: received ? row.accept_due_at : null,
      dueAt: received ? null : row.due_at,
    };
    const answerClock = (row.urgency === 'urgent' ? row.sla_urgent_clock : row.sla_normal_clock) ?? 'working';
    const generation = timers.get(row.id);
    const next = rederiveDeadlines({
      before: ward.before,
      after: ward.after,
      policy: ward.policy,
      running,
      clocks: { acceptDueAt: ward.policy.acceptWithin.clock, dueAt: answerClock as Clock },
      setAt: generation?.setAt ?? change.now,
      now: change.now,
      firedSteps: generation?.fired ?? new Set(),
    });
    if (next) moves.push({ row, ward, running, next: next.running, timers: next.timers });
  }

  // Written in chunks of a few statements each, not four per case: a day off announced city-wide
  // for next week moves most open cases of every ward, all in the transaction that stores it.
  for (let i = 0; i < moves.length; i += CHUNK) {
    const chunk = moves.slice(i, i + CHUNK);
    await sql`
      UPDATE cases AS c
      SET accept_due_at = x.accept_due_at, due_at = x.due_at, sla_generation = x.generation,
          version = x.version, updated_at = ${change.now}
      FROM jsonb_to_recordset(${JSON.stringify(
        chunk.map(({ row, next }) => ({
          id: row.id,
          accept_due_at: row.status === 'received' ? next.acceptDueAt : row.accept_due_at,
          due_at: row.status === 'received' ? row.due_at : next.dueAt,
          generation: row.sla_generation + 1,
          version: row.version + 1,
        })),
      )}::jsonb) AS x(id bigint, accept_due_at timestamptz, due_at timestamptz, generation integer, version integer)
      WHERE c.id = x.id
    `.execute(trx);
    await insertEvents(
      trx,
      chunk.map(({ row, ward, running, next }) => ({
        caseId: row.id,
        event: {
          type: 'deadline_recalculated',
          actor_type: 'user',
          actor_user_id: change.actorUserId,
          actor_api_client_id: null,
          from_status: row.status,
          to_status: row.status,
          data: {
            reason: ward.reason,
            ...change.data,
            changedDays: ward.changedDays,
            previous: { acceptDueAt: iso(running.acceptDueAt), dueAt: iso(running.dueAt) },
            acceptDueAt: iso(next.acceptDueAt),
            dueAt: iso(next.dueAt),
          },
        },
      })),
    );
    await replaceTimersOf(
      trx,
      chunk.map(({ row, timers: t }) => ({ caseId: row.id, generation: row.sla_generation + 1, timers: t })),
    );
  }
  return moves.length;
}
