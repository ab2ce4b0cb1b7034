import { badRequest } from '../../shared/errors.ts';
import { foldForSearch } from '../cases/personal-data.ts';
import { parsePhoneCell } from './list-phone.ts';

/**
 * A list in the official template "DANH SÁCH CÀI ĐẶT ỨNG DỤNG SMART HẢI PHÒNG", read from a sheet's
 * cells (the caller reads the .xlsx or .csv, takes formulas' results and copies a merged cell's value
 * into every cell it covers). The header is found below the title rows; every row after it is read,
 * and every problem is reported with the row number the submitter sees in their spreadsheet.
 */

export type Cell = string | number | boolean | Date | null | undefined;

export type Column = 'stt' | 'name' | 'phone' | 'organisation' | 'address' | 'household';

/** The template's columns as the submitter reads them, for problems. */
export const columnLabels: Record<Column, string> = {
  stt: 'Stt',
  name: 'Họ và tên',
  phone: 'Số điện thoại',
  organisation: 'Cơ quan/đơn vị/doanh nghiệp/tổ chức',
  address: 'Địa chỉ hiện tại',
  household: 'Mã hộ/Chủ hộ',
};

/** One person as a list gives them: `row` is the 1-based spreadsheet row. */
export type ListEntry = {
  row: number;
  name: string;
  phones: string[];
  organisation: string | null;
  address: string | null;
  household: string | null;
};

export type RowProblem = { row: number; column?: string; message: string };

export type ParsedList = {
  /** The 1-based row of the header (its last row when the header takes two). */
  headerRow: number;
  /** Rows that hold a person, well written or not (not blank, title, header or footer lines). */
  rows: number;
  /** The rows read well enough to count: a name and at least one mobile number. */
  entries: ListEntry[];
  /** Accepted rows whose every number is already on an earlier row of the same list. */
  duplicates: number;
  problems: RowProblem[];
  /** What was changed on the way (an eleven-digit number converted), per row. */
  notes: RowProblem[];
};

/**
 * How each column's header is recognised, folded (no accents, lower case, punctuation as spaces) and
 * as whole words, so "Số điện\nthoại (di động)" or "Họ và tên người cài đặt" are found. Checked in
 * this order, each cell taking the first column it matches: the address's header may name the
 * workplace ("nơi ở hoặc nơi làm việc"), so it is tried before the organisation's.
 */
const headerWords: [Column, string[]][] = [
  ['household', ['ma ho', 'chu ho']],
  ['phone', ['so dien thoai', 'dien thoai', 'sdt', 'so dt', 'dt']],
  ['name', ['ho va ten', 'ho ten']],
  ['address', ['dia chi']],
  ['organisation', ['co quan', 'don vi', 'doanh nghiep', 'to chuc']],
  ['stt', ['stt', 'tt', 'so thu tu']],
];

/** How far down the header is looked for: title rows, the unit's name, the date, a note. */
const headerSearchRows = 30;

const fold = (s: string) =>
  ` ${foldForSearch(s)
    .text.replace(/[^a-z0-9]+/g, ' ')
    .trim()} `;

const text = (cell: Cell): string => {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  return String(cell).normalize('NFC').replace(/\s+/gu, ' ').trim();
};

function columnOf(cell: string): Column | undefined {
  const folded = fold(cell);
  if (folded.trim() === '') return undefined;
  for (const [column, words] of headerWords) if (words.some((w) => folded.includes(` ${w} `))) return column;
  return undefined;
}

type Header = Partial<Record<Column, number>>;

/** The columns a row's cells name, if it is the template's header (it names at least the name and phone). */
function headerOf(cells: string[]): Header | undefined {
  const header: Header = {};
  cells.forEach((cell, i) => {
    const column = columnOf(cell);
    if (column && header[column] === undefined) header[column] = i;
  });
  return header.name !== undefined && header.phone !== undefined ? header : undefined;
}

/**
 * The header: one row, or two read together (a header whose words were split over two rows, as a
 * merged cell above "Số điện" and "thoại" below leaves them). Returns its columns and its last row index.
 */
function findHeader(rows: string[][]): { header: Header; at: number } | undefined {
  const limit = Math.min(rows.length, headerSearchRows);
  for (let i = 0; i < limit; i++) {
    const one = headerOf(rows[i] ?? []);
    if (one) return { header: one, at: i };
    const next = rows[i + 1];
    if (!next) continue;
    const width = Math.max(rows[i]?.length ?? 0, next.length);
    const joined = Array.from({ length: width }, (_, k) => `${rows[i]?.[k] ?? ''} ${next[k] ?? ''}`);
    const two = headerOf(joined);
    // Both rows must carry header words, so a title row above the real header is not read as its half.
    if (two && headerOf(next) === undefined && (rows[i] ?? []).some((c) => columnOf(c)))
      return { header: two, at: i + 1 };
  }
  return undefined;
}

