import { describe, expect, it } from 'vitest';
import type { CaseStatus } from '../../db/types.ts';
import { type CaseState, decideEscalation, type TimerState } from './escalation-decision.ts';
import { defaultEscalationPolicy } from './escalation-policy.ts';

const policy = defaultEscalationPolicy();
const now = new Date('2026-11-23T10:00:00Z');
const due = new Date('2026-11-23T09:59:59Z');
const timer = (step: string, extra: Partial<TimerState> = {}): TimerState => ({
  step,
  generation: 2,
  status: 'pending',
  dueAt: due,
  ...extra,
});
const kase = (status: CaseStatus, slaGeneration = 2): CaseState => ({ status, slaGeneration });

describe('decideEscalation', () => {
  it('fires an answer-deadline step while the answer clock runs', () => {
    for (const status of ['assigned', 'in_progress'] as const) {
      for (const step of ['reminder', 'overdue', 'chairman']) {
        const d = decideEscalation(timer(step), kase(status), policy, now);
        expect(d.fire, `${step} in ${status}`).toBe(true);
        if (d.fire) expect(d.step.key).toBe(step);
      }
    }
  });

  it('fires an acceptance step only while the case waits in received', () => {
    expect(decideEscalation(timer('accept_overdue'), kase('received'), policy, now).fire).toBe(true);
    for (const status of ['assigned', 'in_progress', 'awaiting_info'] as const)
      expect(decideEscalation(timer('accept_overdue'), kase(status), policy, now)).toEqual({
        fire: false,
        reason: 'not_awaiting_dispatch',
      });
  });

  it('does not fire an answer-deadline step while paused or back in received', () => {
    for (const status of ['awaiting_info', 'received'] as const)
      expect(decideEscalation(timer('overdue'), kase(status), policy, now)).toEqual({
        fire: false,
        reason: 'clock_not_running',
      });
  });

  it('never fires for a finished case', () => {
    for (const status of ['answered', 'closed', 'rejected'] as const)
      for (const step of ['accept_overdue', 'reminder', 'overdue', 'chairman'])
        expect(decideEscalation(timer(step), kase(status), policy, now)).toEqual({
          fire: false,
          reason: 'case_finished',
        });
  });

  it('ignores timers of an older SLA generation', () => {
    expect(
      decideEscalation(timer('overdue', { generation: 1 }), kase('in_progress', 2), policy, now),
    ).toEqual({ fire: false, reason: 'stale_generation' });
  });

  it('does nothing for a timer that already fired or was cancelled', () => {
    for (const status of ['fired', 'cancelled'] as const)
      expect(decideEscalation(timer('overdue', { status }), kase('in_progress'), policy, now)).toEqual({
        fire: false,
        reason: 'not_pending',
      });
  });

  it('does not fire a step the ward removed from its ladder', () => {
    const trimmed = { ...policy, steps: policy.steps.filter((s) => s.key !== 'chairman') };
    expect(decideEscalation(timer('chairman'), kase('in_progress'), trimmed, now)).toEqual({
      fire: false,
      reason: 'unknown_step',
    });
  });

  it('asks to wait when delivered before the due time', () => {
    const early = timer('overdue', { dueAt: new Date(now.getTime() + 1500) });
    expect(decideEscalation(early, kase('assigned'), policy, now)).toEqual({
      fire: false,
      reason: 'early',
      inMs: 1500,
    });
    const exactly = timer('overdue', { dueAt: now });
    expect(decideEscalation(exactly, kase('assigned'), policy, now).fire).toBe(true);
  });
});
