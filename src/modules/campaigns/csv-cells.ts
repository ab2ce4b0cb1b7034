/**
 * CSV as installation lists arrive: saved by Excel on a Vietnamese Windows (windows-1258, `;` between
 * fields, since the decimal separator there is the comma), by Excel's "CSV UTF-8" (a BOM), by
 * "Unicode Text" (UTF-16 with a BOM, tabs) or by hand. Pure: bytes in, text and cells out.
 */

export type Delimiter = ',' | ';' | '\t';

const delimiters: readonly Delimiter[] = [',', ';', '\t'];

/**
 * The text of a CSV file, NFC. A byte-order mark says the encoding (UTF-8, UTF-16LE, UTF-16BE);
 * without one, UTF-8 when the bytes are valid UTF-8, else windows-1258 — the "ANSI" code page Excel
 * saves "CSV (Comma delimited)" in on a Vietnamese Windows. windows-1258 writes tones as combining
 * marks (e + U+0301), hence the NFC.
 */
export function decodeCsv(bytes: Uint8Array): string {
  const [a, b, c] = bytes;
  let text: string;
  if (a === 0xef && b === 0xbb && c === 0xbf) text = new TextDecoder('utf-8').decode(bytes.subarray(3));
  else if (a === 0xff && b === 0xfe) text = new TextDecoder('utf-16le').decode(bytes.subarray(2));
  else if (a === 0xfe && b === 0xff) text = new TextDecoder('utf-16be').decode(bytes.subarray(2));
  else
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      text = new TextDecoder('windows-1258').decode(bytes);
    }
  return text.normalize('NFC');
}

/**
 * Reads CSV records (RFC 4180): fields separated by `delimiter`, records by CRLF, LF or CR; a field
 * that starts with `"` runs to the next lone `"`, holding delimiters, line breaks and `""` for a
 * quote. Leniently, as spreadsheets read what people typed: a quote inside an unquoted field is a
 * character, text after a closing quote joins the field, and a quote never closed is a character
 * too (the field runs to the end of its line, not to the end of the file). A final line break ends
 * the last record rather than starting an empty one. `limit` stops after that many records.
 */
export function csvCells(text: string, delimiter: Delimiter, limit = Number.POSITIVE_INFINITY): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  const n = text.length;
  const endRecord = () => {
    record.push(field);
    records.push(record);
    record = [];
    field = '';
  };
  while (i < n && records.length < limit) {
    const ch = text[i] as string;
    if (ch === '"' && field === '') {
      const close = closingQuote(text, i + 1);
      if (close === -1) {
        // Never closed: the quote is a character; the field is the rest of the line, as written.
        let end = i + 1;
        while (end < n && text[end] !== delimiter && text[end] !== '\n' && text[end] !== '\r') end++;
        field = text.slice(i, end);
        i = end;
        continue;
      }
      field = text.slice(i + 1, close).replaceAll('""', '"');
      i = close + 1;
      // Anything between the closing quote and the delimiter joins the field: "a"b reads ab.
      while (i < n && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
      continue;
    }
    if (ch === delimiter) {
      record.push(field);
      field = '';
      i++;
    } else if (ch === '\n' || ch === '\r') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += ch;
      i++;
    }
  }
  // The last record, unless the text ended with a line break (or the limit stopped us).
  if (records.length < limit && (field !== '' || record.length > 0)) endRecord();
  return records;
}

/** The index of the quote that closes a quoted field whose content starts at `from`, or -1. */
function closingQuote(text: string, from: number): number {
  let i = from;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q === -1) return -1;
    if (text[q + 1] === '"') i = q + 2;
    else return q;
  }
}

/** How many records the delimiter is guessed from: the title rows, the header and some people. */
const sniffRecords = 30;

/**
 * The delimiter among `,` `;` and tab, guessed from the first records: the one that splits the most
 * of them into the same number of fields (Excel writes every row as wide as the sheet; commas inside
 * an address of a `;` file vary from row to row), then the one giving more fields, then `,` `;` tab.
 * A file no candidate splits is one column: `,`.
 */
export function detectDelimiter(text: string): Delimiter {
  let best: { d: Delimiter; agreeing: number; fields: number } = { d: ',', agreeing: 0, fields: 1 };
  for (const d of delimiters) {
    const counts = new Map<number, number>();
    for (const r of csvCells(text, d, sniffRecords)) {
      if (r.length < 2 || r.every((f) => f.trim() === '')) continue;
      counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
    }
    for (const [fields, agreeing] of counts)
      if (agreeing > best.agreeing || (agreeing === best.agreeing && fields > best.fields))
        best = { d, agreeing, fields };
  }
  return best.d;
}

/**
 * A CSV file's cells, as a sheet: decoded, the delimiter guessed — or taken from Excel's `sep=;` first
 * line, which Excel hides, so the rows keep the numbers the submitter sees.
 */
export function csvSheet(bytes: Uint8Array): string[][] {
  let text = decodeCsv(bytes);
  const sep = /^sep=([,;\t])\r?\n/.exec(text);
  if (sep) {
    text = text.slice(sep[0].length);
    return csvCells(text, sep[1] as Delimiter);
  }
  return csvCells(text, detectDelimiter(text));
}
