import { describe, expect, it } from 'vitest';
import type { CitizenMessageKind } from '../../db/types.ts';
import { trackingUrlFor } from '../cases/tracking-link.ts';
import { type CitizenMessageInput, renderCitizenMessage } from './citizen-templates.ts';

const base = (kind: CitizenMessageKind, extra: Partial<CitizenMessageInput> = {}): CitizenMessageInput => ({
  kind,
  code: 'VIETHOA-261205-0042',
  wardName: 'Phường Việt Hoà',
  categoryName: 'Chiếu sáng công cộng',
  identifying: true,
  trackingUrl: (code) =>
    trackingUrlFor(
      'https://pakn.example.vn/tra-cuu/{code}',
      code,
      code === 'VIETHOA-261205-0042' ? 'Abc_def-0123456789xyzW' : undefined,
    ),
  timezone: 'Asia/Ho_Chi_Minh',
  data: {},
  ...extra,
});

const kinds: CitizenMessageKind[] = ['received', 'assigned', 'answered', 'closed', 'rejected'];

describe('renderCitizenMessage', () => {
  it("tells the reporter of a receipt with the category, the code and the reporter's own tracking link", () => {
    const m = renderCitizenMessage(base('received'), { diacritics: true });
    expect(m.text).toBe(
      'UBND Phường Việt Hoà đã tiếp nhận phản ánh về Chiếu sáng công cộng mã VIETHOA-261205-0042. Theo dõi tại https://pakn.example.vn/tra-cuu/VIETHOA-261205-0042?t=Abc_def-0123456789xyzW',
    );
    expect(m).toMatchObject({ encoding: 'ucs2', diacritics: true });
    expect(m.segments).toBe(Math.ceil([...m.text].length / 67));
  });

  it('names the department and the deadline, in ward time, when the case was assigned', () => {
    const data = { departmentName: 'Phòng Kinh tế – Hạ tầng – Đô thị', dueAt: '2026-12-11T10:00:00Z' };
    const received = renderCitizenMessage(base('received', { data }), { diacritics: true }).text;
    expect(received).toContain(
      'và chuyển Phòng Kinh tế – Hạ tầng – Đô thị xử lý, hạn trả lời 17:00 11/12/2026.',
    );
    const assigned = renderCitizenMessage(base('assigned', { data }), { diacritics: false }).text;
    expect(assigned).toBe(
      'Phan anh ve Chieu sang cong cong ma VIETHOA-261205-0042 da duoc chuyen Phong Kinh te - Ha tang - Do thi xu ly, han tra loi 17:00 11/12/2026. Theo doi tai https://pakn.example.vn/tra-cuu/VIETHOA-261205-0042?t=Abc_def-0123456789xyzW',
    );
  });

  it('without diacritics every template fits the GSM alphabet, in fewer segments', () => {
    for (const kind of kinds) {
      const input = base(kind, { data: { departmentName: 'Phòng Văn hoá – Xã hội', reason: 'unclear' } });
      const plain = renderCitizenMessage(input, { diacritics: false });
      const marked = renderCitizenMessage(input, { diacritics: true });
      expect(plain.encoding, kind).toBe('gsm7');
      expect(marked.encoding, kind).toBe('ucs2');
      expect(plain.segments, kind).toBeLessThan(marked.segments);
      expect(plain.text).not.toMatch(/[^\x20-\x7e]/);
    }
  });

  it('names nothing but the code for a confidential or anonymous reporter', () => {
    for (const kind of kinds) {
      const m = renderCitizenMessage(base(kind, { identifying: false }), { diacritics: true });
      expect(m.text, kind).toContain('VIETHOA-261205-0042');
      expect(m.text, kind).not.toContain('Chiếu sáng');
    }
  });

  it('carries no text a caller chose: the same message whatever the title, description or name', () => {
    // The input has no title to take: what a caller wrote cannot reach it. A case without a category
    // is named by its code alone.
    const m = renderCitizenMessage(base('received', { categoryName: null }), { diacritics: true });
    expect(m.text).toBe(
      'UBND Phường Việt Hoà đã tiếp nhận phản ánh mã VIETHOA-261205-0042. Theo dõi tại https://pakn.example.vn/tra-cuu/VIETHOA-261205-0042?t=Abc_def-0123456789xyzW',
    );
  });

  it("tells a duplicate's reporter the original's code and where to follow it", () => {
    const m = renderCitizenMessage(
      base('rejected', { data: { reason: 'duplicate', duplicateOfCode: 'VIETHOA-261201-0007' } }),
      { diacritics: true },
    );
    expect(m.text).toContain('trùng với phản ánh mã VIETHOA-261201-0007');
    // The original is another reporter's: its public link, without a token.
    expect(m.text).toMatch(/https:\/\/pakn\.example\.vn\/tra-cuu\/VIETHOA-261201-0007$/);
  });

  it('gives the reason of a refusal in Vietnamese', () => {
    const m = renderCitizenMessage(base('rejected', { data: { reason: 'complaint_procedure' } }), {
      diacritics: true,
    });
    expect(m.text).toContain('không tiếp nhận phản ánh');
    expect(m.text).toContain('thuộc thủ tục khiếu nại, tố cáo');
  });
});
