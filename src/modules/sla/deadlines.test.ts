import { describe, expect, it } from 'vitest';
import { composeCalendar, defaultCalendar, defaultWeeklyCalendar, officialSchedules } from './calendar.ts';
import {
  answerDeadline,
  carriedDeadline,
  dueAfterResume,
  escalationTimers,
  rederiveDeadlines,
  remainingAtPause,
} from './deadlines.ts';
import { defaultEscalationPolicy } from './escalation-policy.ts';
import { provisionalSchedule } from './statutory-holidays.ts';

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

describe('deadlines across the new year, on the provisional calendar', () => {
  it('counts New Year’s Day 2027 as a day off: P5D from 30 December 2026 ends on 7 January', () => {
    expect(
      answerDeadline(cal, at('2026-12-30T10:00:00+07:00'), { duration: 'P5D', clock: 'working' }),
    ).toEqual(at('2027-01-07T17:00:00+07:00'));
  });

  it('counts Tết Đinh Mùi as days off: P5D from Monday 1 February 2027 ends on 15 February', () => {
    expect(
      answerDeadline(cal, at('2027-02-01T09:00:00+07:00'), { duration: 'P5D', clock: 'working' }),
    ).toEqual(at('2027-02-15T17:00:00+07:00'));
  });

  it('keeps a pause across New Year to the working time that was left', () => {
    // Paused on 31 December at 16:00, due Monday 4 January at 17:00: 1 h, New Year off, 7.5 h.
    const remaining = remainingAtPause(
      cal,
      'working',
      at('2026-12-31T16:00:00+07:00'),
      at('2027-01-04T17:00:00+07:00'),
    );
    expect(remaining).toBe(8.5 * 3600);
    expect(dueAfterResume(cal, 'working', at('2027-01-04T08:00:00+07:00'), remaining)).toEqual(
      at('2027-01-05T09:00:00+07:00'),
    );
  });
});

describe('re-deriving deadlines when days off are confirmed', () => {
  const policy = defaultEscalationPolicy();
  // The government's schedule (say) gives Tết Đinh Mùi 4–12 February: two more days than provisional.
  const confirmed = composeCalendar(defaultWeeklyCalendar(), [
    ...officialSchedules(),
    {
      year: 2027,
      daysOff: [
        ...provisionalSchedule(2027).daysOff,
        { date: '2027-02-11', name: 'Tết' },
        { date: '2027-02-12', name: 'Tết' },
      ],
      workingDays: [],
    },
  ]);

  it('carries a running deadline onto the new calendar: the working time it gave is kept', () => {
    expect(
      carriedDeadline(cal, confirmed, at('2027-02-01T09:00:00+07:00'), at('2027-02-15T17:00:00+07:00')),
    ).toEqual(at('2027-02-17T17:00:00+07:00'));
  });

  it('moves the answer deadline and derives the ladder from it', () => {
    const next = rederiveDeadlines({
      before: cal,
      after: confirmed,
      policy,
      running: { acceptDueAt: null, dueAt: at('2027-02-15T17:00:00+07:00') },
      clocks: { acceptDueAt: 'working', dueAt: 'working' },
      setAt: at('2027-02-01T09:00:00+07:00'),
      now: at('2027-02-02T12:00:00+07:00'),
      firedSteps: new Set(),
    });
    expect(next?.running).toEqual({ acceptDueAt: null, dueAt: at('2027-02-17T17:00:00+07:00') });
    expect(next?.timers.map((t) => [t.step, t.dueAt])).toEqual([
      ['reminder', at('2027-02-16T17:00:00+07:00')],
      ['overdue', at('2027-02-17T17:00:00+07:00')],
      ['chairman', at('2027-02-18T17:00:00+07:00')],
    ]);
  });

  it('leaves a passed deadline as it was, moves the steps still ahead, and re-arms no step that fired', () => {
    const next = rederiveDeadlines({
      before: cal,
      after: confirmed,
      policy,
      running: { acceptDueAt: null, dueAt: at('2027-02-03T17:00:00+07:00') },
      clocks: { acceptDueAt: 'working', dueAt: 'working' },
      setAt: at('2027-01-27T09:00:00+07:00'),
      now: at('2027-02-04T09:00:00+07:00'),
      firedSteps: new Set(['reminder', 'overdue']),
    });
    expect(next?.running.dueAt).toEqual(at('2027-02-03T17:00:00+07:00'));
    // The chairman is told a working day after the deadline: 11 February was, 15 February is.
    expect(next?.timers.map((t) => [t.step, t.dueAt])).toEqual([
      ['chairman', at('2027-02-15T17:00:00+07:00')],
    ]);
  });

  it('is null when the change moves nothing the case waits for, and never moves a continuous deadline', () => {
    const base = {
      before: cal,
      after: confirmed,
      policy,
      clocks: { acceptDueAt: 'working', dueAt: 'working' } as const,
      now: at('2027-01-05T09:00:00+07:00'),
      firedSteps: new Set<string>(),
    };
    const early = { acceptDueAt: null, dueAt: at('2027-01-12T17:00:00+07:00') };
    expect(rederiveDeadlines({ ...base, running: early, setAt: at('2027-01-05T09:00:00+07:00') })).toBeNull();
    // An urgent case on the continuous clock keeps its deadline; the ladder's working-clock steps move.
    const urgent = { acceptDueAt: null, dueAt: at('2027-02-11T09:00:00+07:00') };
    const continuous = rederiveDeadlines({
      ...base,
      clocks: { acceptDueAt: 'working', dueAt: 'continuous' },
      running: urgent,
      setAt: at('2027-02-11T05:00:00+07:00'),
    });
    expect(continuous?.running.dueAt).toEqual(urgent.dueAt);
    expect(continuous?.timers.find((t) => t.step === 'chairman')?.dueAt).toEqual(
      at('2027-02-15T17:00:00+07:00'),
    );
  });
});
