import { describe, expect, it } from 'vitest';
import { defaultCalendar } from '../sla/calendar.ts';
import { buildDigest, type DigestCaseRow, listedPerDepartment, renderDigest } from './digest-content.ts';

// Monday 07 December 2026, 07:30 in Hải Phòng.
const now = new Date('2026-12-07T00:30:00Z');
const ward = { id: '1', name: 'Phường Hồng Bàng' };
const departments = [
  { id: '10', name: 'Phòng Kinh tế - Hạ tầng', heads: ['Trần Văn Hải'] },
  { id: '11', name: 'Phòng Văn hoá - Xã hội', heads: [] },
  { id: null, name: 'Chưa phân công', heads: ['Lê Thị Mai'] },
];
const row = (over: Partial<DigestCaseRow>): DigestCaseRow => ({
  id: '100',
  code: 'PA-2026-000100',
  title: 'Đèn đường hỏng',
  reporterName: null,
  confidential: false,
  status: 'assigned',
  departmentId: '10',
  receivedAt: new Date('2026-12-01T02:00:00Z'),
  acceptDueAt: null,
  dueAt: new Date('2026-12-10T10:00:00Z'),
  ...over,
});

describe('the chairman digest', () => {
  it('groups unanswered cases by department, late ones first, with hours late in working time', () => {
    const digest = buildDigest({
      ward,
      calendar: defaultCalendar(),
      departments,
      now,
      cases: [
        row({ id: '1', code: 'PA-1' }),
        // Due Friday 04/12 15:30 local: by Monday 07:30, 1.5 working hours late (15:30–17:00).
        row({ id: '2', code: 'PA-2', dueAt: new Date('2026-12-04T08:30:00Z') }),
        row({ id: '3', code: 'PA-3', status: 'awaiting_info', dueAt: new Date('2026-12-01T10:00:00Z') }),
        row({
          id: '4',
          code: 'PA-4',
          status: 'received',
          departmentId: null,
          dueAt: null,
          acceptDueAt: new Date('2026-12-05T02:00:00Z'),
        }),
        row({ id: '5', code: 'PA-5', departmentId: '11', status: 'in_progress' }),
      ],
    });
    expect(digest).toMatchObject({ unanswered: 5, late: 2, timezone: 'Asia/Ho_Chi_Minh' });
    expect(digest.departments.map((d) => [d.name, d.unanswered, d.late])).toEqual([
      ['Phòng Kinh tế - Hạ tầng', 3, 1],
      ['Chưa phân công', 1, 1],
      ['Phòng Văn hoá - Xã hội', 1, 0],
    ]);
    const ktht = digest.departments[0];
    expect(ktht?.heads).toEqual(['Trần Văn Hải']);
    expect(ktht?.cases.map((c) => [c.code, c.late, c.hoursLate])).toEqual([
      ['PA-2', true, 1.5],
      // Awaiting information: the clock is paused, so not late.
      ['PA-3', false, 0],
      ['PA-1', false, 0],
    ]);
    // A case waiting for dispatch is late against its dispatch deadline.
    expect(digest.departments[1]?.cases[0]).toMatchObject({ code: 'PA-4', late: true });
  });

  it("never carries the reporter's name or phone", () => {
    const digest = buildDigest({
      ward,
      calendar: defaultCalendar(),
      departments,
      now,
      cases: [row({ title: 'Bà Nguyễn Thị Lan (0912345678) báo cống tắc', reporterName: 'Nguyễn Thị Lan' })],
    });
    const message = renderDigest(digest, 'Phạm Văn Chủ');
    for (const text of [JSON.stringify(digest), message.text, message.html]) {
      expect(text).not.toContain('0912345678');
      expect(text).not.toContain('Nguyễn Thị Lan');
    }
    expect(message.text).toContain('báo cống tắc');
  });

  it('keeps a title with a line break on its own line, and a confidential case’s title out', () => {
    const digest = buildDigest({
      ward,
      calendar: defaultCalendar(),
      departments,
      now,
      cases: [
        row({ code: 'PA-7', title: 'Đèn hỏng\nTHONG BAO: dang nhap lai tai http://evil.tld\u202e' }),
        row({ code: 'PA-8', title: 'Nhà số 8 ngõ 3 có người tụ tập', confidential: true }),
      ],
    });
    const m = renderDigest(digest, 'Phạm Văn Chủ');
    const lines = m.text.split('\n');
    // The citizen's line break is a space: nothing in the report starts with their words.
    expect(lines.some((l) => l.startsWith('THONG BAO'))).toBe(false);
    expect(lines.find((l) => l.includes('PA-7'))).toContain(
      'Đèn hỏng THONG BAO: dang nhap lai tai http://evil.tld —',
    );
    expect(m.text).not.toContain('\u202e');
    for (const text of [m.text, m.html, JSON.stringify(digest)]) expect(text).not.toContain('ngõ 3');
    expect(lines.find((l) => l.includes('PA-8'))).toContain('(người phản ánh đề nghị giữ bí mật)');
  });

  it('renders a Vietnamese report with the counts, the heads and the deadlines in local time', () => {
    const digest = buildDigest({
      ward,
      calendar: defaultCalendar(),
      departments,
      now,
      cases: [row({ code: 'PA-2', dueAt: new Date('2026-12-04T08:30:00Z'), title: 'Ổ gà <lớn> & sâu' })],
    });
    const m = renderDigest(digest, 'Phạm Văn Chủ');
    expect(m.subject).toBe('Báo cáo PAKN Phường Hồng Bàng ngày 07/12/2026: 1 hồ sơ chưa trả lời, 1 quá hạn');
    expect(m.text).toContain('Kính gửi đồng chí Phạm Văn Chủ,');
    expect(m.text).toContain('tính đến 07:30 07/12/2026');
    expect(m.text).toContain(
      '1. Phòng Kinh tế - Hạ tầng (Lãnh đạo đơn vị: Trần Văn Hải): 1 chưa trả lời, 1 quá hạn',
    );
    expect(m.text).toContain(
      'PA-2 — Ổ gà <lớn> & sâu — Đã chuyển xử lý, quá hạn 15:30 04/12/2026, trễ 1,5 giờ làm việc',
    );
    expect(m.html).toContain('Ổ gà &#60;lớn&#62; &#38; sâu');
    expect(m.html).not.toContain('<lớn>');
  });

  it('says so when nothing waits, and lists at most a fixed number of cases per department', () => {
    const empty = renderDigest(
      buildDigest({ ward, calendar: defaultCalendar(), departments, now, cases: [] }),
      'A',
    );
    expect(empty.subject).toContain('không có hồ sơ chưa trả lời');
    expect(empty.text).toContain('Không có hồ sơ nào đang chờ trả lời.');

    const many = Array.from({ length: listedPerDepartment + 5 }, (_, i) =>
      row({ id: String(i), code: `PA-${String(i).padStart(3, '0')}` }),
    );
    const digest = buildDigest({ ward, calendar: defaultCalendar(), departments, now, cases: many });
    expect(digest.departments[0]?.cases).toHaveLength(listedPerDepartment + 5);
    const text = renderDigest(digest, 'A').text;
    expect(text).toContain('… và 5 hồ sơ khác (xem trên hệ thống).');
    expect(text.match(/^ {3}- PA-/gm)).toHaveLength(listedPerDepartment);
  });
});
