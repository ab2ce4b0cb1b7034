import { describe, expect, it } from 'vitest';
import { scrubPersonalData, toPublicCase } from './public-view.ts';

describe('scrubPersonalData', () => {
  it('hides phone numbers however they are written', () => {
    for (const phone of [
      '0912345678',
      '0912 345 678',
      '0912.345.678',
      '+84 912 345 678',
      '84912345678',
      '0225-3842-123',
    ])
      expect(scrubPersonalData(`Liên hệ ${phone} nhé.`, null)).toBe('Liên hệ *** nhé.');
  });

  it('keeps short numbers: house numbers, the hotline, dates, amounts', () => {
    const text = 'Số nhà 12, gọi 1022, ngày 21/11/2026, kinh phí 15.000.000 đồng.';
    expect(scrubPersonalData(text, null)).toBe(text);
  });

  it("hides the reporter's full name in any case, with or without accents", () => {
    const name = 'Nguyễn Thị Hường';
    expect(scrubPersonalData('Gửi Nguyễn Thị Hường: đã sửa.', name)).toBe('Gửi ***: đã sửa.');
    expect(scrubPersonalData('Gửi NGUYỄN THỊ HƯỜNG, nguyen thi huong.', name)).toBe('Gửi ***, ***.');
    expect(scrubPersonalData('Gửi Nguyễn Thị Hường.'.normalize('NFD'), name.normalize('NFD'))).toBe(
      'Gửi ***.',
    );
  });

  it('hides a given name after a form of address, and keeps the form', () => {
    const name = 'Trần Văn Hùng';
    expect(scrubPersonalData('Cảm ơn ông Hùng và anh Văn Hùng đã phản ánh.', name)).toBe(
      'Cảm ơn ông *** và anh *** đã phản ánh.',
    );
  });

  it('leaves the same words elsewhere alone (whole words, and no form of address)', () => {
    const name = 'Lê Văn An';
    const text = 'Bảo đảm an toàn; văn bản số 5; Phố Lê Văn Hưu.';
    expect(scrubPersonalData(text, name)).toBe(text);
    expect(scrubPersonalData('Ông An ở Lê Văn An.', name)).toBe('Ông *** ở ***.');
  });
});

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
