import { Worker } from 'bullmq';
import { type Logger, pino } from 'pino';
import type { Container } from '../../container.ts';
import { loggerOptions } from '../../shared/logger.ts';
import { createMessageDispatcher } from './message-dispatch.ts';
import { httpSmsProvider, logSmsProvider, type SmsProvider } from './sms-providers.ts';

const DISPATCH_SCHEDULER_ID = 'messages-dispatch';

export type MessageDelivery = {
  /** Puts the dispatcher's job scheduler back if Redis lost it (the worker's watchdog calls this). */
  ensureScheduled: () => Promise<void>;
  close: () => Promise<void>;
};

/**
 * The worker side of status messages: a job scheduler entry on the `messages` queue ticks every
 * SMS_DISPATCH_MS, and whichever worker takes the tick sends what is due (message-dispatch.ts)
 * through the configured provider. Postgres holds the messages and their tries, so a Redis that
 * lost its data loses nothing but ticks until the scheduler entry is put back. Undefined when
 * SMS_PROVIDER=none.
 */
export async function startMessageDelivery(
  container: Container,
  options: { log?: Logger; workerId?: string } = {},
): Promise<MessageDelivery | undefined> {
  const { config, db, queues, redis } = container;
  if (config.SMS_PROVIDER === 'none') return undefined;
  const log = (options.log ?? pino({ ...loggerOptions(config.LOG_LEVEL), name: 'worker' })).child({
    component: 'sms',
  });
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
  const dispatcher = createMessageDispatcher({
    db,
    provider,
    maxAttempts: config.SMS_MAX_ATTEMPTS,
    backoffMs: config.SMS_BACKOFF_MS,
    diacritics: config.SMS_DIACRITICS,
    trackingUrl: config.PUBLIC_TRACKING_URL,
    tracking: container.tracking,
    phoneLimit: config.SMS_PHONE_LIMIT,
    phoneWindowMinutes: config.SMS_PHONE_WINDOW_MINUTES,
    batchSize: config.SMS_BATCH_SIZE,
    concurrency: config.SMS_CONCURRENCY,
    leaseMs: 2 * config.SMS_TIMEOUT_MS + 5_000,
  });

  const worker = new Worker(
    'messages',
    async () => {
      const r = await dispatcher.dispatch(Math.max(config.SMS_DISPATCH_MS, 5_000));
      if (r.claimed > 0) log.info(r, 'status messages dispatched');
      return r;
    },
    {
      connection: redis,
      prefix: config.REDIS_PREFIX,
      ...(options.workerId ? { name: options.workerId } : {}),
      concurrency: 1,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 100 },
    },
  );
  worker.on('failed', (_job, err) => log.error({ err }, 'status message dispatch failed'));
  worker.on('error', (err) => log.error({ err }, 'messages worker error'));

  const schedule = () =>
    queues.messages.upsertJobScheduler(
      DISPATCH_SCHEDULER_ID,
      { every: config.SMS_DISPATCH_MS },
      { name: 'dispatch', data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } },
    );
  await schedule();

  return {
    async ensureScheduled() {
      if (await queues.messages.getJobScheduler(DISPATCH_SCHEDULER_ID)) return;
      log.warn('status message dispatch scheduler was missing; re-created');
      await schedule();
    },
    close: () => worker.close(),
  };
}
