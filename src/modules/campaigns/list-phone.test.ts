import { describe, expect, it } from 'vitest';
import { phoneKey } from '../cases/personal-data.ts';
import { nationalNumber, oldMobilePrefixes, parsePhoneCell } from './list-phone.ts';

const numbers = (cell: string | number | null) => parsePhoneCell(cell).numbers;

describe('parsePhoneCell', () => {
  it('reads a number as written, with dots, spaces, dashes or brackets', () => {
    for (const cell of ['0979383369', '0979.383.369', '0979 383 369', '0979-383-369', '(0979) 383 369'])
      expect(parsePhoneCell(cell)).toEqual({ numbers: ['0979383369'], notes: [], problems: [] });
  });

  it('puts back the leading zero a numeric cell lost', () => {
    expect(numbers(979383369)).toEqual(['0979383369']);
    expect(numbers('979383369')).toEqual(['0979383369']);
    expect(numbers(849123456)).toEqual(['0849123456']);
  });

  it('reads the country code: +84, 84, 0084', () => {
    for (const cell of ['+84979383369', '+84 979 383 369', '84979383369', 84979383369, '0084979383369'])
      expect(numbers(cell)).toEqual(['0979383369']);
  });

  it('reads two numbers in one cell, whatever stands between them', () => {
    for (const cell of [
      '0912345678 / 0987654321',
      '0912345678;0987654321',
      '0912345678, 0987654321',
      '0912345678 - 0987654321',
      '0912345678-0987654321',
      '0912.345.678 - 0987.654.321',
      '0912345678 hoặc 0987654321',
      '0912345678\n0987654321',
      '0912345678 0987654321',
      '09123456780987654321',
      'ĐT: 0912345678 (Zalo: 0987654321)',
    ])
      expect(numbers(cell), cell).toEqual(['0912345678', '0987654321']);
  });

  it('keeps one of a number written twice in a cell', () => {
    expect(numbers('0912345678 / +84 912 345 678')).toEqual(['0912345678']);
  });

  it('converts every pre-2018 eleven-digit mobile prefix by the official mapping, and says so', () => {
    expect(Object.keys(oldMobilePrefixes)).toHaveLength(21);
    for (const [from, to] of Object.entries(oldMobilePrefixes)) {
      const read = parsePhoneCell(`${from}7123456`);
      expect(read.numbers).toEqual([`${to}7123456`]);
      expect(read.notes).toEqual([`Số 11 chữ số cũ ${from}7123456 đã được đổi thành ${to}7123456.`]);
    }
    expect(numbers('0162.712.3456')).toEqual(['0327123456']);
    expect(numbers(1237123456)).toEqual(['0837123456']);
    expect(numbers('+84 162 712 3456')).toEqual(['0327123456']);
  });

  it('reports an eleven-digit prefix the mapping does not have', () => {
    expect(parsePhoneCell('01301234567')).toEqual({
      numbers: [],
      notes: [],
      problems: ['Số 01301234567 có đầu số 11 chữ số không còn sử dụng.'],
    });
  });

  it('recognises landlines and reports them: an account needs a mobile number for its OTP', () => {
    for (const [cell, digits] of [
      ['0225 3842 123', '02253842123'],
      ['024.3825.1234', '02438251234'],
      ['+84 225 3842 123', '02253842123'],
    ] as const)
      expect(parsePhoneCell(cell)).toEqual({
        numbers: [],
        notes: [],
        problems: [`Số ${digits} là số máy bàn, không dùng để đăng ký ứng dụng; hãy ghi số di động.`],
      });
  });

  it('keeps the good number of a cell and reports the bad one', () => {
    expect(parsePhoneCell('0912345678 / 0225 3842 123')).toEqual({
      numbers: ['0912345678'],
      notes: [],
      problems: ['Số 02253842123 là số máy bàn, không dùng để đăng ký ứng dụng; hãy ghi số di động.'],
    });
  });

  it('reports what is not a phone number', () => {
    expect(parsePhoneCell('091234567').problems).toEqual([
      '«091234567» không phải số điện thoại di động Việt Nam.',
    ]);
    expect(parsePhoneCell('0412345678').problems).toHaveLength(1);
    expect(parsePhoneCell('12345').problems).toHaveLength(1);
    expect(parsePhoneCell('0979 383 369 12 34 56 7').problems).toEqual([
      'Không đọc được số điện thoại «0979 383 369 12 34 56 7».',
    ]);
    expect(parsePhoneCell(9.79383369e8 + 0.5).problems).toHaveLength(1);
  });

  it('reads nothing, and reports nothing, in an empty cell or one without digits', () => {
    for (const cell of [null, '', '   ', 'không có'])
      expect(parsePhoneCell(cell)).toEqual({ numbers: [], notes: [], problems: [] });
  });

  it('reads full-width digits and ignores invisible characters', () => {
    expect(numbers('０９７９３８３３６９')).toEqual(['0979383369']);
    expect(numbers('0979\u200b383\u200b369')).toEqual(['0979383369']);
  });

  it('gives numbers whose key is the one the rest of pakn uses', () => {
    expect(phoneKey(numbers('0979.383.369')[0] as string)).toBe('84979383369');
    expect(nationalNumber('84979383369')).toEqual({ number: '0979383369' });
  });
});
