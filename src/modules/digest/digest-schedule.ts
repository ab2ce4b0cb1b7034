import { CronExpressionParser } from 'cron-parser';
import { vietnamTimeZone } from '../../shared/vietnam-day.ts';

/** The schedule's problem, in words, or null when the cron expression is usable. */
export function scheduleProblem(expression: string): string | null {
  if (expression.trim().split(/\s+/).length !== 5)
    return 'five cron fields are expected: minute hour day-of-month month day-of-week (e.g. "30 7 * * 1"), or "off"';
  try {
    CronExpressionParser.parse(expression, { tz: vietnamTimeZone }).prev();
    return null;
  } catch (err) {
    return `not a cron expression: ${(err as Error).message}`;
  }
}

/**
 * The digest a ward is due now: the schedule's latest occurrence at or before `now` in the ward's
 * time zone, if it is at most `catchUpMs` ago (a worker that was down at 07:30 still sends the
 * Monday digest at 09:00, not last month's) and not before `notBefore` (a ward set up after the
 * occurrence). Null when none is due.
 */
export function dueOccurrence(opts: {
  expression: string;
  timeZone: string;
  now: Date;
  catchUpMs: number;
  notBefore?: Date;
}): Date | null {
  // cron-parser's prev() is strictly before currentDate; a tick at 07:30:00.000 itself counts.
  const at = CronExpressionParser.parse(opts.expression, {
    currentDate: new Date(opts.now.getTime() + 1),
    tz: opts.timeZone,
  })
    .prev()
    .toDate();
  if (opts.now.getTime() - at.getTime() > opts.catchUpMs) return null;
  if (opts.notBefore && at < opts.notBefore) return null;
  return at;
}
