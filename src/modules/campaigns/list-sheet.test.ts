import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.ts';
import { type Cell, parseListSheet } from './list-sheet.ts';

const header = [
  'Stt',
  'Họ và tên',
  'Số điện thoại',
  'Cơ quan/đơn vị/doanh nghiệp/tổ chức',
  'Địa chỉ hiện tại',
];
const titles: Cell[][] = [
  ['UBND PHƯỜNG VIỆT HOÀ', null, null, 'CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM'],
  ['Đơn vị: Tổ dân phố số 5', null, null, 'Độc lập - Tự do - Hạnh phúc'],
  [],
  ['DANH SÁCH CÀI ĐẶT ỨNG DỤNG SMART HẢI PHÒNG', 'DANH SÁCH CÀI ĐẶT ỨNG DỤNG SMART HẢI PHÒNG'],
  [null, '(Kèm theo Công văn số 220/TB-VP)'],
];
const parse = (sheet: Cell[][], maxRows = 100) => parseListSheet(sheet, { maxRows });

describe('parseListSheet: the header', () => {
  it('finds the header below title rows and keeps spreadsheet row numbers', () => {
    const list = parse([...titles, header, [1, 'Nguyễn Văn An', 979383369, 'Tổ 5', 'Số 3 ngõ 12, Tổ 5']]);
    expect(list.headerRow).toBe(6);
    expect(list.entries).toEqual([
      {
        row: 7,
        name: 'Nguyễn Văn An',
        phones: ['0979383369'],
        organisation: 'Tổ 5',
        address: 'Số 3 ngõ 12, Tổ 5',
        household: null,
      },
    ]);
    expect(list.problems).toEqual([]);
  });

  it('matches header cells without accents or case, with line breaks and extra words', () => {
    const list = parse([
      ...titles,
      [
        'STT',
        'HO VA TEN\n(ghi đầy đủ)',
        'Số điện\nthoại đăng ký',
        'Cơ quan,\nđơn vị',
        'Địa chỉ hiện tại\n(nơi ở hoặc nơi làm việc)',
        'Mã hộ',
      ],
      [1, 'Trần Thị Bình', '0912.345.678', 'Trường THCS Việt Hoà', 'Tổ 3', 'H-0031'],
    ]);
    expect(list.entries).toMatchObject([
      { row: 7, name: 'Trần Thị Bình', address: 'Tổ 3', household: 'H-0031' },
    ]);
  });

  it('reads a header split over two rows', () => {
    const list = parse([
      ...titles,
      ['Stt', 'Họ và', 'Số điện', 'Cơ quan/đơn vị/', 'Địa chỉ', 'Chủ hộ'],
      [null, 'tên', 'thoại', 'doanh nghiệp/tổ chức', 'hiện tại', null],
      ['(1)', '(2)', '(3)', '(4)', '(5)', '(6)'],
      [1, 'Lê Văn Cường', '0987654321', null, 'Tổ 1', 'Lê Văn Cường'],
    ]);
    expect(list.headerRow).toBe(7);
    expect(list.entries).toMatchObject([{ row: 9, name: 'Lê Văn Cường', household: 'Lê Văn Cường' }]);
    expect(list.problems).toEqual([]);
  });

  it('refuses, in Vietnamese, a sheet without the template header', () => {
    expect(() =>
      parse([
        ['Họ tên', 'Ghi chú'],
        ['An', 'x'],
      ]),
    ).toThrow(AppError);
    expect(() => parse([['Họ tên', 'Ghi chú']])).toThrow(/Không tìm thấy dòng tiêu đề/);
  });

  it('reports a missing template column once, at the header', () => {
    const list = parse([
      ['Stt', 'Họ và tên', 'Số điện thoại'],
      [1, 'An', '0912345678'],
    ]);
    expect(list.problems).toEqual([
      {
        row: 1,
        column: 'Cơ quan/đơn vị/doanh nghiệp/tổ chức',
        message: 'Thiếu cột «Cơ quan/đơn vị/doanh nghiệp/tổ chức» của mẫu.',
      },
      { row: 1, column: 'Địa chỉ hiện tại', message: 'Thiếu cột «Địa chỉ hiện tại» của mẫu.' },
    ]);
    expect(list.entries).toHaveLength(1);
  });
});

