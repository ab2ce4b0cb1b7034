import type { ConsumerBase, Queues } from '../../shared/queues.ts';
import { startTick, type Tick, tickSchedule } from '../../shared/tick.ts';
import { enqueueEmails } from '../email/email-queue.ts';
import type { CalendarWarnings } from './calendar-warnings.ts';

/**
 * The worker side of the warning before the year turns: a tick (shared/tick.ts) every
 * CALENDAR_WARNING_TICK_MS, on which one worker sends the warnings that are due
 * (calendar-warnings.ts) and hands their e-mails to the `emails` queue (sent by the e-mail consumer
 * when SMTP_URL is set; its sweep re-queues what Redis loses).
 */
export function startCalendarWarnings(
  deps: ConsumerBase & {
    warnings: Pick<CalendarWarnings, 'runDue'>;
    queues: Pick<Queues, 'calendar' | 'emails'>;
    everyMs: number;
  },
): Promise<Tick> {
  const log = deps.log.child({ component: 'calendar' });
  return startTick({
    connection: deps.connection,
    prefix: deps.prefix,
    workerId: deps.workerId,
    log,
    schedule: tickSchedule(deps.queues.calendar, 'calendar-warnings-tick', deps.everyMs),
    runAtStart: true,
    run: async () => {
      const r = await deps.warnings.runDue();
      if (r.warnings === 0) return;
      log.info({ warnings: r.warnings, emails: r.emailIds.length }, 'provisional calendar warnings sent');
      await enqueueEmails(deps.queues, r.emailIds).catch((err: unknown) =>
        log.warn({ err }, 'calendar warning e-mails not enqueued; the sweep will'),
      );
    },
  });
}
