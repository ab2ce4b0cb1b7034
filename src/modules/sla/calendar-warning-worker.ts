import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Queues } from '../../shared/queues.ts';
import { startTick, type Tick } from '../../shared/tick.ts';
import { enqueueEmails } from '../email/email-queue.ts';
import type { CalendarWarnings } from './calendar-warnings.ts';

/**
 * The worker side of the warning before the year turns: every CALENDAR_WARNING_TICK_MS one worker
 * sends the warnings that are due (calendar-warnings.ts) and hands their e-mails to the `emails`
 * queue (sent by the e-mail consumer when SMTP_URL is set; its sweep re-queues what Redis loses).
 */
export function startCalendarWarnings(deps: {
  warnings: CalendarWarnings;
  queues: Pick<Queues, 'calendar' | 'emails'>;
  connection: Redis;
  prefix: string;
  everyMs: number;
  workerId?: string;
  log: Logger;
}): Promise<Tick> {
  const log = deps.log.child({ component: 'calendar' });
  return startTick({
    queue: deps.queues.calendar,
    schedulerId: 'calendar-warnings-tick',
    everyMs: deps.everyMs,
    connection: deps.connection,
    prefix: deps.prefix,
    workerId: deps.workerId,
    log,
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
