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

/**
 * A deadline carried onto a changed calendar: the working time it gave after `setAt` (when it was
 * set) on the old calendar, counted on the new one from the same instant. A day that became a day
 * off between the two pushes it one working day later; a day that became a working day pulls it in.
 */
export function carriedDeadline(before: WardCalendar, after: WardCalendar, setAt: Date, dueAt: Date): Date {
  if (dueAt <= setAt) return dueAt;
  return addBusinessSeconds(after, setAt, businessSecondsBetween(before, setAt, dueAt));
}

export type RunningDeadlines = { acceptDueAt: Date | null; dueAt: Date | null };

/**
 * What a change of a ward's days off does to a case whose clock runs (design.md §4): each running
 * deadline on the working clock that has not passed yet is carried onto the new calendar, and the
 * ladder is derived again from the result. Passed deadlines stay as they were: the case was late by
 * the calendar then in force. Returns null when nothing moves (the deadlines and every step's time
 * are the same on both calendars); otherwise the new deadlines and the timers to arm, without the
 * steps that already fired in this SLA generation and would now fall in the past (warned once is
 * enough; a step that moves into the future warns again, about the new deadline).
 */
export function rederiveDeadlines(input: {
  before: WardCalendar;
  after: WardCalendar;
  policy: EscalationPolicy;
  running: RunningDeadlines;
  clocks: { acceptDueAt: Clock; dueAt: Clock };
  setAt: Date;
  now: Date;
  firedSteps: ReadonlySet<string>;
}): { running: RunningDeadlines; timers: Timer[] } | null {
  const { before, after, policy, running, setAt, now } = input;
  const carry = (due: Date | null, clock: Clock) =>
    due && clock === 'working' && due > now ? carriedDeadline(before, after, setAt, due) : due;
  const next: RunningDeadlines = {
    acceptDueAt: carry(running.acceptDueAt, input.clocks.acceptDueAt),
    dueAt: carry(running.dueAt, input.clocks.dueAt),
  };
  const key = (timers: Timer[]) => timers.map((t) => `${t.step}@${t.dueAt.getTime()}`).join(',');
  const timers = escalationTimers(after, policy, next);
  const same =
    next.acceptDueAt?.getTime() === running.acceptDueAt?.getTime() &&
    next.dueAt?.getTime() === running.dueAt?.getTime() &&
    key(timers) === key(escalationTimers(before, policy, running));
  if (same) return null;
  return {
    running: next,
    timers: timers.filter((t) => !(t.dueAt <= now && input.firedSteps.has(t.step))),
  };
}
