import { describe, expect, it } from 'vitest';
import { matchCategory } from './category-match.ts';

const categories = [
  { code: 'thoat_nuoc', name: 'Thoát nước' },
  { code: 'den_duong', name: 'Đèn đường, chiếu sáng' },
  { code: 'trat_tu_do_thi', name: 'Trật tự đô thị' },
  { code: 'trat_tu_xay_dung', name: 'Trật tự xây dựng' },
];

describe('matchCategory', () => {
  it('finds a category by its whole name or code, however accented or cased', () => {
    expect(matchCategory('thoat nuoc', categories)).toEqual({
      kind: 'found',
      code: 'thoat_nuoc',
      name: 'Thoát nước',
    });
    expect(matchCategory('  ĐÈN ĐƯỜNG, CHIẾU SÁNG ', categories)).toMatchObject({ code: 'den_duong' });
    expect(matchCategory('trat_tu_xay_dung', categories)).toMatchObject({ code: 'trat_tu_xay_dung' });
  });

  it('takes the first letters of one name, or of a word in one name', () => {
    expect(matchCategory('Thoat', categories)).toMatchObject({ kind: 'found', code: 'thoat_nuoc' });
    expect(matchCategory('den', categories)).toMatchObject({ code: 'den_duong' });
    expect(matchCategory('chieu sang', categories)).toMatchObject({ code: 'den_duong' });
    expect(matchCategory('trat tu x', categories)).toMatchObject({ code: 'trat_tu_xay_dung' });
  });

  it('names the candidates when what was typed begins several names', () => {
    expect(matchCategory('trat tu', categories)).toEqual({
      kind: 'ambiguous',
      names: ['Trật tự đô thị', 'Trật tự xây dựng'],
    });
  });

  it('says nothing was chosen for an empty field, and unknown for a name that is not there', () => {
    expect(matchCategory('', categories)).toEqual({ kind: 'none' });
    expect(matchCategory(undefined, categories)).toEqual({ kind: 'none' });
    expect(matchCategory('môi trường', categories)).toEqual({ kind: 'unknown' });
    expect(matchCategory('uong', categories)).toEqual({ kind: 'unknown' });
  });
});
