import { describe, expect, it } from 'vitest';
import { parseSearch, phoneSearchKey, windowable } from './case-search.ts';

describe('parseSearch', () => {
  it('splits words on any whitespace and keeps at most eight terms', () => {
    expect(parseSearch('  den \t duong\n')).toEqual({ codes: [], words: ['den', 'duong'] });
    expect(parseSearch(undefined)).toEqual({ codes: [], words: [] });
    expect(parseSearch('a b c d e f g h i j').words).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });

  it('takes whole case codes in any letter case as codes', () => {
    expect(parseSearch('ngoquyen-260824-0042')).toEqual({ codes: ['NGOQUYEN-260824-0042'], words: [] });
    expect(parseSearch('LE_CHAN2-261122-848918 den')).toEqual({
      codes: ['LE_CHAN2-261122-848918'],
      words: ['den'],
    });
  });

  it('leaves parts of codes and other numbers to the text search', () => {
    for (const q of [
      'NGOQUYEN-260824',
      '260824-0042',
      'NGOQUYEN-26082-0042',
      'NGOQUYEN-260824-042',
      '0912345678',
    ])
      expect(parseSearch(q)).toEqual({ codes: [], words: [q] });
  });
});

describe('windowable', () => {
  it('is true for words without digits only', () => {
    expect(windowable(['den', 'duong'])).toBe(true);
    expect(windowable(['so', '12'])).toBe(false);
    expect(windowable([])).toBe(false);
  });
});

describe('phoneSearchKey', () => {
  it('reads one whole phone number however written as its 84… form', () => {
    for (const q of [
      '0912345678',
      '0912 345 678',
      ' +84 912 345 678 ',
      '+84.912.345.678',
      '84912345678',
      '０９１２３４５６７８',
    ])
      expect(phoneSearchKey(q)).toBe('84912345678');
  });

  it('leaves anything else to the text search', () => {
    for (const q of [
      undefined,
      '',
      '091234567',
      '09123456789',
      '0912345678 den',
      'NGOQUYEN-260824-0042',
      '1912345678',
    ])
      expect(phoneSearchKey(q)).toBeUndefined();
  });
});
