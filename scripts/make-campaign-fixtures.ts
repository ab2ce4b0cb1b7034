/**
 * Writes the messy installation lists kept in test/fixtures/campaigns/ (see its README for what each
 * holds and the hand-counted expectations src/modules/campaigns/fixtures.test.ts checks). The files
 * are committed; this script says how they were made, and makes them again if they must change:
 * `node scripts/make-campaign-fixtures.ts` (the .xlsx's bytes differ from run to run — the zip's
 * timestamps — its cells do not).
 *
 * They imitate what units really send: a residential group's .xlsx typed by hand over the official
 * template (title rows and a two-row header in merged cells, numbers that lost their zero, dots,
 * spaces, +84, two numbers in a cell, an eleven-digit number, formulas, a repeated row, a signature
 * block), and a school's CSV saved by Excel on a Vietnamese Windows (windows-1258, `;`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import ExcelJS from 'exceljs';

const dir = new URL('../test/fixtures/campaigns/', import.meta.url);
mkdirSync(dir, { recursive: true });

const thin: Partial<ExcelJS.Borders> = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
};

/** One row of the group's list: Stt (a number or a formula), name, phone, occupation, address, household code, note. */
type Row = [ExcelJS.CellValue, string, ExcelJS.CellValue, string, string, string?, string?];

const stt = (n: number, row: number): ExcelJS.CellValue => ({ formula: `A${row - 1}+1`, result: n });

/** Tổ dân phố số 5's list, rows 8 to 35 (row 15 left blank); README.md counts them. */
const groupRows: Record<number, Row> = {
  8: [1, 'Nguyễn Văn An', 912345678, 'Hưu trí', 'Số 3 ngõ 12, Tổ 5', 'H05-001'],
  9: [
    stt(2, 9),
    'Trần  Thị Bình ',
    '0979.383.369',
    'Trường Mầm non Việt Hoà',
    'Số 3 ngõ 12, Tổ 5',
    'H05-001',
  ],
  10: [stt(3, 10), 'Lê Văn Cường', '0904 111 222', 'Công ty CP Cảng Hải Phòng', 'Số 7 ngõ 12, Tổ 5'],
  11: [
    stt(4, 11),
    'Phạm Thị Dung',
    '+84 983 222 333',
    'Nội trợ',
    'Số 7 ngõ 12 - Tổ dân phố 5, phường Việt Hoà',
  ],
  12: [
    5,
    'Hoàng Văn Đức',
    '0912 345 680 / 0987654321',
    'Kinh doanh tự do',
    'Số 15 ngõ 20, Tổ 5',
    '',
    'Có 2 số',
  ],
  13: [6, 'Vũ Thị Hoa', '01627123456', 'Công nhân', 'Số 18 ngõ 20, Tổ 5', 'H05-009'],
  14: [7, 'Đỗ Văn Giang', '0225 3842 123', 'Hưu trí', 'Số 20 ngõ 12, Tổ 5'],
  16: [8, 'Nguyễn Văn An', 912345678, 'Hưu trí', 'Số 3 ngõ 12, Tổ 5', 'H05-001', 'Nhập trùng'],
  17: [9, 'Bùi Thị Lan', null, 'Nội trợ', 'Số 9 ngõ 12, Tổ 5'],
  18: [10, '', '0936 555 666', '', 'Số 11 ngõ 12, Tổ 5'],
  19: [11, 'Ngô Văn Khánh', 84912000111, 'Lái xe', 'Số 22 ngõ 20, Tổ 5', 'H05-011'],
  20: [
    12,
    'Trịnh Thị Mai',
    '0868-777-888',
    'Giáo viên Trường Tiểu học Việt Hoà',
    'Số 22 ngõ 20, Tổ 5',
    'H05-011',
  ],
  21: [13, 'Đặng Văn Nam', 389111222, 'Bộ đội', 'Số 30 ngõ 20, Tổ 5'],
  22: [14, 'Lý Thị Oanh', '0977 654 321', 'Buôn bán', 'Số 30, ngõ 20, TDP 05'],
  23: [15, 'Phan Văn Phúc', '0914.222.333', 'Hưu trí', 'Số 32 ngõ 20, Tổ 5'],
  24: [16, 'Phan Thị Quyên', '0914.222.333', 'Hưu trí', 'Số 32 ngõ 20, Tổ 5', '', 'Dùng chung máy với chồng'],
  25: [17, 'Tạ Văn Sáng', '0333444555', 'Công nhân', 'Tổ 5'],
  26: [18, 'Mạc Thị Thảo', '0357 111 999', 'Nội trợ', 'Số 5 ngõ 3, Tổ 5', 'H05-020'],
  27: [19, 'Mạc Văn Toàn', '0357111998', 'Sinh viên', 'Số 5 ngõ 3, Tổ 5', 'H05-020'],
  28: [20, 'Cao Thị Uyên', '0123 456 7890', 'Kế toán', 'Số 8 ngõ 3, Tổ 5'],
  29: [21, 'Kiều Văn Vinh', '091 234 5681 hoặc 0345 678 901', 'Kỹ sư', 'Số 10 ngõ 3, Tổ 5'],
  30: [22, 'Lương Thị Xuân', '0916 000 222', 'Y tá', 'Số 12 ngõ 3, Tổ 5'],
  31: [23, 'Hà Văn Yên', '0916 000 2222', 'Thợ hàn', 'Số 12 ngõ 3, Tổ 5'],
  32: [24, 'Trương Thị Ánh', 'Zalo: 0388 246 810', 'Bán hàng', 'Số 14 ngõ 3, Tổ 5'],
  33: [25, 'Đinh Công Bảo', '0962 135 790', 'Hưu trí', 'Số 16 ngõ 3, Tổ 5', 'H05-031'],
  34: [26, 'Lưu Văn Dũng', '0705 864 208', 'Thợ điện', 'Số 16 ngõ 3, Tổ 5', 'H05-031'],
  35: [27, 'Quách Thị Duyên', '0559 753 951', 'Nhân viên văn phòng', 'Số 40 ngõ 20, Tổ 5'],
};

