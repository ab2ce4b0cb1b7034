import { Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Container } from '../../container.ts';
import { type OutboxConsumer, startOutboxConsumer } from '../../shared/outbox/consumer.ts';
import { createEmailDeliverer } from '../email/email-delivery.ts';
import { enqueueEmails, sweepLostEmails } from '../email/email-queue.ts';
import { smtpTransport } from '../email/smtp-transport.ts';

const TICK_SCHEDULER_ID = 'digests-tick';

export type DigestDelivery = {
  /** Puts the tick's job scheduler back if Redis lost it (the worker's watchdog calls this). */
  ensureScheduled: () => Promise<void>;
  close: () => Promise<void>;
};

/**
 * The worker side of the chairman's digest: a job scheduler entry on the `digests` queue ticks every
 * DIGEST_TICK_MS and whichever worker takes the tick creates the digests that are due
 * (digest-service.ts); with SMTP_URL set, the `emails` queue's consumer and sweep send them
 * (shared/outbox/consumer.ts), retried with a doubling backoff until EMAIL_MAX_ATTEMPTS.
 */
export async function startDigestDelivery(
  container: Container,
  options: { log: Logger; workerId?: string },
): Promise<DigestDelivery> {
  const { config, db, queues, redis } = container;
  const log = options.log.child({ component: 'digest' });
  const transport = config.SMTP_URL
    ? smtpTransport({ url: config.SMTP_URL, timeoutMs: config.EMAIL_TIMEOUT_MS })
    : undefined;
  const emails: OutboxConsumer | undefined = transport
    ? startOutboxConsumer({
        queue: 'emails',
        connection: redis,
        prefix: config.REDIS_PREFIX,
        workerId: options.workerId,
        concurrency: config.EMAIL_CONCURRENCY,
        log: log.child({ component: 'email' }),
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
      })
    : undefined;

  const enabled = config.DIGEST_SCHEDULE !== 'off';
  const worker = enabled
    ? new Worker(
        'digests',
        async () => {
          const r = await container.digests.runDue();
          if (r.digests > 0) log.info({ digests: r.digests, emails: r.emailIds.length }, 'digests created');
          // Committed already: if Redis refuses the hand-over, the e-mail sweep sends them later.
          await enqueueEmails(queues, r.emailIds).catch((err: unknown) =>
            log.warn({ err }, 'digest e-mails not enqueued; the sweep will'),
          );
          return r.digests;
        },
        {
          connection: redis,
          prefix: config.REDIS_PREFIX,
          ...(options.workerId ? { name: options.workerId } : {}),
          concurrency: 1,
          removeOnComplete: { count: 0 },
          removeOnFail: { count: 100 },
        },
      )
    : undefined;
  worker?.on('failed', (_job, err) => log.error({ err }, 'digest tick failed'));
  worker?.on('error', (err) => log.error({ err }, 'digests worker error'));

  const schedule = () =>
    queues.digests.upsertJobScheduler(
      TICK_SCHEDULER_ID,
      { every: config.DIGEST_TICK_MS },
      { name: 'tick', data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } },
    );
  if (enabled) await schedule();
  else await queues.digests.removeJobScheduler(TICK_SCHEDULER_ID);

  return {
    async ensureScheduled() {
      if (!enabled || (await queues.digests.getJobScheduler(TICK_SCHEDULER_ID))) return;
      log.warn('digest tick scheduler was missing; re-created');
      await schedule();
    },
    async close() {
      await Promise.all([worker?.close(), emails?.close()]);
      transport?.close();
    },
  };
}
