import { describe, expect, it } from 'vitest';
import { toPublicCase } from './public-view.ts';

describe('toPublicCase', () => {
  const base = {
    code: 'LECHAN-261121-0042',
    status: 'answered' as const,
    received_at: new Date('2026-11-21T01:00:00Z'),
    due_at: new Date('2026-11-28T10:00:00Z'),
    answered_at: new Date('2026-11-22T03:00:00Z'),
    answer_text: 'Đã thay bóng đèn; ông Hùng (0912345678) xác nhận.',
    reporter_name: 'Trần Văn Hùng',
    duplicate_of_code: null,
  };

  it('shows status, label, dates and the scrubbed answer, nothing of the reporter', () => {
    const view = toPublicCase(base);
    expect(view).toEqual({
      code: 'LECHAN-261121-0042',
      status: 'answered',
      statusLabel: 'Đã trả lời',
      receivedAt: '2026-11-21T01:00:00.000Z',
      dueAt: '2026-11-28T10:00:00.000Z',
      answer: { text: 'Đã thay bóng đèn; ông *** (***) xác nhận.', at: '2026-11-22T03:00:00.000Z' },
      duplicateOfCode: null,
    });
    expect(JSON.stringify(view)).not.toMatch(/0912345678|Hùng/);
  });

  it("names the original's code when refused as its duplicate", () => {
    const view = toPublicCase({
      ...base,
      status: 'rejected',
      answer_text: null,
      answered_at: null,
      duplicate_of_code: 'LECHAN-261120-0007',
    });
    expect(view).toMatchObject({
      statusLabel: 'Từ chối tiếp nhận',
      duplicateOfCode: 'LECHAN-261120-0007',
      dueAt: null,
    });
  });

  it('has no answer until one is given', () => {
    expect(
      toPublicCase({ ...base, status: 'in_progress', answer_text: null, answered_at: null }).answer,
    ).toBeNull();
  });
});
