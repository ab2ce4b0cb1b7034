import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import { type Logger, pino } from 'pino';
import type { Container } from '../../container.ts';
import { loggerOptions } from '../../shared/logger.ts';
import { type QueuePayload, queueRegistry } from '../../shared/queues.ts';
import { createWebhookDeliverer, isDeliveryId } from './webhook-delivery.ts';
import { sweepLostDeliveries } from './webhook-sweep.ts';

export type WebhookDelivery = { close: () => Promise<void> };

/**
 * The worker side of outgoing webhooks (design.md §5, point 5): a consumer of the `deliveries` queue
 * and a periodic sweep that re-enqueues pending deliveries whose job Redis lost.
 *
 * Retries are driven by the attempts counted in Postgres, not by BullMQ job options: producers add
 * jobs with a job id only, and a count kept in Postgres also survives a Redis that lost its data. A
 * failed try moves the same job back to `delayed` for an exponential backoff (WEBHOOK_BACKOFF_MS,
 * doubled each time) until WEBHOOK_MAX_ATTEMPTS, then the delivery is marked `failed`. The job id
 * `d-<deliveryId>` and the `X-Pakn-Delivery` header stay the same throughout. Finished jobs are
 * removed, so the sweep can always re-add a delivery that is still pending.
 */
export function startWebhookDelivery(
  container: Container,
  options: { log?: Logger; workerId?: string } = {},
): WebhookDelivery {
  const { config, db, queues, redis } = container;
  const log = (options.log ?? pino({ ...loggerOptions(config.LOG_LEVEL), name: 'worker' })).child({
    component: 'webhooks',
  });
  const deliverer = createWebhookDeliverer({
    db,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    backoffMs: config.WEBHOOK_BACKOFF_MS,
  });

  const worker = new Worker<QueuePayload<'deliveries'>>(
    'deliveries',
    async (job, token) => {
      const parsed = queueRegistry.deliveries.safeParse(job.data);
      if (!parsed.success || !isDeliveryId(parsed.data.deliveryId))
        throw new UnrecoverableError('not a webhook delivery job');
      const { deliveryId } = parsed.data;
      const outcome = await deliverer.deliver(deliveryId);
      switch (outcome.kind) {
        case 'retry':
          log.info(
            { deliveryId, attempts: outcome.attempts, retryInMs: outcome.inMs, error: outcome.error },
            'webhook delivery failed; will retry',
          );
          await job.moveToDelayed(Date.now() + outcome.inMs, token);
          throw new DelayedError();
        case 'wait':
          await job.moveToDelayed(Date.now() + outcome.inMs, token);
          throw new DelayedError();
        case 'failed':
          log.warn(
            { deliveryId, attempts: outcome.attempts, error: outcome.error },
            'webhook delivery given up',
          );
          break;
        case 'delivered':
          log.debug(
            { deliveryId, attempts: outcome.attempts, statusCode: outcome.statusCode },
            'webhook delivered',
          );
          break;
        default:
          log.debug({ deliveryId, reason: outcome.reason }, 'webhook delivery skipped');
      }
      return outcome.kind;
    },
    {
      connection: redis,
      prefix: config.REDIS_PREFIX,
      ...(options.workerId ? { name: options.workerId } : {}),
      concurrency: config.WEBHOOK_CONCURRENCY,
      // The lock is renewed (every lockDuration / 2) while a request runs, so it need not outlast one.
      // Short, like the escalations' locks: a worker killed mid-request loses it within seconds and the
      // stalled check runs the job again (the receiver sees the same X-Pakn-Delivery id). A 30 s lock
      // with BullMQ's 30 s stalled check left such a delivery untried for up to a minute.
      lockDuration: 10_000,
      stalledInterval: 5_000,
      // Postgres keeps the delivery log. A kept finished job would make the sweep's re-add a no-op.
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 0 },
    },
  );
  worker.on('failed', (job, err) => {
    log.error({ err, deliveryId: job?.data.deliveryId }, 'webhook delivery job failed');
  });
  worker.on('error', (err) => log.error({ err }, 'deliveries worker error'));

  // The sweep: every worker runs it; re-adding with the deterministic job id makes that harmless.
  const graceMs = Math.min(5_000, config.WEBHOOK_SWEEP_MS);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const sweep = async () => {
    try {
      const requeued = await sweepLostDeliveries({ db, queues, redis, graceMs });
      if (requeued > 0) log.info({ requeued }, 'webhook sweep re-enqueued lost deliveries');
    } catch (err) {
      log.warn({ err }, 'webhook sweep failed');
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep().finally(schedule);
    }, config.WEBHOOK_SWEEP_MS);
    timer.unref();
  };
  running = sweep().finally(schedule);

  return {
    /** Stops the sweep and the consumer, letting active deliveries finish. */
    async close() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await worker.close();
    },
  };
}