async function groupList(): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'Tổ dân phố số 5';
  book.created = new Date('2026-06-20T02:00:00Z');
  book.modified = book.created;
  const s = book.addWorksheet('TDP5');
  [6, 26, 18, 30, 40, 10, 22].forEach((w, i) => {
    s.getColumn(i + 1).width = w;
  });
  const merged = (range: string, text: string, font: Partial<ExcelJS.Font> = {}) => {
    const [first] = range.split(':') as [string];
    s.getCell(first).value = text;
    s.getCell(first).font = font;
    s.getCell(first).alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    s.mergeCells(range);
  };
  // Three title rows, merged as the ward's forms are.
  merged('A1:C1', 'UBND PHƯỜNG VIỆT HOÀ', { bold: true });
  merged('E1:G1', 'CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM', { bold: true });
  merged('A2:C2', 'TỔ DÂN PHỐ SỐ 5', { bold: true });
  merged('E2:G2', 'Độc lập - Tự do - Hạnh phúc', { bold: true, underline: true });
  merged('A3:G3', 'DANH SÁCH CÀI ĐẶT ỨNG DỤNG SMART HẢI PHÒNG', { bold: true, size: 14 });
  // The header on two rows: "Số điện" above "thoại", a group heading over organisation and address.
  merged('A5:A6', 'Stt', { bold: true });
  merged('B5:B6', 'Họ và tên', { bold: true });
  s.getCell('C5').value = 'Số điện';
  s.getCell('C6').value = 'thoại';
  merged('D5:E5', 'Thông tin liên hệ', { bold: true });
  s.getCell('D6').value = 'Cơ quan/đơn vị/doanh nghiệp/tổ chức';
  s.getCell('E6').value = 'Địa chỉ hiện tại';
  merged('F5:F6', 'Mã hộ', { bold: true });
  merged('G5:G6', 'Ghi chú', { bold: true });
  for (const a of ['C5', 'C6', 'D6', 'E6']) s.getCell(a).font = { bold: true };
  s.getRow(7).values = ['(1)', '(2)', '(3)', '(4)', '(5)', '(6)', '(7)'];
  for (const [n, row] of Object.entries(groupRows)) s.getRow(Number(n)).values = row;
  for (let r = 5; r <= 35; r++) for (let c = 1; c <= 7; c++) s.getCell(r, c).border = thin;
  // The signature block, merged over the phone column as the template's footer often is.
  merged('E37:G37', 'Việt Hoà, ngày 20 tháng 6 năm 2026', { italic: true });
  merged('B38:C38', 'NGƯỜI LẬP BIỂU', { bold: true });
  merged('E38:G38', 'TỔ TRƯỞNG TỔ DÂN PHỐ', { bold: true });
  merged('B39:C39', '(Ký, ghi rõ họ tên)', { italic: true });
  merged('E39:G39', '(Ký, ghi rõ họ tên)', { italic: true });
  merged('B42:C42', 'Nguyễn Thị Phương', { bold: true });
  merged('E42:G42', 'Trần Văn Quang', { bold: true });
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** Trường THCS Việt Hoà's list as Excel saves "CSV (Comma delimited)" on a Vietnamese Windows. */
const schoolLines = [
  'TRƯỜNG THCS VIỆT HOÀ;;;;',
  'DANH SÁCH CÀI ĐẶT ỨNG DỤNG SMART HẢI PHÒNG;;;;',
  '(Cán bộ, giáo viên, nhân viên và phụ huynh học sinh);;;;',
  ';;;;',
  'Stt;Họ và tên;Số điện thoại;Cơ quan/đơn vị/doanh nghiệp/tổ chức;Địa chỉ hiện tại',
  '1;Nguyễn Thị Thu Hà;0912 888 001;Trường THCS Việt Hoà - Giáo viên;Trường THCS Việt Hoà, số 1 đường Lê Lợi',
  '2;Phạm Văn Sơn;913888002;Trường THCS Việt Hoà - Hiệu trưởng;Trường THCS Việt Hoà',
  '3;Lê Thị Tuyết;0345.888.003;Trường THCS Việt Hoà - Kế toán;Số 25 ngõ 8, Tổ 6',
  '4;NGUYEN VAN AN;+84 912 345 678;"Phụ huynh học sinh lớp 7A; Hội cha mẹ học sinh";Số 3 ngõ 12, Tổ dân phố số 5',
  '5;Lê Thị Cúc;0904.111.222;Phụ huynh học sinh lớp 6B;Số 7 ngõ 12, Tổ 5',
  '6;Đinh Thị Ngọc;0978 123 456;Phụ huynh học sinh lớp 8C;Số 42 ngõ 20, Tổ dân phố số 5',
  '7;Hoàng Thị Yến;0398 765 432;Phụ huynh học sinh lớp 9A;Số 15 ngõ 20, Tổ 5',
  '8;Vương Văn Hùng;0866 135 246;Phụ huynh học sinh lớp 6A;Tổ 5',
  '9;Tô Thị Kim;0977 246 135;Phụ huynh học sinh lớp 7B;Số 6 ngõ 9, TDP 06',
  '10;Mai Văn Lâm;0937 000 444;Phụ huynh học sinh lớp 8A;Số 2 ngõ 1, Tổ 7',
  '11;Đinh Thị Ngọc;0978.123.456;"Phụ huynh học sinh lớp 6C (em ""Bống"")";Số 42 ngõ 20, Tổ dân phố số 5',
  '12;Chu Văn Minh;01663 579 246;Phụ huynh học sinh lớp 9C;Số 9 ngõ 9, Tổ 6',
  '13;Nguyễn Thị Nga;chưa có;Phụ huynh học sinh lớp 9B;Số 50 ngõ 20, Tổ 5',
  '14;Trần Văn Phong;"0912 777 888\n0387 999 000";Trường THCS Việt Hoà - Giáo viên;Số 44 ngõ 20, Tổ 5',
  ';;;;',
  ';Người lập danh sách;;;Hiệu trưởng',
  ';(Ký, ghi rõ họ tên);;;(Ký tên, đóng dấu)',
  ';;;;',
  ';Lê Thị Tuyết;;;Phạm Văn Sơn',
];

