import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Queues } from '../../shared/queues.ts';
import { startTick, type Tick, tickSchedule } from '../../shared/tick.ts';
import { enqueueEmails } from '../email/email-queue.ts';
import type { DigestService } from './digest-service.ts';

type DigestDeliveryDeps = {
  config: Pick<Config, 'REDIS_PREFIX' | 'DIGEST_SCHEDULE' | 'DIGEST_TICK_MS'>;
  digests: Pick<DigestService, 'runDue'>;
  redis: Redis;
  queues: Pick<Queues, 'digests' | 'emails'>;
};

/**
 * The worker side of the chairman's digest: a tick on the `digests` queue (shared/tick.ts) every
 * DIGEST_TICK_MS, on which one worker creates the digests that are due (digest-service.ts) and hands
 * their e-mails to the `emails` queue (sent by the e-mail module's consumer when SMTP_URL is set).
 * With DIGEST_SCHEDULE=off the tick's schedule is removed and nothing runs.
 */
export async function startDigestDelivery(
  deps: DigestDeliveryDeps,
  options: { log: Logger; workerId?: string },
): Promise<Tick> {
  const { config, queues } = deps;
  const log = options.log.child({ component: 'digest' });
  const schedule = tickSchedule(queues.digests, 'digests-tick', config.DIGEST_TICK_MS);
  if (config.DIGEST_SCHEDULE === 'off') {
    await schedule.remove();
    return { ensureScheduled: async () => {}, close: async () => {} };
  }
  return startTick({
    connection: deps.redis,
    prefix: config.REDIS_PREFIX,
    workerId: options.workerId,
    log,
    schedule,
    run: async () => {
      const r = await deps.digests.runDue();
      if (r.digests > 0) log.info({ digests: r.digests, emails: r.emailIds.length }, 'digests created');
      // Committed already: if Redis refuses the hand-over, the e-mail sweep sends them later.
      await enqueueEmails(queues, r.emailIds).catch((err: unknown) =>
        log.warn({ err }, 'digest e-mails not enqueued; the sweep will'),
      );
      return r.digests;
    },
  });
}
