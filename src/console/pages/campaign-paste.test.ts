import { describe, expect, it } from 'vitest';
import { countOf, parsePastedGroups } from './campaign-paste.ts';

describe('groups pasted from Excel', () => {
  it('reads tab-separated lines as Excel copies them, skipping the header and an Stt column', () => {
    const pasted = [
      'Stt\tTên tổ\tSố hộ\tSố hộ có ĐTTM',
      '1\tTổ dân phố số 1\t1.234\t1.100',
      '2\tTổ dân phố số 2\t200\t150\t',
      '',
    ].join('\r\n');
    expect(parsePastedGroups(pasted)).toEqual({
      groups: [
        { line: 2, name: 'Tổ dân phố số 1', households: 1234, smartphoneHouseholds: 1100 },
        { line: 3, name: 'Tổ dân phố số 2', households: 200, smartphoneHouseholds: 150 },
      ],
      problems: [],
    });
  });

  it('names every line that will not do, by its number in what was pasted, and keeps the good ones', () => {
    const pasted = [
      'Tổ 1\t120\t100',
      'Tổ 2\tmột trăm\t90',
      'Tổ 3\t50\t60',
      'Tổ 4\t70',
      'tổ 1\t130\t110',
      'Tổ 5; 80; 75',
    ].join('\n');
    const { groups, problems } = parsePastedGroups(pasted);
    expect(groups.map((g) => [g.line, g.name])).toEqual([
      [1, 'Tổ 1'],
      [6, 'Tổ 5'],
    ]);
    expect(problems).toEqual([
      'Dòng 2: Số hộ «một trăm» không phải số nguyên không âm.',
      'Dòng 3: số hộ có điện thoại thông minh lớn hơn số hộ.',
      'Dòng 4: cần ba cột: tên tổ, số hộ, số hộ có điện thoại thông minh.',
      'Dòng 5: «tổ 1» đã có ở dòng 1.',
    ]);
  });

  it('says so when nothing was pasted', () => {
    expect(parsePastedGroups(' \n\t\n').problems).toEqual(['Hãy dán ít nhất một dòng.']);
  });

  it('reads counts with or without thousands separators, and nothing else', () => {
    expect([countOf('1.234'), countOf('1,234'), countOf('1 234'), countOf('87'), countOf(' 0 ')]).toEqual([
      1234, 1234, 1234, 87, 0,
    ]);
    expect([countOf('1.5'), countOf('-3'), countOf(''), countOf('12a'), countOf('99999999')]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
  });
});
