import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.ts';
import { parseListFile, readListFile, readListSheets } from './list-file.ts';

const header = [
  'Stt',
  'Họ và tên',
  'Số điện thoại',
  'Cơ quan/đơn vị/doanh nghiệp/tổ chức',
  'Địa chỉ hiện tại',
];

const xlsx = async (fill: (book: ExcelJS.Workbook) => void) => {
  const book = new ExcelJS.Workbook();
  fill(book);
  return Buffer.from(await book.xlsx.writeBuffer());
};

/** The 400 a promise is refused with (its Vietnamese detail), failing when it resolves or fails otherwise. */
const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected a 400, got ${String(error)}`);
  expect(error.statusCode).toBe(400);
  return error.message;
};

describe('readListFile: .xlsx', () => {
  it('gives what the sheet shows: formula results, rich text, hyperlinks’ text, dates, numbers as numbers', async () => {
    const bytes = await xlsx((book) => {
      const s = book.addWorksheet('Danh sách');
      s.getCell('A1').value = { formula: 'B1+1', result: 8 };
      s.getCell('B1').value = 7;
      s.getCell('C1').value = { richText: [{ text: 'Nguyễn ' }, { text: 'Văn An', font: { bold: true } }] };
      s.getCell('D1').value = { text: 'Trường THCS', hyperlink: 'https://example.org' };
      s.getCell('E1').value = new Date(Date.UTC(2026, 4, 15));
      s.getCell('F1').value = { error: '#N/A' };
      s.getCell('G1').value = { formula: '1/0', result: { error: '#DIV/0!' } };
      s.getCell('H1').value = { formula: 'B1*2' }; // written by a program that computes nothing
      s.getCell('A3').value = 979383369;
      s.getCell('C3').value = true;
      s.getCell('A4').value = { sharedFormula: 'A1', result: 9 };
    });
    const [sheet] = await readListFile(bytes, 'ds.xlsx');
    expect(sheet).toEqual([
      [8, 7, 'Nguyễn Văn An', 'Trường THCS', new Date(Date.UTC(2026, 4, 15)), null, null, null],
      [],
      [979383369, null, true],
      [9],
    ]);
  });

  it('copies a merged cell’s value into every cell it covers, across rows and columns', async () => {
    const bytes = await xlsx((book) => {
      const s = book.addWorksheet('DS');
      s.getCell('A1').value = 'DANH SÁCH CÀI ĐẶT ỨNG DỤNG SMART HẢI PHÒNG';
      s.mergeCells('A1:C1');
      s.getCell('B2').value = 'Số 3 ngõ 12';
      s.mergeCells('B2:B4');
      s.getCell('A3').value = 'x';
    });
    const [sheet] = await readListFile(bytes, 'ds.xlsx');
    const title = 'DANH SÁCH CÀI ĐẶT ỨNG DỤNG SMART HẢI PHÒNG';
    expect(sheet).toEqual([
      [title, title, title],
      [null, 'Số 3 ngõ 12'],
      ['x', 'Số 3 ngõ 12'],
      [null, 'Số 3 ngõ 12'],
    ]);
  });

  it('reads the visible sheets in the workbook’s order, skipping hidden ones, and knows an .xlsx by its bytes', async () => {
    const bytes = await xlsx((book) => {
      book.addWorksheet('Bìa').getCell('A1').value = 'bìa';
      book.addWorksheet('Ẩn', { state: 'hidden' }).getCell('A1').value = 'ẩn';
      book.addWorksheet('Rất ẩn', { state: 'veryHidden' }).getCell('A1').value = 'rất ẩn';
      book.addWorksheet('Danh sách').getCell('A1').value = 'danh sách';
    });
    const sheets = await readListSheets(bytes, 'danh-sach.csv');
    expect(sheets.map((s) => [s.name, s.cells])).toEqual([
      ['Bìa', [['bìa']]],
      ['Danh sách', [['danh sách']]],
    ]);
  });
});

describe('readListFile: what it refuses, with a 400 that says what to do', () => {
  it('the old binary .xls, naming Excel 97-2003 and the formats to save as', async () => {
    const xls = Buffer.concat([
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      Buffer.alloc(504),
    ]);
    const message = await refusal(readListFile(xls, 'to5.xls'));
    expect(message).toContain('Excel 97-2003 (.xls)');
    expect(message).toContain('.xlsx');
    expect(message).toContain('.csv');
  });

  it('a PDF, an image, an HTML page named .xls, an empty file', async () => {
    expect(await refusal(readListFile(Buffer.from('%PDF-1.7\n%âãÏÓ\n'), 'ds.pdf'))).toContain('PDF');
    const png = Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52,
    ]);
    expect(await refusal(readListFile(png, 'anh.png'))).toContain('.xlsx');
    expect(
      await refusal(readListFile(Buffer.from('<html><table><tr><td>1</td></tr></table>'), 'xuat.xls')),
    ).toContain('.xlsx');
    expect(await refusal(readListFile(Buffer.alloc(0), 'rong.csv'))).toContain('rỗng');
  });

  it('a broken .xlsx — garbled, truncated, or a zip of something else — never a 500', async () => {
    const good = await xlsx((book) => {
      book.addWorksheet('DS').getCell('A1').value = 'x';
    });
    const garbled = Buffer.from(good);
    for (let i = 200; i < garbled.length; i += 7) garbled[i] = (garbled[i] as number) ^ 0x5a;
    for (const bytes of [
      garbled,
      good.subarray(0, Math.floor(good.length / 2)),
      Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from('not a zip at all')]),
    ])
      expect(await refusal(readListFile(bytes, 'ds.xlsx'))).toContain('.xlsx');
    // Named .xlsx but not a zip at all: not read as CSV.
    expect(await refusal(readListFile(Buffer.from('Stt;Họ và tên'), 'ds.xlsx'))).toContain('hỏng');
  });
});

describe('parseListFile', () => {
  it('reads a CSV (UTF-8 with BOM, `;`) as one sheet named after the file', async () => {
    const csv = `\ufeff${[
      'DANH SÁCH CÀI ĐẶT ỨNG DỤNG SMART HẢI PHÒNG;;;;',
      header.join(';'),
      '1;Nguyễn Văn An;0979.383.369;Trường THCS Việt Hoà;"Số 3; ngõ 12, Tổ 5"',
    ].join('\r\n')}\r\n`;
    const { sheet, parsed } = await parseListFile(Buffer.from(csv), 'truong.csv', { maxRows: 10 });
    expect(sheet).toBe('truong');
    expect(parsed.headerRow).toBe(2);
    expect(parsed.entries).toEqual([
      {
        row: 3,
        name: 'Nguyễn Văn An',
        phones: ['0979383369'],
        organisation: 'Trường THCS Việt Hoà',
        address: 'Số 3; ngõ 12, Tổ 5',
        household: null,
      },
    ]);
  });

  it('takes the first sheet that has the template’s header', async () => {
    const bytes = await xlsx((book) => {
      book.addWorksheet('Hướng dẫn').addRow(['Điền danh sách ở trang sau']);
      const s = book.addWorksheet('Tổ 5');
      s.addRow(['DANH SÁCH CÀI ĐẶT ỨNG DỤNG SMART HẢI PHÒNG']);
      s.addRow(header);
      s.addRow([1, 'Lê Thị Bình', 912345678, 'Tổ dân phố số 5', 'Số 8 ngõ 2']);
    });
    const { sheet, parsed } = await parseListFile(bytes, 'to5.xlsx', { maxRows: 10 });
    expect(sheet).toBe('Tổ 5');
    expect(parsed.entries.map((e) => [e.row, e.name, e.phones])).toEqual([
      [3, 'Lê Thị Bình', ['0912345678']],
    ]);
  });

  it('without a header on any sheet, refuses with the first sheet’s reason', async () => {
    const bytes = await xlsx((book) => {
      book.addWorksheet('A').addRow(['không có gì']);
      book.addWorksheet('B').addRow(['cũng không']);
    });
    expect(await refusal(parseListFile(bytes, 'x.xlsx', { maxRows: 10 }))).toContain(
      'Không tìm thấy dòng tiêu đề',
    );
  });

  it('refuses a sheet with the header but too many rows, rather than looking further', async () => {
    const bytes = await xlsx((book) => {
      const s = book.addWorksheet('DS');
      s.addRow(header);
      for (let i = 1; i <= 3; i++) s.addRow([i, `Người ${i}`, `091234567${i}`, 'X', 'Y']);
      const later = book.addWorksheet('DS2');
      later.addRow(header);
      later.addRow([1, 'Một', '0912345670', 'X', 'Y']);
    });
    expect(await refusal(parseListFile(bytes, 'x.xlsx', { maxRows: 2 }))).toContain('quá giới hạn 2 dòng');
  });
});
