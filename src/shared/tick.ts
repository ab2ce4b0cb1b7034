import { type Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export type Tick = {
  /** Puts the tick's job scheduler back if Redis lost it (the worker's watchdog calls this). */
  ensureScheduled: () => Promise<void>;
  close: () => Promise<void>;
};

/**
 * A periodic task shared by every worker: a BullMQ job scheduler entry adds one `tick` job every
 * `everyMs`, and whichever worker takes it runs `run` (so N workers do the work once per period, not
 * N times). The state lives in Postgres, so a lost or doubled tick only delays or repeats a no-op.
 */
export async function startTick(options: {
  queue: Queue<Record<string, never>>;
  schedulerId: string;
  everyMs: number;
  connection: Redis;
  prefix: string;
  workerId?: string | undefined;
  log: Logger;
  run: () => Promise<void>;
  /** Run once at start too, rather than wait a whole period (a worker catching up after downtime). */
  runAtStart?: boolean;
}): Promise<Tick> {
  const { queue, schedulerId, log } = options;
  const worker = new Worker(
    queue.name,
    async () => {
      await options.run();
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      ...(options.workerId ? { name: options.workerId } : {}),
      concurrency: 1,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 100 },
    },
  );
  worker.on('failed', (_job, err) => log.error({ err }, `${queue.name} tick failed`));
  worker.on('error', (err) => log.error({ err }, `${queue.name} worker error`));
  const schedule = () =>
    queue.upsertJobScheduler(
      schedulerId,
      { every: options.everyMs },
      { name: 'tick', data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } },
    );
  await schedule();
  if (options.runAtStart)
    await options.run().catch((err: unknown) => log.error({ err }, `${queue.name} first run failed`));
  return {
    async ensureScheduled() {
      if (await queue.getJobScheduler(schedulerId)) return;
      log.warn(`${queue.name} tick scheduler was missing; re-created`);
      await schedule();
    },
    close: () => worker.close(),
  };
}
