import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { type OutboxConsumer, startOutboxConsumer } from '../../shared/outbox/consumer.ts';
import type { Queues } from '../../shared/queues.ts';
import { createEmailDeliverer } from './email-delivery.ts';
import { sweepLostEmails } from './email-queue.ts';
import { smtpTransport } from './smtp-transport.ts';

type EmailDeliveryDeps = {
  config: Pick<
    Config,
    | 'REDIS_PREFIX'
    | 'SMTP_URL'
    | 'SMTP_FROM'
    | 'EMAIL_TIMEOUT_MS'
    | 'EMAIL_CONCURRENCY'
    | 'EMAIL_MAX_ATTEMPTS'
    | 'EMAIL_BACKOFF_MS'
    | 'EMAIL_SWEEP_MS'
  >;
  db: Db;
  redis: Redis;
  queues: Pick<Queues, 'emails'>;
};

/**
 * The worker side of e-mail (the chairman's digest, the calendar warnings): the `emails` queue's
 * consumer and sweep (shared/outbox/consumer.ts), sending through SMTP_URL, retried with a doubling
 * backoff until EMAIL_MAX_ATTEMPTS. Undefined without SMTP_URL: nothing is recorded to send then.
 */
export function startEmailDelivery(
  deps: EmailDeliveryDeps,
  options: { log: Logger; workerId?: string },
): OutboxConsumer | undefined {
  const { config, db, queues, redis } = deps;
  if (!config.SMTP_URL) return undefined;
  const transport = smtpTransport({ url: config.SMTP_URL, timeoutMs: config.EMAIL_TIMEOUT_MS });
  const consumer = startOutboxConsumer({
    queue: 'emails',
    connection: redis,
    prefix: config.REDIS_PREFIX,
    workerId: options.workerId,
    concurrency: config.EMAIL_CONCURRENCY,
    log: options.log.child({ component: 'email' }),
    deliver: createEmailDeliverer({
      db,
      transport,
      from: config.SMTP_FROM,
      maxAttempts: config.EMAIL_MAX_ATTEMPTS,
      backoffMs: config.EMAIL_BACKOFF_MS,
    }).deliver,
    sweep: {
      everyMs: config.EMAIL_SWEEP_MS,
      run: (graceMs) => sweepLostEmails({ db, queues, redis, graceMs }),
    },
  });
  return {
    async close() {
      await consumer.close();
      transport.close();
    },
  };
}
