import { type Logger, pino } from 'pino';
import type { Container } from '../../container.ts';
import { loggerOptions } from '../../shared/logger.ts';
import { type OutboxConsumer, startOutboxConsumer } from '../notifications/outbox-consumer.ts';
import { sweepLostOutbox } from '../notifications/outbox-sweep.ts';
import { createMessageDeliverer } from './message-delivery.ts';
import { enqueueMessages, messageJobId } from './message-outbox.ts';
import { httpSmsProvider, logSmsProvider, type SmsProvider } from './sms-providers.ts';

/**
 * The worker side of status messages: the `messages` queue's consumer and sweep
 * (outbox-consumer.ts) through the configured provider, retried with an exponential backoff
 * (SMS_BACKOFF_MS, doubled each time) until SMS_MAX_ATTEMPTS. Undefined when SMS_PROVIDER=none.
 */
export function startMessageDelivery(
  container: Container,
  options: { log?: Logger; workerId?: string } = {},
): OutboxConsumer | undefined {
  const { config, db, queues, redis } = container;
  const log = (options.log ?? pino({ ...loggerOptions(config.LOG_LEVEL), name: 'worker' })).child({
    component: 'sms',
  });
  if (config.SMS_PROVIDER === 'none') return undefined;
  // config.ts requires the URL and the token with SMS_PROVIDER=http.
  const provider: SmsProvider =
    config.SMS_PROVIDER === 'http'
      ? httpSmsProvider({
          url: config.SMS_HTTP_URL ?? '',
          token: config.SMS_HTTP_TOKEN ?? '',
          brandName: config.SMS_BRAND_NAME,
          timeoutMs: config.SMS_TIMEOUT_MS,
        })
      : logSmsProvider(log);

  const deliverer = createMessageDeliverer({
    db,
    provider,
    maxAttempts: config.SMS_MAX_ATTEMPTS,
    backoffMs: config.SMS_BACKOFF_MS,
    diacritics: config.SMS_DIACRITICS,
    trackingUrl: config.PUBLIC_TRACKING_URL,
  });
  return startOutboxConsumer({
    queue: 'messages',
    connection: redis,
    prefix: config.REDIS_PREFIX,
    workerId: options.workerId,
    concurrency: config.SMS_CONCURRENCY,
    log,
    deliver: deliverer.deliver,
    sweep: {
      everyMs: config.SMS_SWEEP_MS,
      run: (graceMs) =>
        sweepLostOutbox({
          db,
          redis,
          graceMs,
          table: 'citizen_messages',
          queue: queues.messages,
          jobId: messageJobId,
          enqueue: (ids) => enqueueMessages(queues, ids),
        }),
    },
  });
}