/** The template's column numbering row under the header: "(1)", "(2)", … or 1, 2, 3. */
const numbering = /^\(?\d{1,2}\)?$/;

/** An NFC name with single spaces; what is compared is folded elsewhere. */
const cleanName = (s: string) => s.normalize('NFC').replace(/\s+/gu, ' ').trim();

/**
 * Reads a list. Throws a 400 (in Vietnamese) when the sheet has no template header in its first rows
 * or holds more than `maxRows` rows after it; every other problem is reported per row and the rows
 * that are good are kept.
 */
export function parseListSheet(sheet: Cell[][], options: { maxRows: number }): ParsedList {
  const rows = sheet.map((r) => (Array.isArray(r) ? r.map(text) : []));
  const found = findHeader(rows);
  if (!found)
    throw badRequest(
      'Không tìm thấy dòng tiêu đề của mẫu "DANH SÁCH CÀI ĐẶT ỨNG DỤNG SMART HẢI PHÒNG" (các cột Stt, Họ và tên, Số điện thoại, Cơ quan/đơn vị/doanh nghiệp/tổ chức, Địa chỉ hiện tại) trong ' +
        `${headerSearchRows} dòng đầu.`,
    );
  const { header, at } = found;
  const filled = rows.slice(at + 1).filter((r) => r.some((c) => c !== '')).length;
  if (filled > options.maxRows)
    throw badRequest(
      `Danh sách có ${filled} dòng, quá giới hạn ${options.maxRows} dòng cho một lần tải lên; hãy chia thành nhiều tệp.`,
    );

  const out: ParsedList = { headerRow: at + 1, rows: 0, entries: [], duplicates: 0, problems: [], notes: [] };
  for (const column of ['organisation', 'address'] as const)
    if (header[column] === undefined)
      out.problems.push({
        row: at + 1,
        column: columnLabels[column],
        message: `Thiếu cột «${columnLabels[column]}» của mẫu.`,
      });

  const seen = new Map<string, number>();
  const cell = (r: string[], column: Column) => {
    const i = header[column];
    return i === undefined ? '' : (r[i] ?? '');
  };
  for (let i = at + 1; i < rows.length; i++) {
    const r = rows[i] ?? [];
    const row = i + 1;
    const nonEmpty = r.filter((c) => c !== '');
    if (nonEmpty.length === 0) continue;
    if (nonEmpty.every((c) => numbering.test(c))) continue;
    if (headerOf(r)) continue;
    const name = cleanName(cell(r, 'name'));
    const phoneText = cell(r, 'phone');
    // A line with no number and no Stt (when the list has that column) is the footer or a note
    // ("Người lập biểu", "Tổ trưởng (ký, ghi rõ họ tên)", a total), not a person. "No number" is no
    // digit in the phone cell: a signature block merged across the phone column fills it with words.
    const stt = /^\d+$/.test(cell(r, 'stt'));
    if (!/\d/.test(phoneText) && !stt && (!name || header.stt !== undefined)) continue;
    // One text across the name and the phone cells is a merged line ("Tổng cộng: 27 hộ"), never a person.
    if (!stt && name !== '' && name === cleanName(phoneText)) continue;
    out.rows++;

    const phoneCell = header.phone === undefined ? null : (sheet[i]?.[header.phone] ?? null);
    const phones = parsePhoneCell(typeof phoneCell === 'number' ? phoneCell : phoneText);
    const problems: RowProblem[] = [];
    if (!name) problems.push({ row, column: columnLabels.name, message: 'Thiếu họ và tên.' });
    for (const message of phones.problems) problems.push({ row, column: columnLabels.phone, message });
    if (phones.numbers.length === 0)
      problems.push({
        row,
        column: columnLabels.phone,
        message: phoneText ? 'Không có số điện thoại di động hợp lệ.' : 'Thiếu số điện thoại.',
      });
    for (const message of phones.notes) out.notes.push({ row, column: columnLabels.phone, message });
    out.problems.push(...problems);
    if (!name || phones.numbers.length === 0) continue;

    const earlier = phones.numbers.map((n) => seen.get(n)).filter((r) => r !== undefined);
    if (earlier.length === phones.numbers.length) {
      out.duplicates++;
      out.problems.push({
        row,
        column: columnLabels.phone,
        message: `Số điện thoại trùng với dòng ${earlier[0]}.`,
      });
    }
    for (const n of phones.numbers) if (!seen.has(n)) seen.set(n, row);
    const optional = (column: Column) => cell(r, column) || null;
    out.entries.push({
      row,
      name,
      phones: phones.numbers,
      organisation: optional('organisation'),
      address: optional('address'),
      household: optional('household'),
    });
  }
  return out;
}
