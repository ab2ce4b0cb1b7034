import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type QueuePayload, queueRegistry } from '../queues.ts';
import { type DeliveryOutcome, isOutboxId } from './ledger.ts';

/** The queues whose jobs each name one outbox row. */
type OutboxQueue = 'deliveries' | 'emails';

const idOf: { [N in OutboxQueue]: (data: QueuePayload<N>) => string } = {
  deliveries: (d) => d.deliveryId,
  emails: (d) => d.emailId,
};

export type OutboxConsumer = { close: () => Promise<void> };

/**
 * The worker side of an outbox (design.md §5, point 5): a consumer of its queue and a periodic sweep
 * that re-enqueues pending rows whose job Redis lost. Webhooks and e-mails use it — a delayed job per
 * row — because each goes to a receiver of its own with its own backoff of up to hours between tries;
 * status messages (SMS) use a polling tick instead (messages/message-dispatch.ts), because they all go
 * through one gateway, best claimed in batches, and the per-number limit is judged per batch.
 *
 * Retries are driven by the tries counted in Postgres (ledger.ts), not by BullMQ job options:
 * producers add jobs with a job id only, and a count kept in Postgres also survives a Redis that lost
 * its data. A failed try moves the same job back to `delayed` for its backoff until the last try,
 * after which the row is marked `failed`. The job id stays the same throughout. Finished jobs are
 * removed, so the sweep can always re-add a row that is still pending.
 */
export function startOutboxConsumer<N extends OutboxQueue>(options: {
  queue: N;
  connection: Redis;
  prefix: string;
  workerId?: string | undefined;
  concurrency: number;
  log: Logger;
  deliver: (id: string) => Promise<DeliveryOutcome>;
  sweep: { everyMs: number; run: (graceMs: number) => Promise<number> };
}): OutboxConsumer {
  const { log } = options;
  const worker = new Worker<QueuePayload<N>>(
    options.queue,
    async (job, token) => {
      const parsed = queueRegistry[options.queue].safeParse(job.data);
      const id = parsed.success ? idOf[options.queue](parsed.data as QueuePayload<N>) : '';
      if (!isOutboxId(id)) throw new UnrecoverableError(`not a ${options.queue} job`);
      const outcome = await options.deliver(id);
      switch (outcome.kind) {
        case 'retry':
          log.info(
            { id, attempts: outcome.attempts, retryInMs: outcome.inMs, error: outcome.error },
            'delivery failed; will retry',
          );
          await job.moveToDelayed(Date.now() + outcome.inMs, token);
          throw new DelayedError();
        case 'wait':
          await job.moveToDelayed(Date.now() + outcome.inMs, token);
          throw new DelayedError();
        case 'failed':
          log.warn({ id, attempts: outcome.attempts, error: outcome.error }, 'delivery given up');
          break;
        case 'delivered':
          log.debug({ id, attempts: outcome.attempts, statusCode: outcome.statusCode }, 'delivered');
          break;
        default:
          log.debug({ id, reason: outcome.reason }, 'delivery skipped');
      }
      return outcome.kind;
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      ...(options.workerId ? { name: options.workerId } : {}),
      concurrency: options.concurrency,
      // The lock is renewed (every lockDuration / 2) while a try runs, so it need not outlast one.
      // Short, like the escalations' locks: a worker killed mid-try loses it within seconds and the
      // stalled check runs the job again (under the same id, which receivers deduplicate on). A 30 s
      // lock with BullMQ's 30 s stalled check left such a row untried for up to a minute.
      lockDuration: 10_000,
      stalledInterval: 5_000,
      // Postgres keeps the delivery log. A kept finished job would make the sweep's re-add a no-op.
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 0 },
    },
  );
  worker.on('failed', (job, err) => log.error({ err, jobId: job?.id }, 'delivery job failed'));
  worker.on('error', (err) => log.error({ err }, 'delivery worker error'));

  // Every worker sweeps; re-adding under the deterministic job id makes that harmless.
  const graceMs = Math.min(5_000, options.sweep.everyMs);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const sweep = async () => {
    try {
      const requeued = await options.sweep.run(graceMs);
      if (requeued > 0) log.info({ requeued }, 'sweep re-enqueued lost deliveries');
    } catch (err) {
      log.warn({ err }, 'sweep failed');
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep().finally(schedule);
    }, options.sweep.everyMs);
    timer.unref();
  };
  running = sweep().finally(schedule);

  return {
    /** Stops the sweep and the consumer, letting active tries finish. */
    async close() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await worker.close();
    },
  };
}
