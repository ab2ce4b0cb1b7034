import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import {
  decodeCursor,
  encodeCursor,
  idSchema,
  isStorable,
  listQuery,
  page,
  storableString,
  text,
} from './http.ts';

function rejects(cursor: string) {
  try {
    decodeCursor(cursor);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).statusCode).toBe(400);
    expect((err as AppError).errors?.[0]?.path).toBe('cursor');
    return;
  }
  throw new Error(`cursor ${JSON.stringify(cursor)} was accepted`);
}

describe('cursors', () => {
  it('round-trip any id', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 999_999_999_999_999_999n }), (n) => {
        const id = n.toString();
        const c = encodeCursor(id);
        expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodeCursor(c)).toBe(id);
      }),
    );
  });

  it('absent cursor means the first page', () => {
    expect(decodeCursor(undefined)).toBeUndefined();
  });

  it.each([
    'garbage',
    '',
    Buffer.from('id:').toString('base64url'),
    Buffer.from('id:0').toString('base64url'),
    Buffer.from('id:-1').toString('base64url'),
    Buffer.from('id:01').toString('base64url'),
    Buffer.from('id:abc').toString('base64url'),
    Buffer.from('id:1 OR 1=1').toString('base64url'),
    Buffer.from('id:1\n').toString('base64url'),
    Buffer.from('id:1234567890123456789').toString('base64url'),
    Buffer.from('xx:12').toString('base64url'),
    '%%%',
  ])('rejects %j with a 400 naming cursor', (cursor) => {
    rejects(cursor);
  });
});

describe('page', () => {
  const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: String(100 - i) }));

  it('has a next cursor only when more rows than the limit came back', () => {
    expect(page(rows(3), 2, (r) => r.id)).toEqual({ items: ['100', '99'], nextCursor: encodeCursor('99') });
    expect(page(rows(2), 2, (r) => r.id)).toEqual({ items: ['100', '99'], nextCursor: null });
    expect(page(rows(0), 2, (r) => r.id)).toEqual({ items: [], nextCursor: null });
  });
});

describe('schemas', () => {
  it('listQuery bounds limit to 1–200 with default 50', () => {
    expect(listQuery.parse({}).limit).toBe(50);
    expect(listQuery.parse({ limit: '1' }).limit).toBe(1);
    expect(listQuery.parse({ limit: '200' }).limit).toBe(200);
    for (const limit of ['0', '201', '-5', '2.5', 'x'])
      expect(listQuery.safeParse({ limit }).success).toBe(false);
  });

  it('idSchema accepts positive integers only', () => {
    for (const id of ['1', '42', '999999999999999999']) expect(idSchema.safeParse(id).success).toBe(true);
    for (const id of ['0', '01', '-1', 'abc', '1.0', '1e3', '9999999999999999999'])
      expect(idSchema.safeParse(id).success).toBe(false);
  });

  it('text normalises to NFC, trims, then checks the length of the result', () => {
    const s = text(5);
    expect(s.parse('  Đường  '.normalize('NFD'))).toBe('Đường');
    // 'Đường' is 5 characters in NFC but 8 in NFD: the limit applies after normalisation.
    expect(s.safeParse('Đường'.normalize('NFD')).success).toBe(true);
    expect(s.safeParse('   ').success).toBe(false);
    expect(s.safeParse('Đườngx').success).toBe(false);
  });
});

describe('text Postgres can store as given', () => {
  it('refuses U+0000 and lone surrogates, in text() and storableString()', () => {
    for (const bad of ['\u0000', 'a\u0000b', '\uD800', 'x\uDFFFy', '\uDBFF\uDBFF']) {
      expect(isStorable(bad), JSON.stringify(bad)).toBe(false);
      expect(text(100).safeParse(bad).success, JSON.stringify(bad)).toBe(false);
      expect(storableString().safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('keeps everything else, surrogate pairs and control characters included', () => {
    for (const good of ['Đèn đường', '👩‍👩‍👧🇻🇳', '\t\r\n tab', '\u202E', 'e\u0301', '\uFFFF']) {
      expect(isStorable(good), JSON.stringify(good)).toBe(true);
      expect(storableString().parse(good)).toBe(good);
    }
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => isStorable(s) === !s.includes('\u0000')));
  });
});
