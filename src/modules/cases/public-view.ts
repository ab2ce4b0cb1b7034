import type { CaseStatus } from '../../db/types.ts';
import { statusLabels } from './status-labels.ts';

/**
 * What anyone holding a case code may read (api.md, "Public and standard interfaces"): where the case
 * stands, its dates and the published answer; nothing about the reporter. The answer is written by
 * staff for the reporter and may name or quote them, so it is scrubbed first.
 */
export type PublicCaseRow = {
  code: string;
  status: CaseStatus;
  received_at: Date;
  due_at: Date | null;
  answered_at: Date | null;
  answer_text: string | null;
  /** Only to scrub it out of the answer. */
  reporter_name: string | null;
  /** The original's code, when the case was refused as its duplicate. */
  duplicate_of_code: string | null;
};

export type PublicCase = {
  code: string;
  status: CaseStatus;
  statusLabel: string;
  receivedAt: string;
  dueAt: string | null;
  answer: { text: string; at: string } | null;
  duplicateOfCode: string | null;
};

export const hidden = '***';

/**
 * Vietnamese phone numbers as people write them: 0 or +84/84, then 8 to 10 more digits, with spaces,
 * dots or dashes anywhere between (0912 345 678, +84.912.345.678, 0225-3842-123). The reporter's own
 * number is one of them; any other is somebody's too.
 */
const phonePattern = /(?<!\d)(?:\+\s?84|84|0)(?:[\s.-]?\d){8,10}(?!\d)/g;

/** One character without its accents, lower case (đ → d): same length as the input, index for index. */
const foldChar = (c: string) => (c === 'đ' || c === 'Đ' ? 'd' : (c.normalize('NFD')[0] ?? c).toLowerCase());
const fold = (s: string) => Array.from(s, foldChar).join('');

/** Forms of address that come before a name in Vietnamese ("ông Hùng", "bà Nguyễn Thị Hường"). */
const honorifics = ['ông', 'bà', 'anh', 'chị', 'cô', 'chú', 'bác', 'em', 'cháu'];

/** Every place `needle` occurs in `haystack`, both already folded, as [start, end) pairs. */
function occurrences(haystack: string, needle: string): [number, number][] {
  const out: [number, number][] = [];
  if (needle.length < 2) return out;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length)) {
    const before = haystack[i - 1];
    const after = haystack[i + needle.length];
    // Whole words only: "An" is not scrubbed out of "an toàn".
    if (
      (before === undefined || !/[\p{L}\p{N}]/u.test(before)) &&
      (after === undefined || !/[\p{L}\p{N}]/u.test(after))
    )
      out.push([i, i + needle.length]);
  }
  return out;
}

/**
 * The text with the reporter's name (whole, accents or not, any letter case; or its last one or two
 * words after a form of address) and every phone number replaced by `***`.
 */
export function scrubPersonalData(text: string, reporterName: string | null): string {
  let out = text.normalize('NFC').replace(phonePattern, hidden);
  const name = reporterName?.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (!name) return out;
  // What to look for, and how many of its characters to keep ("ông " of "ông Hùng").
  const needles = new Map<string, number>([[fold(name), 0]]);
  const words = name.split(' ');
  for (const n of [1, 2]) {
    if (words.length <= n) continue;
    const tail = fold(words.slice(-n).join(' '));
    for (const h of honorifics) needles.set(`${fold(h)} ${tail}`, h.length + 1);
  }
  const folded = fold(out);
  if (folded.length !== out.length) return out; // a character that folds to two: leave the text whole
  const ranges = [...needles.entries()]
    .flatMap(([needle, keep]) => occurrences(folded, needle).map(([a, b]) => [a + keep, b] as const))
    .sort((x, y) => y[0] - x[0] || y[1] - x[1]);
  // From the end, so that the positions of what is still to replace do not move; skip overlaps.
  let replacedFrom = Number.POSITIVE_INFINITY;
  for (const [start, end] of ranges) {
    if (end > replacedFrom) continue;
    out = `${out.slice(0, start)}${hidden}${out.slice(end)}`;
    replacedFrom = start;
  }
  return out;
}

export function toPublicCase(row: PublicCaseRow): PublicCase {
  return {
    code: row.code,
    status: row.status,
    statusLabel: statusLabels[row.status],
    receivedAt: row.received_at.toISOString(),
    // A refused case has no answer to wait for (its deadline may have run before the refusal).
    dueAt: row.due_at && row.status !== 'rejected' ? row.due_at.toISOString() : null,
    // An answer is published once given (answered, then closed); refusing or reopening clears it.
    answer:
      row.answer_text !== null && row.answered_at
        ? { text: scrubPersonalData(row.answer_text, row.reporter_name), at: row.answered_at.toISOString() }
        : null,
    duplicateOfCode: row.duplicate_of_code,
  };
}
