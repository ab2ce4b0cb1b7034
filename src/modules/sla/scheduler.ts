import type { JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db } from '../../db/database.ts';
import { escalationJobId, type Queues } from '../../shared/queues.ts';
import { tickSchedule } from '../../shared/tick.ts';
import {
  claimTimersToEnqueue,
  dueUnfiredTimers,
  forgetEnqueued,
  releaseTimers,
} from './escalation-repository.ts';

/** The BullMQ job scheduler entry whose jobs are the scheduler's ticks. */
const SWEEP_SCHEDULER_ID = 'escalation-sweep';

/** How many batches one tick moves at most, so a huge backlog cannot hold a tick for long. */
const MAX_BATCHES_PER_TICK = 20;

/**
 * A timer's job. Its id is derived from the timer, so adding it while it waits, is delayed or runs
 * adds nothing; it is removed once it completes or finally fails, so that the sweep can add it again
 * if the timer is still pending then (Postgres, not Redis, says whether it fired).
 */
export const escalationJobOptions = (timerId: string, delayMs: number): JobsOptions => ({
  jobId: escalationJobId(timerId),
  delay: Math.max(0, Math.round(delayMs)),
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: true,
  removeOnFail: true,
});

type TickResult = { enqueued: number; resent: number; ms: number };
export type TimerScheduler = ReturnType<typeof createTimerScheduler>;

/**
 * Moves durable timers (Postgres) into the `escalations` queue (Redis) shortly before they fall due,
 * and sweeps up those the queue lost (design.md §5, steps 2 and 4).
 *
 * - Each tick claims the pending timers due within the horizon that were never handed over (marking
 *   `enqueued_at`; FOR UPDATE SKIP LOCKED, so replicas share the work) and adds them as delayed jobs
 *   (delay = due − now). Timers further out stay in Postgres only.
 * - Each tick also re-adds every timer that is due and still pending. For one whose job is waiting,
 *   delayed or running this is a no-op (same job id); one whose job Redis lost runs now.
 * - `checkRedis` notices a Redis that lost its data (a sentinel key is gone): it forgets which timers
 *   were handed over, re-creates the tick's job scheduler and ticks, so the whole horizon is back in
 *   the queue before anything falls due.
 */
export function createTimerScheduler(deps: {
  db: Db;
  queues: Pick<Queues, 'escalations' | 'sweeps'>;
  redis: Redis;
  prefix: string;
  log: Logger;
  tickMs: number;
  horizonMs: number;
  batchSize: number;
}) {
  const { db, queues, log, batchSize } = deps;
  // A timer must reach the queue at least one tick before it is due.
  const horizonMs = Math.max(deps.horizonMs, deps.tickMs * 3);
  const sentinelKey = `${deps.prefix}:escalations:armed`;
  /** The tick's job scheduler entry; the worker runs `tick` on it (escalation-worker.ts). */
  const schedule = tickSchedule(queues.sweeps, SWEEP_SCHEDULER_ID, deps.tickMs);

  const add = (timers: Array<{ id: string; delayMs: number }>) =>
    queues.escalations.addBulk(
      timers.map((t) => ({
        name: 'escalate',
        data: { timerId: t.id },
        opts: escalationJobOptions(t.id, t.delayMs),
      })),
    );

  async function enqueueUpcoming(): Promise<number> {
    let total = 0;
    for (let i = 0; i < MAX_BATCHES_PER_TICK; i++) {
      const claimedAt = Date.now();
      const timers = await claimTimersToEnqueue(db, horizonMs, batchSize);
      if (timers.length === 0) break;
      // The claim is committed before Redis is touched, so a slow or absent Redis never holds row
      // locks that workflow actions (which cancel timers) would wait on.
      const elapsed = Date.now() - claimedAt;
      try {
        await add(timers.map((t) => ({ id: t.id, delayMs: t.delayMs - elapsed })));
      } catch (err) {
        await releaseTimers(
          db,
          timers.map((t) => t.id),
        ).catch(() => {});
        throw err;
      }
      total += timers.length;
      if (timers.length < batchSize) break;
    }
    return total;
  }

  async function resendDue(): Promise<number> {
    let total = 0;
    let after: { dueAt: Date; id: string } | undefined;
    for (let i = 0; i < MAX_BATCHES_PER_TICK; i++) {
      const due = await dueUnfiredTimers(db, batchSize, after);
      if (due.length === 0) break;
      await add(due.map((t) => ({ id: t.id, delayMs: 0 })));
      total += due.length;
      const last = due.at(-1);
      if (!last || due.length < batchSize) break;
      after = { dueAt: last.due_at, id: last.id };
    }
    return total;
  }

  async function tick(): Promise<TickResult> {
    const started = Date.now();
    const enqueued = await enqueueUpcoming();
    const resent = await resendDue();
    const result = { enqueued, resent, ms: Date.now() - started };
    if (enqueued > 0) log.debug(result, 'escalation timers enqueued');
    return result;
  }

  /**
   * Returns true when Redis had lost its data and the horizon was handed over again. Also puts back
   * the tick's job scheduler if someone removed it (say, from the queue dashboard).
   */
  async function checkRedis(): Promise<boolean> {
    if ((await deps.redis.exists(sentinelKey)) === 1) {
      await schedule.restore(log);
      return false;
    }
    const forgotten = await forgetEnqueued(db);
    await schedule.ensure();
    const result = await tick();
    // Set only once the horizon is back in the queue: a crash before this repeats the recovery.
    await deps.redis.set(sentinelKey, new Date().toISOString());
    log.info({ forgotten, ...result }, 'escalation queue (re)armed from Postgres');
    return true;
  }

  return { tick, schedule, checkRedis, horizonMs };
}
