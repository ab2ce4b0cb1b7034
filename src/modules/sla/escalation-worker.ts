import { DelayedError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type QueuePayload, queueRegistry } from '../../shared/queues.ts';
import type { EscalationJob } from './escalation-job.ts';
import type { TimerScheduler } from './scheduler.ts';

export type EscalationConsumers = { close: () => Promise<void> };

/**
 * The worker side of the engine: consumes `escalations` (one job per timer) and `sweeps` (the
 * scheduler's ticks). A worker killed mid-job leaves an active job whose lock expires after
 * `lockDuration`; the stalled check then runs it again — harmless, as the job is idempotent.
 */
export function startEscalationConsumers(deps: {
  connection: Redis;
  prefix: string;
  workerId: string;
  concurrency: number;
  job: EscalationJob;
  scheduler: TimerScheduler;
  log: Logger;
}): EscalationConsumers {
  const { connection, prefix, log } = deps;

  const escalations = new Worker<QueuePayload<'escalations'>>(
    'escalations',
    async (job, token) => {
      const { timerId } = queueRegistry.escalations.parse(job.data);
      const outcome = await deps.job.run(timerId);
      if (outcome.kind === 'early') {
        // Delivered before its due time by Postgres' clock: wait the rest, then run again.
        await job.moveToDelayed(Date.now() + outcome.inMs, token);
        throw new DelayedError();
      }
      if (outcome.kind === 'fired') log.info({ timerId, ...outcome }, 'escalation fired');
      else log.debug({ timerId, reason: outcome.reason }, 'escalation timer skipped');
      return outcome.kind;
    },
    {
      connection,
      prefix,
      name: deps.workerId,
      concurrency: deps.concurrency,
      // Short locks so that a job held by a killed worker is retried within seconds, not minutes.
      lockDuration: 10_000,
      stalledInterval: 5_000,
      maxStalledCount: 5,
    },
  );

  const sweeps = new Worker<QueuePayload<'sweeps'>>(
    'sweeps',
    async () => {
      const result = await deps.scheduler.tick();
      return result;
    },
    { connection, prefix, name: deps.workerId, concurrency: 1, lockDuration: 30_000 },
  );

  escalations.on('failed', (job, err) => {
    log.error({ err, timerId: job?.data.timerId, attempts: job?.attemptsMade }, 'escalation job failed');
  });
  sweeps.on('failed', (_job, err) => log.error({ err }, 'escalation sweep failed'));
  for (const w of [escalations, sweeps]) w.on('error', (err) => log.error({ err }, 'queue worker error'));

  return {
    /** Stops taking jobs and waits for the active ones to finish. */
    async close() {
      await Promise.all([escalations.close(), sweeps.close()]);
    },
  };
}
