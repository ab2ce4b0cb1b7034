import { describe, expect, it } from 'vitest';
import { stepInWords } from './ladder-words.ts';

describe('a ladder step in words', () => {
  it('says when, against which deadline, and whom it tells', () => {
    expect(
      stepInWords({ anchor: 'dueAt', offset: '-P1D', clock: 'working', notify: ['department_head'] }),
    ).toBe('1 ngày làm việc trước hạn trả lời: báo Trưởng phòng.');
    expect(stepInWords({ anchor: 'acceptDueAt', offset: 'PT0S', clock: 'working', notify: ['intake'] })).toBe(
      'Đúng lúc đến hạn phân loại: báo Cán bộ tiếp nhận.',
    );
    expect(
      stepInWords({
        anchor: 'dueAt',
        offset: 'PT4H30M',
        clock: 'continuous',
        notify: ['chairman', 'intake'],
      }),
    ).toBe('4 giờ 30 phút sau hạn trả lời: báo Chủ tịch UBND, Cán bộ tiếp nhận.');
  });
});
