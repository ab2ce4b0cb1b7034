import { describe, expect, it } from 'vitest';
import { dueOccurrence, scheduleProblem } from './digest-schedule.ts';

const hcm = 'Asia/Ho_Chi_Minh';
const hours = 3_600_000;

describe('digest schedule', () => {
  it('accepts five-field cron expressions and explains the rest', () => {
    expect(scheduleProblem('30 7 * * 1')).toBeNull();
    expect(scheduleProblem('0 8 * * 1-5')).toBeNull();
    expect(scheduleProblem('30 7 * *')).toMatch(/five cron fields/);
    expect(scheduleProblem('61 7 * * 1')).toMatch(/not a cron expression/);
    expect(scheduleProblem('* * * * * *')).toMatch(/five cron fields/);
  });

  it('is due from Monday 07:30 Vietnam time (00:30 UTC) for the catch-up window', () => {
    const monday = new Date('2026-12-07T00:30:00Z');
    const due = (now: string) =>
      dueOccurrence({ expression: '30 7 * * 1', timeZone: hcm, now: new Date(now), catchUpMs: 24 * hours });
    expect(due('2026-12-07T00:29:59Z')).toBeNull();
    expect(due('2026-12-07T00:30:00Z')).toEqual(monday);
    expect(due('2026-12-07T09:00:00Z')).toEqual(monday);
    expect(due('2026-12-08T00:30:00Z')).toEqual(monday);
    expect(due('2026-12-08T00:30:01Z')).toBeNull();
  });

  it('follows the ward time zone', () => {
    const at = dueOccurrence({
      expression: '30 7 * * 1',
      timeZone: 'Europe/Paris',
      now: new Date('2026-12-07T07:00:00Z'),
      catchUpMs: hours,
    });
    expect(at).toEqual(new Date('2026-12-07T06:30:00Z'));
  });

  it('sends nothing for an occurrence before the ward existed', () => {
    const now = new Date('2026-12-07T02:00:00Z');
    const base = { expression: '30 7 * * 1', timeZone: hcm, now, catchUpMs: 24 * hours };
    expect(dueOccurrence({ ...base, notBefore: new Date('2026-12-07T01:00:00Z') })).toBeNull();
    expect(dueOccurrence({ ...base, notBefore: new Date('2026-12-01T00:00:00Z') })).toEqual(
      new Date('2026-12-07T00:30:00Z'),
    );
  });
});
