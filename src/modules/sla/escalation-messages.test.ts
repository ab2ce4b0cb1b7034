import { describe, expect, it } from 'vitest';
import { formatDeadline } from '../../shared/vietnam-day.ts';
import { escalationMessage } from './escalation-messages.ts';
import { defaultEscalationPolicy } from './escalation-policy.ts';

const steps = Object.fromEntries(defaultEscalationPolicy().steps.map((s) => [s.key, s]));
const step = (key: string) => {
  const s = steps[key];
  if (!s) throw new Error(key);
  return s;
};
const base = {
  caseCode: 'VIETHOA-261121-0042',
  departmentName: 'Phòng Kinh tế – Hạ tầng – Đô thị',
  deadline: new Date('2026-11-23T10:00:00Z'),
  timezone: 'Asia/Ho_Chi_Minh',
};

describe('escalationMessage', () => {
  it('writes the deadline in Vietnam local time', () => {
    expect(formatDeadline(new Date('2026-11-23T10:00:00Z'), 'Asia/Ho_Chi_Minh')).toBe('17:00 23/11/2026');
    expect(formatDeadline(new Date('2026-12-31T17:05:00Z'), 'Asia/Ho_Chi_Minh')).toBe('00:05 01/01/2027');
  });

  it('tells the ward office and the head that the answer is overdue', () => {
    expect(escalationMessage({ ...base, step: step('overdue') })).toEqual({
      title: 'Phản ánh VIETHOA-261121-0042 quá hạn trả lời',
      body: 'Phản ánh VIETHOA-261121-0042: Phòng Kinh tế – Hạ tầng – Đô thị chưa trả lời, hạn 17:00 23/11/2026.',
    });
  });

  it('reminds before the deadline and reports to the chairman after it', () => {
    const reminder = escalationMessage({ ...base, step: step('reminder') });
    expect(reminder.title).toBe('Phản ánh VIETHOA-261121-0042 sắp đến hạn trả lời');
    expect(reminder.body).toContain('trước 17:00 23/11/2026');
    const chairman = escalationMessage({ ...base, step: step('chairman') });
    expect(chairman.title).toBe('Báo cáo Chủ tịch: phản ánh VIETHOA-261121-0042 quá hạn trả lời');
    expect(chairman.body).toContain('Phòng Kinh tế – Hạ tầng – Đô thị vẫn chưa trả lời');
  });

  it('warns the ward office about a case nobody dispatched', () => {
    const m = escalationMessage({ ...base, departmentName: null, step: step('accept_overdue') });
    expect(m.title).toBe('Phản ánh VIETHOA-261121-0042 quá hạn phân loại');
    expect(m.body).toContain('hạn 17:00 23/11/2026');
  });

  it('words custom steps by their place on the ladder', () => {
    const late = escalationMessage({
      ...base,
      step: { key: 'second_notice', anchor: 'dueAt', offset: 'PT4H' },
    });
    expect(late.title).toBe('Phản ánh VIETHOA-261121-0042 vẫn quá hạn trả lời');
    const early = escalationMessage({
      ...base,
      step: { key: 'accept_soon', anchor: 'acceptDueAt', offset: '-PT1H' },
    });
    expect(early.title).toBe('Phản ánh VIETHOA-261121-0042 sắp hết hạn phân loại');
  });
});
