import type { Redis } from 'ioredis';
import { type Logger, pino } from 'pino';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { loggerOptions } from '../../shared/logger.ts';
import type { Queues } from '../../shared/queues.ts';
import { startTick, type Tick, tickSchedule } from '../../shared/tick.ts';
import type { TrackingTokens } from '../cases/tracking-link.ts';
import { createMessageDispatcher } from './message-dispatch.ts';
import { httpSmsProvider, logSmsProvider, type SmsProvider } from './sms-providers.ts';

export type MessageDelivery = Tick;

type MessageDeliveryDeps = {
  config: Pick<
    Config,
    | 'LOG_LEVEL'
    | 'REDIS_PREFIX'
    | 'PUBLIC_TRACKING_URL'
    | 'SMS_PROVIDER'
    | 'SMS_HTTP_URL'
    | 'SMS_HTTP_TOKEN'
    | 'SMS_BRAND_NAME'
    | 'SMS_TIMEOUT_MS'
    | 'SMS_MAX_ATTEMPTS'
    | 'SMS_BACKOFF_MS'
    | 'SMS_DIACRITICS'
    | 'SMS_PHONE_LIMIT'
    | 'SMS_PHONE_WINDOW_MINUTES'
    | 'SMS_BATCH_SIZE'
    | 'SMS_CONCURRENCY'
    | 'SMS_DISPATCH_MS'
  >;
  db: Db;
  redis: Redis;
  queues: Pick<Queues, 'messages'>;
  tracking: TrackingTokens;
};

/**
 * The worker side of status messages: a tick on the `messages` queue (shared/tick.ts) every
 * SMS_DISPATCH_MS, on which one worker sends what is due (message-dispatch.ts) through the
 * configured provider. Postgres holds the messages and their tries, so a Redis that lost its data
 * loses nothing but ticks until the tick's schedule is put back. Undefined when SMS_PROVIDER=none.
 */
export async function startMessageDelivery(
  deps: MessageDeliveryDeps,
  options: { log?: Logger; workerId?: string } = {},
): Promise<MessageDelivery | undefined> {
  const { config } = deps;
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
    db: deps.db,
    provider,
    maxAttempts: config.SMS_MAX_ATTEMPTS,
    backoffMs: config.SMS_BACKOFF_MS,
    diacritics: config.SMS_DIACRITICS,
    trackingUrl: config.PUBLIC_TRACKING_URL,
    tracking: deps.tracking,
    phoneLimit: config.SMS_PHONE_LIMIT,
    phoneWindowMinutes: config.SMS_PHONE_WINDOW_MINUTES,
    batchSize: config.SMS_BATCH_SIZE,
    concurrency: config.SMS_CONCURRENCY,
    leaseMs: 2 * config.SMS_TIMEOUT_MS + 5_000,
  });

  return startTick({
    connection: deps.redis,
    prefix: config.REDIS_PREFIX,
    workerId: options.workerId,
    log,
    schedule: tickSchedule(deps.queues.messages, 'messages-dispatch', config.SMS_DISPATCH_MS),
    run: async () => {
      const r = await dispatcher.dispatch(Math.max(config.SMS_DISPATCH_MS, 5_000));
      if (r.claimed > 0) log.info(r, 'status messages dispatched');
      return r;
    },
  });
}
