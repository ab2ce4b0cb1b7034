import { describe, expect, it } from 'vitest';
import { publishedAnswer, toPublicCase } from './public-view.ts';

describe('toPublicCase', () => {
  const base = {
    code: 'LECHAN-261121-0042',
    status: 'closed' as const,
    received_at: new Date('2026-11-21T01:00:00Z'),
    due_at: new Date('2026-11-28T10:00:00Z'),
    answered_at: new Date('2026-11-22T03:00:00Z'),
    answer_text: 'Đã thay bóng đèn; ông Hùng (0912345678) xác nhận, hàng xóm 0988 111 222 đồng ý.',
    answer_published: null,
    public_answer: null,
    description: 'Tôi là Trần Văn Hùng (0912345678), đèn trước nhà hỏng; ông Tư 0988111222 biết.',
    reporter_name: 'Trần Văn Hùng',
    reporter_phone: '0912345678',
    reporter_confidential: false,
    category_publication: 'public' as const,
    category_name: 'Chiếu sáng công cộng',
    department_name: 'Phòng Kinh tế – Hạ tầng – Đô thị',
    duplicate_of_code: null,
  };

  it('shows status, dates, category, department and the scrubbed published answer, nothing of the reporter', () => {
    const view = toPublicCase(base);
    expect(view).toEqual({
      code: 'LECHAN-261121-0042',
      status: 'closed',
      statusLabel: 'Hoàn thành',
      receivedAt: '2026-11-21T01:00:00.000Z',
      dueAt: '2026-11-28T10:00:00.000Z',
      categoryName: 'Chiếu sáng công cộng',
      departmentName: 'Phòng Kinh tế – Hạ tầng – Đô thị',
      answer: {
        text: 'Đã thay bóng đèn; ông *** (***) xác nhận, hàng xóm *** đồng ý.',
        at: '2026-11-22T03:00:00.000Z',
      },
      duplicateOfCode: null,
      view: 'public',
      description: null,
    });
    expect(JSON.stringify(view)).not.toMatch(/0912345678|Hùng|đèn trước nhà/);
  });

  it('publishes an answer only once the ward office closed the case, as it decided', () => {
    expect(toPublicCase({ ...base, status: 'answered' }).answer).toBeNull();
    expect(toPublicCase({ ...base, answer_published: false }).answer).toBeNull();
    expect(toPublicCase({ ...base, public_answer: 'Đã thay bóng đèn mới.' }).answer?.text).toBe(
      'Đã thay bóng đèn mới.',
    );
    // status_only: not by default; the ward office may still decide to publish an answer.
    expect(toPublicCase({ ...base, category_publication: 'status_only' }).answer).toBeNull();
    expect(
      toPublicCase({ ...base, category_publication: 'status_only', answer_published: true }).answer,
    ).not.toBeNull();
  });

  it('never publishes anything a confidential reporter was told, whatever was decided', () => {
    expect(publishedAnswer({ ...base, reporter_confidential: true, answer_published: true })).toBeNull();
  });

  it("shows the reporter, with their own link, their description and the answer given, others' numbers hidden", () => {
    const view = toPublicCase({ ...base, status: 'answered', reporter_confidential: true }, 'reporter');
    expect(view.view).toBe('reporter');
    expect(view.description).toBe('Tôi là Trần Văn Hùng (0912345678), đèn trước nhà hỏng; ông Tư *** biết.');
    expect(view.answer?.text).toBe('Đã thay bóng đèn; ông Hùng (0912345678) xác nhận, hàng xóm *** đồng ý.');
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
