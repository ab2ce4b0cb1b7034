import { formatDeadline } from '../../shared/vietnam-day.ts';
import { isZeroDuration, parseDuration } from './duration.ts';
import type { EscalationStep } from './escalation-policy.ts';

type EscalationMessageInput = {
  step: Pick<EscalationStep, 'key' | 'anchor' | 'offset'>;
  caseCode: string;
  departmentName: string | null;
  /** The deadline the step is anchored to (the case's acceptDueAt or dueAt), not the step's own time. */
  deadline: Date | null;
  timezone: string;
};

export type Message = { title: string; body: string };

/**
 * The Vietnamese title and body of an in-app escalation notice. The wording follows the step's place
 * on the ladder: before the deadline a reminder, at it an overdue notice, after it a report upward.
 */
export function escalationMessage(input: EscalationMessageInput): Message {
  const { caseCode: code, step } = input;
  const dept = input.departmentName ?? 'Đơn vị xử lý';
  const deadline = input.deadline ? formatDeadline(input.deadline, input.timezone) : 'chưa xác định';
  const offset = parseDuration(step.offset);
  const when = isZeroDuration(offset) ? 'at' : offset.sign < 0 ? 'before' : 'after';

  if (step.anchor === 'acceptDueAt') {
    if (when === 'before')
      return {
        title: `Phản ánh ${code} sắp hết hạn phân loại`,
        body: `Phản ánh ${code} chưa được phân loại, chuyển xử lý; hạn ${deadline}.`,
      };
    return {
      title: `Phản ánh ${code} quá hạn phân loại`,
      body: `Phản ánh ${code} chưa được phân loại, chuyển xử lý hoặc từ chối, hạn ${deadline}.`,
    };
  }
  if (when === 'before')
    return {
      title: `Phản ánh ${code} sắp đến hạn trả lời`,
      body: `${dept} cần trả lời phản ánh ${code} trước ${deadline}.`,
    };
  if (when === 'at')
    return {
      title: `Phản ánh ${code} quá hạn trả lời`,
      body: `Phản ánh ${code}: ${dept} chưa trả lời, hạn ${deadline}.`,
    };
  return {
    title:
      step.key === 'chairman'
        ? `Báo cáo Chủ tịch: phản ánh ${code} quá hạn trả lời`
        : `Phản ánh ${code} vẫn quá hạn trả lời`,
    body: `Phản ánh ${code}: ${dept} vẫn chưa trả lời, đã quá hạn ${deadline}.`,
  };
}
