import { describe, expect, it } from 'vitest';
import { fillPlaceholders, type PlaceholderCase } from './placeholders.ts';

const kase: PlaceholderCase = {
  code: 'VIETHOA-261215-0007',
  // 17:30 UTC on the 14th is 00:30 on the 15th in Vietnam.
  receivedAt: '2026-12-14T17:30:00Z',
  reporter: { name: 'Nguyễn Văn A', confidential: false },
};

describe('fillPlaceholders', () => {
  it("replaces the case's code, the day it was received (Vietnam time) and the reporter's name", () => {
    expect(
      fillPlaceholders(
        'Kính gửi {{ten_nguoi_phan_anh}}, phản ánh {{ma_phan_anh}} tiếp nhận ngày {{ngay_tiep_nhan}}.',
        kase,
      ),
    ).toBe('Kính gửi Nguyễn Văn A, phản ánh VIETHOA-261215-0007 tiếp nhận ngày 15/12/2026.');
  });

  it('replaces every occurrence, with spaces inside the braces', () => {
    expect(fillPlaceholders('{{ ma_phan_anh }} / {{ma_phan_anh}}', kase)).toBe(
      'VIETHOA-261215-0007 / VIETHOA-261215-0007',
    );
  });

  it('writes "ông/bà" where the role may not see the reporter, the reporter is confidential or unnamed', () => {
    const greeting = 'Kính gửi {{ten_nguoi_phan_anh}}.';
    expect(fillPlaceholders(greeting, { ...kase, reporter: null })).toBe('Kính gửi ông/bà.');
    expect(fillPlaceholders(greeting, { ...kase, reporter: { name: 'Trần B', confidential: true } })).toBe(
      'Kính gửi ông/bà.',
    );
    expect(fillPlaceholders(greeting, { ...kase, reporter: { name: null, confidential: false } })).toBe(
      'Kính gửi ông/bà.',
    );
    expect(fillPlaceholders(greeting, { ...kase, reporter: { name: '  ', confidential: false } })).toBe(
      'Kính gửi ông/bà.',
    );
  });

  it('leaves unknown placeholders and other braces as written', () => {
    expect(fillPlaceholders('{{ten_can_bo}} {x} {{}} {{MA_PHAN_ANH}}', kase)).toBe(
      '{{ten_can_bo}} {x} {{}} {{MA_PHAN_ANH}}',
    );
  });

  it('does not expand a value that itself looks like a placeholder', () => {
    const tricky = { ...kase, reporter: { name: '{{ma_phan_anh}}', confidential: false } };
    expect(fillPlaceholders('{{ten_nguoi_phan_anh}}', tricky)).toBe('{{ma_phan_anh}}');
  });

  it('takes the day in the time zone given', () => {
    expect(fillPlaceholders('{{ngay_tiep_nhan}}', kase, 'UTC')).toBe('14/12/2026');
  });
});
