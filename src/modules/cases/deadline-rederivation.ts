import { sql, type Transaction } from 'kysely';
import type { Clock, Database } from '../../db/types.ts';
import type { DaysOffChange } from '../sla/calendar-service.ts';
import { rederiveDeadlines } from '../sla/deadlines.ts';
import { dayNumberOf, localToInstant } from '../sla/local-day.ts';
import { currentGenerationTimers, replaceTimers } from '../sla/timer-repository.ts';
import { insertEvent } from './case-repository.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;

/**
 * Re-derives the deadlines of the ward's cases whose clock runs and that the changed days can move,
 * inside the caller's transaction (the change of schedule commits with them): each moved case gets
 * its new deadlines, a new SLA generation with its ladder (so escalations follow exactly once), a new
 * version, and a `deadline_recalculated` event saying why. Returns how many cases moved.
 */
export async function rederiveCaseDeadlines(
  trx: Transaction<Database>,
  change: DaysOffChange,
): Promise<number> {
  const [firstDay] = change.changedDays;
  if (firstDay === undefined) return 0;
  const from = new Date(localToInstant(change.after.timezone, dayNumberOf(firstDay) as number, 0));
  const rows = await trx
    .selectFrom('cases as c')
    .leftJoin('categories as g', 'g.id', 'c.category_id')
    .select([
      'c.id',
      'c.status',
      'c.urgency',
      'c.accept_due_at',
      'c.due_at',
      'c.sla_generation',
      'c.version',
      'g.sla_normal_clock',
      'g.sla_urgent_clock',
    ])
    .where('c.ward_id', '=', change.wardId)
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

  let moved = 0;
  for (const row of rows) {
    const received = row.status === 'received';
    const running = {
      acceptDueAt: received ? row.accept_due_at : null,
      dueAt: received ? null : row.due_at,
    };
    const answerClock = (row.urgency === 'urgent' ? row.sla_urgent_clock : row.sla_normal_clock) ?? 'working';
    const generation = timers.get(row.id);
    const next = rederiveDeadlines({
      before: change.before,
      after: change.after,
      policy: change.policy,
      running,
      clocks: { acceptDueAt: change.policy.acceptWithin.clock, dueAt: answerClock as Clock },
      setAt: generation?.setAt ?? change.now,
      now: change.now,
      firedSteps: generation?.fired ?? new Set(),
    });
    if (!next) continue;
    const slaGeneration = row.sla_generation + 1;
    await trx
      .updateTable('cases')
      .set({
        ...(received ? { accept_due_at: next.running.acceptDueAt } : { due_at: next.running.dueAt }),
        sla_generation: slaGeneration,
        version: row.version + 1,
        updated_at: change.now,
      })
      .where('id', '=', row.id)
      .execute();
    await insertEvent(trx, row.id, {
      type: 'deadline_recalculated',
      actor_type: 'user',
      actor_user_id: change.actorUserId,
      actor_api_client_id: null,
      from_status: row.status,
      to_status: row.status,
      data: {
        reason: change.reason,
        ...change.data,
        changedDays: change.changedDays,
        previous: { acceptDueAt: iso(running.acceptDueAt), dueAt: iso(running.dueAt) },
        acceptDueAt: iso(next.running.acceptDueAt),
        dueAt: iso(next.running.dueAt),
      },
    });
    await replaceTimers(trx, row.id, slaGeneration, next.timers);
    moved++;
  }
  return moved;
}
