import { describe, expect, it } from 'vitest';
import {
  open311Status,
  parseAttributes,
  type RequestRow,
  statusNotes,
  toServiceRequest,
} from './open311-view.ts';

const row: RequestRow = {
  code: 'LECHAN-261205-0042',
  status: 'in_progress',
  category_code: 'chieu_sang',
  category_name: 'Chiếu sáng công cộng',
  department_name: 'Phòng Kinh tế – Hạ tầng – Đô thị',
  description: 'Nhà bà Trần Thị Lan (0912 345 678) bị tối.',
  reporter_name: 'Trần Thị Lan',
  reporter_confidential: false,
  location_address: '5 Tô Hiệu',
  location_lat: 20.85,
  location_lng: 106.68,
  attachments: [{ url: 'https://example.org/a.jpg' }],
  answer_text: null,
  answered_at: null,
  answer_published: null,
  public_answer: null,
  category_publication: 'public',
  reject_reason: null,
  duplicate_of_code: null,
  received_at: new Date('2026-12-05T01:00:00Z'),
  updated_at: new Date('2026-12-05T02:00:00Z'),
  closed_at: null,
  due_at: new Date('2026-12-11T10:00:00Z'),
};

describe('open311Status', () => {
  it('is closed once finished or refused, open otherwise', () => {
    expect(open311Status('closed')).toBe('closed');
    expect(open311Status('rejected')).toBe('closed');
    for (const s of ['received', 'assigned', 'in_progress', 'awaiting_info', 'answered'] as const)
      expect(open311Status(s)).toBe('open');
  });
});

describe('statusNotes', () => {
  it('gives the status label while the case is handled', () => {
    expect(statusNotes(row)).toBe('Đang xử lý');
  });
  it('gives the scrubbed answer once the ward office has closed the case and published it', () => {
    const answered = {
      ...row,
      status: 'answered' as const,
      answer_text: 'Đã sửa; bà Lan gọi 0912345678.',
      answered_at: new Date(),
    };
    expect(statusNotes(answered)).toBe('Đã trả lời');
    expect(statusNotes({ ...answered, status: 'closed' })).toBe('Đã sửa; bà *** gọi ***.');
    expect(statusNotes({ ...answered, status: 'closed', answer_published: false })).toBe('Hoàn thành');
    expect(statusNotes({ ...answered, status: 'closed', category_publication: 'status_only' })).toBe(
      'Hoàn thành',
    );
  });
  it("gives a refusal's reason, and a duplicate's original", () => {
    expect(
      statusNotes({
        ...row,
        status: 'rejected',
        reject_reason: 'duplicate',
        duplicate_of_code: 'LECHAN-261201-0001',
      }),
    ).toBe('Từ chối tiếp nhận: trùng với phản ánh đã tiếp nhận; phản ánh gốc: LECHAN-261201-0001.');
  });
});

describe('toServiceRequest', () => {
  it('maps the case and hides the reporter', () => {
    const r = toServiceRequest(row);
    expect(r).toMatchObject({
      service_request_id: 'LECHAN-261205-0042',
      status: 'open',
      service_code: 'chieu_sang',
      agency_responsible: 'Phòng Kinh tế – Hạ tầng – Đô thị',
      expected_datetime: '2026-12-11T10:00:00.000Z',
      requested_datetime: '2026-12-05T01:00:00.000Z',
      updated_datetime: '2026-12-05T02:00:00.000Z',
      description: 'Nhà bà *** (***) bị tối.',
      address: '5 Tô Hiệu',
      media_url: 'https://example.org/a.jpg',
    });
  });
  it('shows nothing of what or where of a status_only case: a confidential reporter’s, or its category’s choice', () => {
    const closed = {
      ...row,
      status: 'closed' as const,
      answer_text: 'Đã khám xét nhà số 8.',
      answered_at: new Date(),
    };
    for (const r of [
      toServiceRequest({ ...closed, reporter_confidential: true }),
      toServiceRequest({ ...closed, category_publication: 'status_only' }),
    ]) {
      expect(r).toMatchObject({
        description: null,
        status_notes: 'Hoàn thành',
        address: null,
        lat: null,
        long: null,
        media_url: null,
        agency_responsible: 'Phòng Kinh tế – Hạ tầng – Đô thị',
        service_name: 'Chiếu sáng công cộng',
      });
    }
  });
  it('cuts a description to 4,000 characters', () => {
    const r = toServiceRequest({ ...row, description: 'a'.repeat(5000) });
    expect([...(r.description ?? '')].length).toBe(4000);
  });
});

describe('parseAttributes', () => {
  it('maps the attributes onto the case', () => {
    expect(
      parseAttributes({
        title: ' Đèn hỏng ',
        urgency: 'urgent',
        residential_group: 'Tổ 5',
        confidential: 'true',
      }),
    ).toEqual({
      ok: true,
      value: { title: 'Đèn hỏng', urgency: 'urgent', residentialGroup: 'Tổ 5', confidential: true },
    });
    expect(parseAttributes({})).toEqual({ ok: true, value: { urgency: 'normal', confidential: false } });
  });
  it('names every attribute it refuses', () => {
    const r = parseAttributes({ urgency: 'gap', mau: 'do', title: 'x'.repeat(201) });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems).toEqual([
        'attribute[urgency]: chỉ nhận normal, urgent',
        'attribute[mau]: không có thuộc tính này',
        'attribute[title]: tối đa 200 ký tự',
      ]);
  });
});
