import { describe, expect, it } from 'vitest';
import { addressKey, groupMatcher, groupNumberOf } from './residential-address.ts';

describe('groupNumberOf', () => {
  it('reads the group number however it is written', () => {
    for (const text of [
      'tổ 5',
      'Tổ 5',
      'tổ dân phố 5',
      'Tổ dân phố số 05',
      'TDP 05',
      'TDP số 5',
      'Tổ 5 - phường Việt Hoà',
      'Số 12 ngõ 3, tổ 5',
    ])
      expect(groupNumberOf(text), text).toBe(5);
  });

  it('reads no group where there is none', () => {
    for (const text of ['Trường THCS Việt Hoà', 'Tổ chức Đoàn', 'Số 5 Lê Lợi', ''])
      expect(groupNumberOf(text), text).toBeUndefined();
  });
});

describe('groupMatcher', () => {
  const match = groupMatcher([
    { id: 'g5', name: 'Tổ 5' },
    { id: 'g12', name: 'Tổ dân phố số 12' },
    { id: 'gdh', name: 'Tổ dân phố Đông Hải' },
  ]);

  it('matches an address to the group of its number or its name', () => {
    expect(match('tổ 5')).toBe('g5');
    expect(match('TDP 05')).toBe('g5');
    expect(match('Tổ 5 - phường Việt Hoà')).toBe('g5');
    expect(match('Số 7 ngõ 2, tổ dân phố 12')).toBe('g12');
    expect(match('Số 3 khu Đông Hải, phường Việt Hoà')).toBe('gdh');
  });

  it('matches nothing for a number no group has, or an address naming no group', () => {
    expect(match('Tổ 9')).toBeNull();
    expect(match('UBND phường Việt Hoà')).toBeNull();
  });
});

describe('addressKey', () => {
  it('writes one address one way', () => {
    const key = addressKey('Số 12 ngõ 5, Tổ 5, phường Việt Hoà, TP Hải Phòng');
    expect(key).toBe('12 ngo 5 to 5');
    for (const a of ['12 Ngõ 5 - TDP 05', 'số nhà 12, ngõ 5, tổ dân phố số 5', '12  ngõ 5 tổ 5 P. Việt Hoà'])
      expect(addressKey(a), a).toBe(key);
    expect(addressKey('14 ngõ 5 tổ 5')).not.toBe(key);
  });
});
