import type { CaseStatus } from '../../db/types.ts';
import type { EscalationPolicy, EscalationStep } from './escalation-policy.ts';

export type TimerState = {
  step: string;
  generation: number;
  status: 'pending' | 'fired' | 'cancelled';
  dueAt: Date;
};

export type CaseState = { status: CaseStatus; slaGeneration: number };

export type SkipReason =
  | 'not_pending'
  | 'stale_generation'
  | 'case_finished'
  | 'unknown_step'
  | 'not_awaiting_dispatch'
  | 'clock_not_running';

type EscalationDecision =
  | { fire: true; step: EscalationStep }
  | { fire: false; reason: SkipReason }
  /** Delivered before its due time (clock skew between hosts): try again in `inMs`. */
  | { fire: false; reason: 'early'; inMs: number };

const finished: readonly CaseStatus[] = ['answered', 'closed', 'rejected'];

/**
 * Whether a timer's step should fire now, given the case as it is in the same transaction (design.md
 * §5, step 3). Steps anchored to the acceptance deadline warn only while the case still waits for the
 * ward office (`received`); steps anchored to the answer deadline only while the answer clock runs
 * (`assigned`, `in_progress`; `awaiting_info` pauses it). A timer of an older SLA generation, of a step
 * the ward's ladder no longer has, or of a finished case never fires.
 */
export function decideEscalation(
  timer: TimerState,
  kase: CaseState,
  policy: EscalationPolicy,
  now: Date,
): EscalationDecision {
  if (timer.status !== 'pending') return { fire: false, reason: 'not_pending' };
  if (timer.generation !== kase.slaGeneration) return { fire: false, reason: 'stale_generation' };
  if (finished.includes(kase.status)) return { fire: false, reason: 'case_finished' };
  const step = policy.steps.find((s) => s.key === timer.step);
  if (!step) return { fire: false, reason: 'unknown_step' };
  if (step.anchor === 'acceptDueAt' && kase.status !== 'received')
    return { fire: false, reason: 'not_awaiting_dispatch' };
  if (step.anchor === 'dueAt' && kase.status !== 'assigned' && kase.status !== 'in_progress')
    return { fire: false, reason: 'clock_not_running' };
  const inMs = timer.dueAt.getTime() - now.getTime();
  if (inMs > 0) return { fire: false, reason: 'early', inMs };
  return { fire: true, step };
}
