import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import closeWithGrace from 'close-with-grace';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../config.ts';
import { createBackgroundServices, createInfrastructure } from '../container.ts';
import { startCampaignTick } from '../modules/campaigns/campaign-worker.ts';
import { startDigestDelivery } from '../modules/digest/digest-worker.ts';
import { startEmailDelivery } from '../modules/email/email-worker.ts';
import { startMessageDelivery } from '../modules/messages/message-worker.ts';
import { startWebhookDelivery } from '../modules/notifications/webhook-worker.ts';
import { startHeartbeat } from '../modules/ops/worker-heartbeat.ts';
import { startCalendarWarnings } from '../modules/sla/calendar-warning-worker.ts';
import { createEscalationJob } from '../modules/sla/escalation-job.ts';
import { startEscalationConsumers } from '../modules/sla/escalation-worker.ts';
import { createTimerScheduler } from '../modules/sla/scheduler.ts';
import { loggerOptions } from '../shared/logger.ts';

/**
 * The worker process (npm run worker): consumes the queues (escalations, webhook deliveries,
 * e-mails) and runs the ticks (the escalation scheduler, the status messages' dispatch, the chairman's
 * digest, the provisional-calendar warnings), and keeps a heartbeat in Redis. Each module's
 * `*-worker.ts` takes only what it uses. Any number of workers may run side by side. SIGTERM stops it
 * gracefully: it takes no new job, finishes the active ones, then releases Postgres and Redis.
 */
async function startWorker() {
  const config = loadConfig();
  const workerId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const log = pino({ ...loggerOptions(config.LOG_LEVEL), name: 'worker' }).child({ workerId });
  // The worker builds what its consumers use, not the API's services.
  const infrastructure = await createInfrastructure(config, { role: 'worker' });
  const { db, queues, redis } = infrastructure;
  const {
    digests,
    calendarWarnings: warnings,
    campaignBackground,
  } = createBackgroundServices(infrastructure);
  const base = { connection: redis, prefix: config.REDIS_PREFIX, workerId, log };

  const scheduler = createTimerScheduler({
    db,
    queues,
    redis,
    prefix: config.REDIS_PREFIX,
    log,
    tickMs: config.ESCALATION_TICK_MS,
    horizonMs: config.ESCALATION_HORIZON_MS,
    batchSize: config.ESCALATION_BATCH_SIZE,
  });
  const consumers = await startEscalationConsumers({
    ...base,
    concurrency: config.ESCALATION_CONCURRENCY,
    job: createEscalationJob({ db, queues, log }),
    scheduler,
  });
  const webhooks = startWebhookDelivery(infrastructure, { log, workerId });
  const emails = startEmailDelivery(infrastructure, { log, workerId });
  const messages = await startMessageDelivery(infrastructure, { log, workerId });
  const digestTick = await startDigestDelivery({ ...infrastructure, digests }, { log, workerId });
  const calendarTick = await startCalendarWarnings({
    ...base,
    warnings,
    queues,
    everyMs: config.CALENDAR_WARNING_TICK_MS,
  });
  const campaignTick = await startCampaignTick({
    ...base,
    background: campaignBackground,
    queues,
    everyMs: config.CAMPAIGN_TICK_MS,
  });
  const heartbeat = startHeartbeat({
    redis,
    prefix: config.REDIS_PREFIX,
    workerId,
    intervalMs: config.WORKER_HEARTBEAT_MS,
    info: { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() },
    onError: (err) => log.warn({ err }, 'heartbeat not written'),
  });

  // Notices a Redis that restarted empty (or was flushed) within one tick, re-creating the ticks' job
  // schedulers and the horizon's jobs from Postgres.
  let checking = false;
  const watchdog = setInterval(() => {
    if (checking) return;
    checking = true;
    Promise.all([
      scheduler.checkRedis(),
      messages?.ensureScheduled(),
      digestTick.ensureScheduled(),
      calendarTick.ensureScheduled(),
      campaignTick.ensureScheduled(),
    ])
      .catch((err: unknown) => log.warn({ err }, 'watchdog failed'))
      .finally(() => {
        checking = false;
      });
  }, config.ESCALATION_TICK_MS);

  const grace = closeWithGrace(
    { delay: config.SHUTDOWN_TIMEOUT_MS, logger: false },
    async ({ signal, err }) => {
      if (err) log.error({ err }, 'worker shutting down after an error');
      else log.info({ signal }, 'worker shutting down');
      clearInterval(watchdog);
      await Promise.all([
        consumers.close(),
        webhooks.close(),
        emails?.close(),
        messages?.close(),
        digestTick.close(),
        calendarTick.close(),
        campaignTick.close(),
      ]);
      await heartbeat.stop().catch(() => {});
      await infrastructure.close();
      log.info('worker stopped');
    },
  );
  // Forked by npm start: when the parent goes away (even killed), go too.
  if (process.send) process.once('disconnect', () => void grace.close());

  // Catch up at once rather than at the first tick: after a restart, timers that fell due meanwhile.
  if (!(await scheduler.checkRedis())) await scheduler.tick();
  log.info(
    {
      tickMs: config.ESCALATION_TICK_MS,
      horizonMs: scheduler.horizonMs,
      concurrency: config.ESCALATION_CONCURRENCY,
    },
    'worker ready',
  );
  process.send?.({ type: 'ready', workerId });
  return { workerId, close: () => grace.close() };
}

if (import.meta.main) {
  try {
    await startWorker();
  } catch (err) {
    if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`pakn worker failed to start: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
}