/**
 * Text in windows-1258, as Windows writes it: a letter the code page holds whole (à, â, ơ, Đ) in
 * one byte, else its base letter and the tone as a combining mark (ấ = â + U+0301).
 */
function windows1258(text: string): Buffer {
  const decoder = new TextDecoder('windows-1258');
  const byteOf = new Map<string, number>();
  for (let b = 0; b < 256; b++) {
    const c = decoder.decode(Uint8Array.of(b));
    if (!byteOf.has(c)) byteOf.set(c, b);
  }
  const byte = (c: string) => {
    const b = byteOf.get(c);
    if (b === undefined) throw new Error(`windows-1258 cannot write ${c}`);
    return b;
  };
  const out: number[] = [];
  // Each letter with its marks (NFD puts the dot below before the circumflex: ộ = o, ̣, ̂).
  for (const [letter] of text.normalize('NFD').matchAll(/\P{M}\p{M}*/gu)) {
    const [base, ...marks] = [...letter] as [string, ...string[]];
    const i = marks.findIndex((m) => byteOf.has(`${base}${m}`.normalize('NFC')));
    if (i === -1) out.push(byte(base), ...marks.map(byte));
    else out.push(byte(`${base}${marks[i]}`.normalize('NFC')), ...marks.filter((_, k) => k !== i).map(byte));
  }
  return Buffer.from(out);
}

writeFileSync(new URL('to-dan-pho-5-messy.xlsx', dir), await groupList());
writeFileSync(new URL('truong-thcs-messy.csv', dir), windows1258(`${schoolLines.join('\r\n')}\r\n`));
console.log('wrote', new URL('.', dir).pathname);
