import type { Redis } from 'ioredis';
import { type Logger, pino } from 'pino';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { loggerOptions } from '../../shared/logger.ts';
import { type OutboxConsumer, startOutboxConsumer } from '../../shared/outbox/consumer.ts';
import type { Queues } from '../../shared/queues.ts';
import { createWebhookDeliverer } from './webhook-delivery.ts';
import { sweepLostDeliveries } from './webhook-sweep.ts';

export type WebhookDelivery = OutboxConsumer;

type WebhookDeliveryDeps = {
  config: Pick<
    Config,
    | 'LOG_LEVEL'
    | 'REDIS_PREFIX'
    | 'WEBHOOK_TIMEOUT_MS'
    | 'WEBHOOK_MAX_ATTEMPTS'
    | 'WEBHOOK_BACKOFF_MS'
    | 'WEBHOOK_ALLOW_PRIVATE'
    | 'WEBHOOK_CONCURRENCY'
    | 'WEBHOOK_SWEEP_MS'
  >;
  db: Db;
  redis: Redis;
  queues: Pick<Queues, 'deliveries'>;
};

/**
 * The worker side of outgoing webhooks: the `deliveries` queue's consumer and sweep
 * (shared/outbox/consumer.ts), retried with an exponential backoff (WEBHOOK_BACKOFF_MS, doubled each time)
 * until WEBHOOK_MAX_ATTEMPTS. The job id `d-<deliveryId>` and the `X-Pakn-Delivery` header stay the
 * same on every try.
 */
export function startWebhookDelivery(
  deps: WebhookDeliveryDeps,
  options: { log?: Logger; workerId?: string } = {},
): WebhookDelivery {
  const { config, db, queues, redis } = deps;
  const log = (options.log ?? pino({ ...loggerOptions(config.LOG_LEVEL), name: 'worker' })).child({
    component: 'webhooks',
  });
  const deliverer = createWebhookDeliverer({
    db,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    backoffMs: config.WEBHOOK_BACKOFF_MS,
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
  });
  return startOutboxConsumer({
    queue: 'deliveries',
    connection: redis,
    prefix: config.REDIS_PREFIX,
    workerId: options.workerId,
    concurrency: config.WEBHOOK_CONCURRENCY,
    log,
    deliver: deliverer.deliver,
    sweep: {
      everyMs: config.WEBHOOK_SWEEP_MS,
      run: (graceMs) => sweepLostDeliveries({ db, queues, redis, graceMs }),
    },
  });
}
