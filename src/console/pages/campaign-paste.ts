import { vi } from '../vi.ts';

/**
 * Residential groups' counts pasted from Excel (pure). A block of cells copied in Excel arrives as
 * lines of tab-separated cells: name, households, smartphone households. People copy what they have,
 * so a header line is skipped, an Stt column before the name is dropped, numbers may carry thousands
 * separators ("1.234"), and a line that will not do is named by its number in what was pasted — every
 * such line is said, none is guessed.
 */

export type PastedGroup = { line: number; name: string; households: number; smartphoneHouseholds: number };

const g = vi.campaigns.groups;
const maxGroups = 500;

/** "1.234", "1,234", "1 234", "1234" → 1234; anything else → null. */
export function countOf(cell: string): number | null {
  const s = cell.trim();
  if (!/^\d{1,3}([., \u00a0]\d{3})*$|^\d{1,7}$/.test(s)) return null;
  const n = Number(s.replace(/[., \u00a0]/g, ''));
  return n <= 1_000_000 ? n : null;
}

const cellsOf = (line: string) => {
  // Excel's copy: tabs. Typed by hand or from elsewhere: semicolons, or runs of spaces.
  const raw = line.includes('\t') ? line.split('\t') : line.split(/;|\s{2,}/);
  const cells = raw.map((c) => c.trim());
  while (cells.length && cells.at(-1) === '') cells.pop();
  // A leading Stt column ("1", "2."): the name is the next cell.
  if (cells.length >= 4 && /^\d{1,4}\.?$/.test(cells[0] ?? '')) cells.shift();
  return cells;
};

export function parsePastedGroups(text: string): { groups: PastedGroup[]; problems: string[] } {
  const groups: PastedGroup[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const lines = text.normalize('NFC').split(/\r\n|\r|\n/);
  let first = true;
  lines.forEach((line, i) => {
    const n = i + 1;
    if (line.trim() === '') return;
    const cells = cellsOf(line);
    const isFirst = first;
    first = false;
    const [name = '', households = '', smartphone = ''] = cells;
    const h = countOf(households);
    const sm = countOf(smartphone);
    // A header line ("Tên tổ  Số hộ  Số hộ có ĐTTM"): the first line, with no number where counts go.
    if (isFirst && h === null && sm === null && cells.length >= 2) return;
    if (cells.length < 3 || name === '') {
      problems.push(g.line(n, g.pasteColumns));
      return;
    }
    const wrong: string[] = [];
    if (h === null) wrong.push(g.pasteNotCount(g.pasteHouseholds, households));
    if (sm === null) wrong.push(g.pasteNotCount(g.pasteSmartphone, smartphone));
    if (h !== null && sm !== null && sm > h) wrong.push(g.pasteOver);
    const key = name.toLocaleLowerCase('vi');
    const earlier = seen.get(key);
    if (earlier !== undefined) wrong.push(g.pasteTwice(name, earlier));
    if (wrong.length) {
      problems.push(g.line(n, wrong.join(' ')));
      return;
    }
    seen.set(key, n);
    groups.push({ line: n, name, households: h as number, smartphoneHouseholds: sm as number });
  });
  if (groups.length === 0 && problems.length === 0) problems.push(g.pasteEmpty);
  if (groups.length > maxGroups) problems.push(g.pasteTooMany);
  return { groups, problems };
}
