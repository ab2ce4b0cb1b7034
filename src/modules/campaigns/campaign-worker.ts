import type { ConsumerBase, Queues } from '../../shared/queues.ts';
import { startTick, type Tick, tickSchedule } from '../../shared/tick.ts';
import { enqueueEmails } from '../email/email-queue.ts';
import type { CampaignBackground } from './campaign-background.ts';

/**
 * The worker side of campaigns: a tick (shared/tick.ts) every CAMPAIGN_TICK_MS on which one worker
 * chases the units that are due (campaign-background.ts), deletes expired rows, and hands the
 * reminders' e-mails to the `emails` queue (its sweep re-queues what Redis loses).
 */
export function startCampaignTick(
  deps: ConsumerBase & {
    background: Pick<CampaignBackground, 'runDue'>;
    queues: Pick<Queues, 'campaigns' | 'emails'>;
    everyMs: number;
  },
): Promise<Tick> {
  const log = deps.log.child({ component: 'campaigns' });
  return startTick({
    connection: deps.connection,
    prefix: deps.prefix,
    workerId: deps.workerId,
    log,
    schedule: tickSchedule(deps.queues.campaigns, 'campaigns-tick', deps.everyMs),
    runAtStart: true,
    run: async () => {
      const r = await deps.background.runDue();
      if (r.chases > 0) log.info({ chases: r.chases, emails: r.emailIds.length }, 'campaign units chased');
      if (r.deleted > 0) log.info({ campaigns: r.deleted }, "campaign lists' rows deleted after retention");
      await enqueueEmails(deps.queues, r.emailIds).catch((err: unknown) =>
        log.warn({ err }, 'campaign reminder e-mails not enqueued; the sweep will'),
      );
    },
  });
}
