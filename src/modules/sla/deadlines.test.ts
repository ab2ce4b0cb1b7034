import { describe, expect, it } from 'vitest';
import { defaultCalendar } from './calendar.ts';
import { dueAfterResume, escalationTimers, remainingAtPause } from './deadlines.ts';
import { defaultEscalationPolicy } from './escalation-policy.ts';

const cal = defaultCalendar();
const at = (s: string) => new Date(s);

describe('pausing and resuming the answer clock', () => {
  it('keeps the business time that was left, across a weekend', () => {
    // Paused Friday 16:00 with the deadline Monday 09:30: 1 h Friday + 2 h Monday = 3 business hours.
    const remaining = remainingAtPause(
      cal,
      'working',
      at('2026-06-12T16:00:00+07:00'),
      at('2026-06-15T09:30:00+07:00'),
    );
    expect(remaining).toBe(3 * 3600);
    // Resumed Tuesday 10:00: 1.5 h to the lunch break, 1.5 h after it.
    expect(dueAfterResume(cal, 'working', at('2026-06-16T10:00:00+07:00'), remaining).toISOString()).toBe(
      at('2026-06-16T15:00:00+07:00').toISOString(),
    );
  });

  it('remembers lateness as negative time left', () => {
    const remaining = remainingAtPause(
      cal,
      'continuous',
      at('2026-06-12T10:00:00Z'),
      at('2026-06-12T09:00:00Z'),
    );
    expect(remaining).toBe(-3600);
    expect(dueAfterResume(cal, 'continuous', at('2026-06-13T00:00:00Z'), remaining).toISOString()).toBe(
      '2026-06-12T23:00:00.000Z',
    );
  });
});

describe('escalation timers', () => {
  it('arms the acceptance step only while there is an acceptance deadline, the answer steps only with an answer deadline', () => {
    const policy = defaultEscalationPolicy();
    const dueAt = at('2026-06-17T17:00:00+07:00'); // a Wednesday
    expect(
      escalationTimers(cal, policy, { acceptDueAt: at('2026-06-15T15:30:00+07:00'), dueAt: null }).map(
        (t) => t.step,
      ),
    ).toEqual(['accept_overdue']);
    const timers = escalationTimers(cal, policy, { acceptDueAt: null, dueAt });
    expect(timers.map((t) => [t.step, t.dueAt.toISOString()])).toEqual([
      ['reminder', at('2026-06-16T17:00:00+07:00').toISOString()],
      ['overdue', dueAt.toISOString()],
      ['chairman', at('2026-06-18T17:00:00+07:00').toISOString()],
    ]);
  });
});
