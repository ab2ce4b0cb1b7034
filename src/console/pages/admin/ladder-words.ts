import { isValidDuration, parseDuration } from '../../../modules/sla/duration.ts';
import type { EscalationStep } from '../../../modules/sla/escalation-policy.ts';
import { vi } from '../../vi.ts';

const l = vi.adminOps.ladder;

/** A duration in words: "1 ngày", "4 giờ 30 phút" (working time says so: "1 ngày làm việc"). */
export function amountInWords(days: number, seconds: number, working: boolean): string {
  const parts: string[] = [];
  if (days) parts.push(`${days} ngày`);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h) parts.push(`${h} giờ`);
  if (m) parts.push(`${m} phút`);
  if (s) parts.push(`${s} giây`);
  return `${parts.join(' ')}${working ? l.working : ''}`;
}

/**
 * What a step of the ladder does, in a sentence a ward's admin reads: "1 ngày làm việc trước hạn trả
 * lời: báo Trưởng phòng."
 */
export function stepInWords(step: Pick<EscalationStep, 'anchor' | 'offset' | 'clock' | 'notify'>): string {
  const anchor = l.anchorWords[step.anchor] ?? step.anchor;
  const who = step.notify.map((r) => vi.roles[r]).join(', ');
  if (!isValidDuration(step.offset)) return `${l.notifies(who)}.`;
  const d = parseDuration(step.offset);
  const when =
    d.days === 0 && d.seconds === 0
      ? l.at(anchor)
      : (d.sign < 0 ? l.before : l.after)(amountInWords(d.days, d.seconds, step.clock === 'working'), anchor);
  return `${when}: ${l.notifies(who)}.`;
}
