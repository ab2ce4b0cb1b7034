import { describe, expect, it } from 'vitest';
import { chaseDue, chaseMessage, chaseSummary, vietnamWeekdayHour } from './campaign-chase.ts';

const campaign = { startsOn: '2026-05-15', endsOn: '2026-06-30', chase: { weekdays: [1, 4], hour: 8 } };

describe('chaseDue', () => {
  it('reads the weekday and hour in Vietnam time (UTC+7)', () => {
    // Sunday 2026-05-31 18:30 UTC is Monday 01:30 in Hải Phòng.
    expect(vietnamWeekdayHour(new Date('2026-05-31T18:30:00Z'))).toEqual({ weekday: 1, hour: 1 });
  });

  it('is due on a chasing weekday from the hour on, within the campaign', () => {
    expect(chaseDue(campaign, '2026-06-01', new Date('2026-06-01T00:59:00Z'))).toBe(false); // Mon 07:59
    expect(chaseDue(campaign, '2026-06-01', new Date('2026-06-01T01:00:00Z'))).toBe(true); // Mon 08:00
    expect(chaseDue(campaign, '2026-06-02', new Date('2026-06-02T03:00:00Z'))).toBe(false); // Tuesday
    expect(chaseDue(campaign, '2026-06-04', new Date('2026-06-04T09:00:00Z'))).toBe(true); // Thu 16:00
  });

  it('is never due outside the campaign or without a schedule', () => {
    expect(chaseDue(campaign, '2026-05-11', new Date('2026-05-11T02:00:00Z'))).toBe(false);
    expect(chaseDue(campaign, '2026-07-02', new Date('2026-07-02T02:00:00Z'))).toBe(false);
    expect(chaseDue({ ...campaign, chase: null }, '2026-06-01', new Date('2026-06-01T02:00:00Z'))).toBe(
      false,
    );
  });
});

describe('the messages', () => {
  const c = { name: 'Cài đặt Smart Hải Phòng', endsOn: '2026-06-30' };

  it('tells a unit with no list to send one, with the end date as people write it', () => {
    const m = chaseMessage(c, { name: 'Tổ 5', listed: 0, target: null, rate: null, submitted: false });
    expect(m.title).toBe('Tổ 5: chưa gửi danh sách cài đặt Smart Hải Phòng');
    expect(m.body).toMatch(/kết thúc ngày 30\/06\/2026/);
  });

  it('tells a unit below target where it stands', () => {
    const m = chaseMessage(c, { name: 'Trường THCS', listed: 12, target: 40, rate: 0.3, submitted: true });
    expect(m.body).toMatch(/12 trên chỉ tiêu 40 \(30%\)/);
  });

  it('sums up the chase for the coordinator, naming the units nobody could be told', () => {
    const m = chaseSummary(c, { missing: 3, below: 2, withoutSubmitter: 1 });
    expect(m.body).toMatch(/3 đơn vị chưa gửi danh sách, 2 đơn vị chưa đạt chỉ tiêu/);
    expect(m.body).toMatch(/1 đơn vị chưa có người gửi danh sách/);
  });
});
