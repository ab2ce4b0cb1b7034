import ExcelJS from 'exceljs';
import { AppError, badRequest } from '../../shared/errors.ts';
import { csvSheet } from './csv-cells.ts';
import { type Cell, type ParsedList, parseListSheet } from './list-sheet.ts';

/**
 * An uploaded list file read into cells, sheet by sheet, for `parseListSheet`: an `.xlsx` (known by
 * its bytes, whatever its name says) or else a CSV. What the template reader needs from a
 * spreadsheet is what the submitter sees in it: a formula's result, a merged cell's value in every
 * cell it covers, a number typed as a number (a phone number whose zero Excel dropped). Anything
 * else — the old binary .xls, a PDF, a broken file — is refused with a 400 that says what to do.
 */

export type ListSheet = { name: string; cells: Cell[][] };

const startsWith = (bytes: Buffer, magic: number[], at = 0) => magic.every((b, i) => bytes[at + i] === b);

const zip = [0x50, 0x4b, 0x03, 0x04];
const emptyZip = [0x50, 0x4b, 0x05, 0x06];
/** OLE2 compound file: Excel 97-2003 (.xls) and also an .xlsx saved with a password. */
const ole = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const pdf = [0x25, 0x50, 0x44, 0x46]; // %PDF

const saveAs =
  'Hãy mở tệp bằng Excel, chọn Lưu thành (Save As) với kiểu "Excel Workbook (.xlsx)" hoặc "CSV (.csv)" rồi tải lên lại.';

const extension = (fileName: string) => /\.([a-z0-9]+)$/i.exec(fileName.trim())?.[1]?.toLowerCase() ?? '';

/** Whether text holds control characters no list holds (but tab and line breaks): a binary file read as text. */
function binary(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/** The visible worksheets of an uploaded list, in the workbook's order (a CSV is one sheet named after the file). */
export async function readListSheets(bytes: Buffer, fileName: string): Promise<ListSheet[]> {
  const named = `«${fileName}»`;
  if (bytes.length === 0) throw badRequest(`Tệp ${named} rỗng.`);
  if (startsWith(bytes, zip) || startsWith(bytes, emptyZip)) return readXlsx(bytes, named);
  if (startsWith(bytes, ole))
    throw badRequest(
      `Tệp ${named} là tệp Excel 97-2003 (.xls) (hoặc tệp Excel có đặt mật khẩu), hệ thống không đọc được định dạng này. ${saveAs}`,
    );
  if (startsWith(bytes, pdf))
    throw badRequest(`Tệp ${named} là tệp PDF, không đọc được danh sách từ đó. ${saveAs}`);
  const ext = extension(fileName);
  // Programs that "export to Excel" often write HTML or XML named .xls; Excel opens them, we do not.
  if (ext === 'xls')
    throw badRequest(`Tệp ${named} không phải tệp Excel 97-2003 (.xls) hay .xlsx đọc được. ${saveAs}`);
  if (ext === 'xlsx' || ext === 'xlsm')
    throw badRequest(`Tệp ${named} bị hỏng, không phải tệp Excel (.xlsx) đọc được. ${saveAs}`);
  const cells = csvSheet(bytes);
  if (cells.some((r) => r.some(binary)))
    throw badRequest(`Tệp ${named} không phải bảng tính .xlsx hay tệp .csv. ${saveAs}`);
  return [{ name: fileName.replace(/\.[^.]*$/, '') || fileName, cells }];
}

/** The visible worksheets' cells, in order. */
export async function readListFile(bytes: Buffer, fileName: string): Promise<Cell[][][]> {
  return (await readListSheets(bytes, fileName)).map((s) => s.cells);
}

async function readXlsx(bytes: Buffer, named: string): Promise<ListSheet[]> {
  // An OpenDocument spreadsheet is a zip too; its first entry says so.
  if (bytes.subarray(30, 80).toString('latin1').startsWith('mimetypeapplication/vnd.oasis.opendocument'))
    throw badRequest(`Tệp ${named} là bảng tính OpenDocument (.ods). ${saveAs}`);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    // A truncated download, a .docx renamed, a zip of something else: the submitter's to fix, not a 500.
    throw badRequest(`Tệp ${named} bị hỏng hoặc không phải tệp Excel (.xlsx) đọc được. ${saveAs}`);
  }
  const sheets = workbook.worksheets
    .filter((w) => w.state === undefined || w.state === 'visible')
    .map((w) => ({ name: w.name, cells: sheetCells(w) }));
  if (sheets.length === 0) throw badRequest(`Tệp ${named} không có trang tính nào để đọc. ${saveAs}`);
  return sheets;
}

/**
 * A worksheet's cells, row by row from row 1 and column by column from A (so indexes are the row
 * and column numbers less one), empty cells null. A cell covered by a merge reads its master's value:
 * exceljs gives every cell of a merged range (`cell.isMerged`) the value of `cell.master`.
 */
function sheetCells(worksheet: ExcelJS.Worksheet): Cell[][] {
  const rows: Cell[][] = [];
  worksheet.eachRow({ includeEmpty: false }, (row, n) => {
    const cells: Cell[] = [];
    row.eachCell({ includeEmpty: false }, (cell, col) => {
      const value = cellValue(cell.isMerged ? cell.master.value : cell.value);
      while (cells.length < col - 1) cells.push(null);
      cells[col - 1] = value;
    });
    while (rows.length < n - 1) rows.push([]);
    rows[n - 1] = cells;
  });
  return rows;
}

/**
 * What a cell shows, as a plain value: a formula's cached result (none, when the file was written by
 * a program that does not compute formulas: null), rich text's runs joined, a hyperlink's text, an
 * error (#N/A, #REF!…) as nothing. Numbers stay numbers and dates Dates.
 */
export function cellValue(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || value instanceof Date) return value;
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('hyperlink' in value) return cellValue(value.text as ExcelJS.CellValue);
  if ('formula' in value || 'sharedFormula' in value) return cellValue(value.result ?? null);
  return null; // { error: '#N/A' } and anything exceljs may add
}

/**
 * Reads an uploaded list: the first visible sheet that holds the template's header (a workbook may
 * keep a cover sheet or notes before it). When none does, the first sheet's 400 says why; a sheet
 * that has the header but too many rows is refused as it is, not skipped.
 */
export async function parseListFile(
  bytes: Buffer,
  fileName: string,
  options: { maxRows: number },
): Promise<{ sheet: string; parsed: ParsedList }> {
  const sheets = await readListSheets(bytes, fileName);
  let first: unknown;
  for (const sheet of sheets) {
    try {
      return { sheet: sheet.name, parsed: parseListSheet(sheet.cells, options) };
    } catch (error) {
      if (!(error instanceof AppError) || error.statusCode !== 400) throw error;
      if (hasHeader(sheet.cells)) throw error;
      first ??= error;
    }
  }
  throw first;
}

/** Whether parseListSheet finds the template's header: with no row limit, no header is its only 400. */
function hasHeader(cells: Cell[][]): boolean {
  try {
    parseListSheet(cells, { maxRows: Number.POSITIVE_INFINITY });
    return true;
  } catch {
    return false;
  }
}
