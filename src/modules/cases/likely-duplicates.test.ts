import { describe, expect, it } from 'vitest';
import {
  type DuplicateProbe,
  groupKey,
  matchDuplicate,
  probeWorthLooking,
  similarity,
} from './likely-duplicates.ts';

const probe = (extra: Partial<DuplicateProbe> = {}): DuplicateProbe => ({
  categoryCode: 'thoat_nuoc',
  text: 'Cống thoát nước ngõ 15 bị tắc, nước tràn ra đường khi mưa',
  address: 'Ngõ 15 Lạch Tray',
  residentialGroup: 'Tổ 5',
  ...extra,
});
const unrelated: DuplicateProbe = {
  categoryCode: 'thoat_nuoc',
  text: 'Loa phát thanh không hoạt động',
  address: '200 Văn Cao',
  residentialGroup: 'Tổ 12',
};

describe('similarity', () => {
  it('is 1 for the same words however accented or cased, 0 for nothing in common', () => {
    expect(similarity('Cống THOÁT nước', 'cong thoat nuoc')).toBe(1);
    expect(similarity('đèn đường', 'rác thải')).toBe(0);
    expect(similarity('', 'rác thải')).toBe(0);
  });

  it('is high for the same address written longer', () => {
    expect(similarity('Ngõ 15 Lạch Tray', 'số 3 ngõ 15 lạch tray')).toBeGreaterThanOrEqual(0.5);
  });
});

describe('groupKey', () => {
  it('reads the ways a residential group is written as one', () => {
    for (const g of ['Tổ 5', 'tổ dân phố 5', 'TDP 05', 'to dan pho so 5']) expect(groupKey(g)).toBe('5');
    expect(groupKey('Tổ 15')).not.toBe(groupKey('Tổ 5'));
    expect(groupKey(null)).toBe('');
  });
});

describe('matchDuplicate', () => {
  it('finds a case of the same category in the same group, at a like address or with a like text', () => {
    const same = matchDuplicate(probe(), probe({ text: 'Cống ngõ 15 tắc, nước tràn' }), 0.3);
    expect(same?.reasons).toEqual(expect.arrayContaining(['group', 'address']));
    expect(matchDuplicate(probe(), { ...unrelated, residentialGroup: 'tổ dân phố 5' }, 0.3)?.reasons).toEqual(
      ['group'],
    );
    expect(
      matchDuplicate(
        probe({ address: null, residentialGroup: null }),
        { ...unrelated, text: probe().text },
        0.3,
      )?.reasons,
    ).toEqual(['text']);
  });

  it('never matches another category, nor a case with nothing alike', () => {
    expect(matchDuplicate(probe(), probe({ categoryCode: 'den_duong' }), 0.3)).toBeNull();
    expect(matchDuplicate(probe(), probe({ categoryCode: null }), 0.3)).toBeNull();
    expect(matchDuplicate(probe(), unrelated, 0.3)).toBeNull();
  });

  it('without a category, wants the same place and a like text', () => {
    const typed = probe({ categoryCode: null });
    expect(matchDuplicate(typed, probe({ categoryCode: 'den_duong' }), 0.3)?.reasons).toContain('text');
    expect(matchDuplicate(typed, { ...unrelated, residentialGroup: 'Tổ 5' }, 0.3)).toBeNull();
    expect(matchDuplicate(typed, { ...probe(), address: null, residentialGroup: null }, 0.3)).toBeNull();
  });

  it('does not compare a text too short to say anything', () => {
    const typed = probe({ text: 'Cống', address: null, residentialGroup: null });
    expect(matchDuplicate(typed, probe({ text: 'Cống' }), 0.3)).toBeNull();
    expect(probeWorthLooking(typed)).toBe(false);
    expect(probeWorthLooking(probe({ text: '', address: null, residentialGroup: 'Tổ 5' }))).toBe(true);
  });

  it('scores a case alike in more ways higher', () => {
    const both = matchDuplicate(probe(), probe(), 0.3);
    const groupOnly = matchDuplicate(probe(), { ...unrelated, residentialGroup: 'Tổ 5' }, 0.3);
    expect(both?.score).toBeGreaterThan(groupOnly?.score ?? 1);
  });
});
