import { DelayedError, Worker } from 'bullmq';
import { type ConsumerBase, type QueuePayload, queueRegistry } from '../../shared/queues.ts';
import { startTick } from '../../shared/tick.ts';
import type { EscalationJob } from './escalation-job.ts';
import type { TimerScheduler } from './scheduler.ts';

type EscalationConsumers = { close: () => Promise<void> };

/**
 * The worker side of the engine: consumes `escalations` (one job per timer) and runs the scheduler's
 * tick on `sweeps` (shared/tick.ts). A worker killed mid-job leaves an active job whose lock expires after
 * `lockDuration`; the stalled check then runs it again — harmless, as the job is idempotent.
 */
export async function startEscalationConsumers(
  deps: ConsumerBase & { concurrency: number; job: EscalationJob; scheduler: TimerScheduler },
): Promise<EscalationConsumers> {
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
      ...(deps.workerId ? { name: deps.workerId } : {}),
      concurrency: deps.concurrency,
      // Short locks so that a job held by a killed worker is retried within seconds, not minutes.
      lockDuration: 10_000,
      stalledInterval: 5_000,
      maxStalledCount: 5,
    },
  );

  const sweeps = await startTick({
    connection,
    prefix,
    workerId: deps.workerId,
    log,
    schedule: deps.scheduler.schedule,
    run: () => deps.scheduler.tick(),
    lockDurationMs: 30_000,
  });

  escalations.on('failed', (job, err) => {
    log.error({ err, timerId: job?.data.timerId, attempts: job?.attemptsMade }, 'escalation job failed');
  });
  escalations.on('error', (err) => log.error({ err }, 'queue worker error'));

  return {
    /** Stops taking jobs and waits for the active ones to finish. */
    async close() {
      await Promise.all([escalations.close(), sweeps.close()]);
    },
  };
}
