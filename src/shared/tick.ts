import { type Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { ConsumerBase } from './queues.ts';

/**
 * The BullMQ job scheduler entry behind a tick: it adds one `tick` job to `queue` every `everyMs`.
 * Upserting is idempotent, so every worker (and every recovery) may call `ensure`.
 */
type TickSchedule = {
  readonly queue: Queue<Record<string, never>>;
  readonly schedulerId: string;
  ensure: () => Promise<void>;
  /** Re-creates the entry if Redis lost it or someone removed it; true when it did. */
  restore: (log: Logger) => Promise<boolean>;
  remove: () => Promise<void>;
};

export function tickSchedule(
  queue: Queue<Record<string, never>>,
  schedulerId: string,
  everyMs: number,
): TickSchedule {
  const ensure = async () => {
    await queue.upsertJobScheduler(
      schedulerId,
      { every: everyMs },
      { name: 'tick', data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } },
    );
  };
  return {
    queue,
    schedulerId,
    ensure,
    async restore(log) {
      if (await queue.getJobScheduler(schedulerId)) return false;
      log.warn(`${queue.name} tick scheduler was missing; re-created`);
      await ensure();
      return true;
    },
    async remove() {
      await queue.removeJobScheduler(schedulerId);
    },
  };
}

export type Tick = {
  /** Puts the tick's job scheduler back if Redis lost it (the worker's watchdog calls this). */
  ensureScheduled: () => Promise<void>;
  close: () => Promise<void>;
};

/**
 * A periodic task shared by every worker — a job-scheduler tick that re-creates itself: the schedule
 * adds one `tick` job every period and whichever worker takes it runs `run` (so N workers do the work
 * once per period, not N times); `ensureScheduled` puts the schedule back when Redis lost it. The
 * escalation scheduler, the status messages' dispatch, the chairman's digest and the calendar
 * warnings run on it. Their state lives in Postgres, so a lost or doubled tick only delays or
 * repeats a no-op.
 */
export async function startTick(
  options: ConsumerBase & {
    schedule: TickSchedule;
    run: () => Promise<unknown>;
    /** Run once at start too, rather than wait a whole period (a worker catching up after downtime). */
    runAtStart?: boolean;
    /** How long a tick may run before another worker takes it as stalled (BullMQ's default: 30 s). */
    lockDurationMs?: number;
  },
): Promise<Tick> {
  const { schedule, log } = options;
  const name = schedule.queue.name;
  const worker = new Worker(name, () => options.run(), {
    connection: options.connection,
    prefix: options.prefix,
    ...(options.workerId ? { name: options.workerId } : {}),
    ...(options.lockDurationMs ? { lockDuration: options.lockDurationMs } : {}),
    concurrency: 1,
    removeOnComplete: { count: 0 },
    removeOnFail: { count: 100 },
  });
  worker.on('failed', (_job, err) => log.error({ err }, `${name} tick failed`));
  worker.on('error', (err) => log.error({ err }, `${name} worker error`));
  await schedule.ensure();
  if (options.runAtStart)
    await options.run().catch((err: unknown) => log.error({ err }, `${name} first run failed`));
  return {
    async ensureScheduled() {
      await schedule.restore(log);
    },
    close: () => worker.close(),
  };
}