describe('parseListSheet: the rows', () => {
  it('skips blank rows, repeated headers, numbering rows, pre-numbered empty rows and the footer', () => {
    const list = parse([
      ...titles,
      header,
      ['(1)', '(2)', '(3)', '(4)', '(5)'],
      [1, '  Nguyễn   Văn An ', '0979 383 369', null, 'Tổ 5'],
      [],
      [null, '', '  ', null],
      header,
      ['STT', 'HỌ VÀ TÊN', 'SỐ ĐIỆN THOẠI', 'CƠ QUAN', 'ĐỊA CHỈ'],
      [2, 'Phạm Thị Dung', '0912345678 / 0987654321', null, 'Tổ 5'],
      [3],
      [null, 'Người lập biểu', null, 'Tổ trưởng (ký, ghi rõ họ tên)'],
    ]);
    expect(list.rows).toBe(2);
    expect(list.entries.map((e) => [e.row, e.name, e.phones])).toEqual([
      [8, 'Nguyễn Văn An', ['0979383369']],
      [13, 'Phạm Thị Dung', ['0912345678', '0987654321']],
    ]);
    expect(list.problems).toEqual([]);
  });

  it('skips a signature block merged across the name and phone columns (its words fill both)', () => {
    const list = parse([
      header,
      [1, 'Nguyễn Văn An', '0979 383 369', null, 'Tổ 5'],
      [null, 'NGƯỜI LẬP BIỂU', 'NGƯỜI LẬP BIỂU', null, 'TỔ TRƯỞNG'],
      [null, '(Ký, ghi rõ họ tên)', '(Ký, ghi rõ họ tên)'],
      [null, 'Nguyễn Thị Phương', 'Nguyễn Thị Phương', null, 'Trần Văn Quang'],
    ]);
    expect([list.rows, list.entries.length, list.problems]).toEqual([1, 1, []]);
  });

  it('skips a total merged across the name and phone columns, digits and all', () => {
    const list = parse([
      header,
      [1, 'Nguyễn Văn An', '0979 383 369', null, 'Tổ 5'],
      [null, 'Tổng cộng: 27 hộ, 31 người', 'Tổng cộng: 27 hộ, 31 người', 'Tổng cộng: 27 hộ, 31 người'],
    ]);
    expect([list.rows, list.entries.length, list.problems]).toEqual([1, 1, []]);
  });

  it('NFC-normalises names', () => {
    const decomposed = 'Nguyễn Thị Hường'.normalize('NFD');
    const list = parse([header, [1, decomposed, '0912345678', null, 'Tổ 1']]);
    expect(list.entries[0]?.name).toBe('Nguyễn Thị Hường'.normalize('NFC'));
  });

  it('reports every problem of a row, with its row and column, and keeps the good rows', () => {
    const list = parse([
      ...titles,
      header,
      [1, null, '0912345678', null, 'Tổ 5'],
      [2, 'Đỗ Văn Em', null, null, 'Tổ 5'],
      [3, 'Hoàng Văn Giang', '0225 3842 123', null, 'Tổ 5'],
      [4, null, 'abc', null, null],
      [5, 'Vũ Thị Hạnh', '01627123456', null, 'Tổ 5'],
    ]);
    expect(list.rows).toBe(5);
    expect(list.entries.map((e) => e.row)).toEqual([11]);
    expect(list.problems).toEqual([
      { row: 7, column: 'Họ và tên', message: 'Thiếu họ và tên.' },
      { row: 8, column: 'Số điện thoại', message: 'Thiếu số điện thoại.' },
      {
        row: 9,
        column: 'Số điện thoại',
        message: 'Số 02253842123 là số máy bàn, không dùng để đăng ký ứng dụng; hãy ghi số di động.',
      },
      { row: 9, column: 'Số điện thoại', message: 'Không có số điện thoại di động hợp lệ.' },
      { row: 10, column: 'Họ và tên', message: 'Thiếu họ và tên.' },
      { row: 10, column: 'Số điện thoại', message: 'Không có số điện thoại di động hợp lệ.' },
    ]);
    expect(list.notes).toEqual([
      {
        row: 11,
        column: 'Số điện thoại',
        message: 'Số 11 chữ số cũ 01627123456 đã được đổi thành 0327123456.',
      },
    ]);
  });

  it('counts a number repeated on a later row as a duplicate and says where it was first', () => {
    const list = parse([
      header,
      [1, 'Nguyễn Văn An', '0912345678', null, 'Tổ 5'],
      [2, 'Nguyễn Văn An', '+84 912 345 678', null, 'Tổ 5'],
      [3, 'Nguyễn Thị Bích', '0912345678 / 0987654321', null, 'Tổ 5'],
    ]);
    expect(list.duplicates).toBe(1);
    expect(list.problems).toEqual([
      { row: 3, column: 'Số điện thoại', message: 'Số điện thoại trùng với dòng 2.' },
    ]);
    expect(list.entries).toHaveLength(3);
  });

  it('refuses a list longer than the limit with a clear error', () => {
    const rows = Array.from({ length: 6 }, (_, i) => [
      i + 1,
      `Người ${i + 1}`,
      `091234567${i}`,
      null,
      'Tổ 1',
    ]);
    expect(parse([header, ...rows], 6).entries).toHaveLength(6);
    expect(() => parse([header, ...rows], 5)).toThrow(
      'Danh sách có 6 dòng, quá giới hạn 5 dòng cho một lần tải lên; hãy chia thành nhiều tệp.',
    );
  });
});
