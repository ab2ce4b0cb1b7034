import type { Clock, Urgency } from '../../db/types.ts';
import type { WardCalendar } from './calendar.ts';
import type { EscalationPolicy } from './escalation-policy.ts';
import { addBusinessSeconds, addDuration, businessSecondsBetween } from './working-time.ts';

export type SlaPolicy = { duration: string; clock: Clock };
export type CategorySla = Record<Urgency, SlaPolicy>;
export type Timer = { step: string; dueAt: Date };

/** The answer deadline for a case handed to a department at `from`. */
export const answerDeadline = (calendar: WardCalendar, from: Date, sla: SlaPolicy): Date =>
  addDuration(calendar, from, sla.duration, sla.clock);

export const acceptDeadline = (calendar: WardCalendar, receivedAt: Date, policy: EscalationPolicy): Date =>
  addDuration(calendar, receivedAt, policy.acceptWithin.duration, policy.acceptWithin.clock);

/**
 * The escalation timers a case needs in its present state: steps anchored to the acceptance deadline
 * while it waits in `received`, steps anchored to the answer deadline once it has one.
 */
export function escalationTimers(
  calendar: WardCalendar,
  policy: EscalationPolicy,
  anchors: { acceptDueAt: Date | null; dueAt: Date | null },
): Timer[] {
  const timers: Timer[] = [];
  for (const step of policy.steps) {
    const anchor = anchors[step.anchor];
    if (anchor)
      timers.push({ step: step.key, dueAt: addDuration(calendar, anchor, step.offset, step.clock) });
  }
  return timers;
}

/**
 * What is left of an answer deadline when the clock stops (awaiting_info): business seconds for the
 * working clock, plain seconds for the continuous one; negative when the deadline had already passed.
 */
export function remainingAtPause(calendar: WardCalendar, clock: Clock, now: Date, dueAt: Date): number {
  if (clock === 'continuous') return (dueAt.getTime() - now.getTime()) / 1000;
  return now < dueAt
    ? businessSecondsBetween(calendar, now, dueAt)
    : -businessSecondsBetween(calendar, dueAt, now);
}

/** The answer deadline when the clock starts again at `now` with `remaining` seconds left. */
export function dueAfterResume(calendar: WardCalendar, clock: Clock, now: Date, remaining: number): Date {
  if (clock === 'continuous') return new Date(now.getTime() + remaining * 1000);
  return addBusinessSeconds(calendar, now, remaining);
}
