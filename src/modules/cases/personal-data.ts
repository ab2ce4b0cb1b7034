/**
 * Hiding a reporter's identity in text that leaves the ward office (public tracking, Open311, the
 * digest by e-mail): their name, phone numbers and e-mail addresses. The text is searched in a folded form — accents,
 * letter case, compatibility forms (full-width digits) and Unicode normalisation folded away, every
 * run of whitespace (spaces, tabs, line breaks, no-break spaces) read as one space, and invisible
 * format characters (zero-width spaces, bidi controls, soft hyphens) and combining marks ignored —
 * and every folded character remembers where in the original it came from, so what is found is cut
 * out of the original text. Emoji and any other characters around a name change nothing. Should a
 * name still be found after scrubbing (it cannot, but the check is cheap), the whole text is withheld
 * rather than published.
 */

export const hidden = '***';

/** What is published instead of a text whose scrub could not be verified. */
export const withheld = '[Nội dung đã được ẩn để bảo vệ thông tin cá nhân]';

/** Forms of address that come before a name in Vietnamese ("ông Hùng", "bà Nguyễn Thị Hường"). */
const honorifics = ['ông', 'bà', 'anh', 'chị', 'cô', 'chú', 'bác', 'em', 'cháu'];

const whitespace = /^\s$/u;
const ignorable = /^[\p{M}\p{Cf}]$/u;
const wordChar = /[\p{L}\p{N}]/u;

/** A text folded for searching: `origin[i]` is where folded character i starts in the original. */
type Folded = { text: string; origin: number[] };

function foldChar(c: string): string {
  if (c === 'đ' || c === 'Đ') return 'd';
  return c
    .normalize('NFKD')
    .replace(/[\p{M}\p{Cf}]/gu, '')
    .toLowerCase();
}

export function foldForSearch(text: string): Folded {
  let out = '';
  const origin: number[] = [];
  let offset = 0;
  for (const c of text) {
    if (whitespace.test(c)) {
      if (!out.endsWith(' ')) {
        out += ' ';
        origin.push(offset);
      }
    } else if (!ignorable.test(c)) {
      for (const f of foldChar(c)) {
        out += f;
        for (let k = 0; k < f.length; k++) origin.push(offset);
      }
    }
    offset += c.length;
  }
  origin.push(offset);
  return { text: out, origin };
}

/** The folded form of a name or phrase to look for (its whitespace as single spaces, trimmed). */
const foldNeedle = (s: string) => foldForSearch(s).text.trim();

type Range = [number, number];

/** Every whole-word occurrence of `needle` in the folded text, as folded [start, end) ranges. */
function occurrences(folded: string, needle: string): Range[] {
  const out: Range[] = [];
  if (needle.length < 2) return out;
  for (let i = folded.indexOf(needle); i >= 0; i = folded.indexOf(needle, i + 1)) {
    const before = folded[i - 1];
    const after = folded[i + needle.length];
    if ((before === undefined || !wordChar.test(before)) && (after === undefined || !wordChar.test(after)))
      out.push([i, i + needle.length]);
  }
  return out;
}

/**
 * Vietnamese phone numbers as people write them: 0 or +84/84, then 8 to 10 more digits, with spaces,
 * dots or dashes anywhere between (0912 345 678, +84.912.345.678, 0225-3842-123), found in the folded
 * text (full-width digits, zero-width characters and line breaks inside do not hide one).
 */
const phonePattern = /(?<![0-9])(?:\+ ?84|84|0)(?:[ .-]?[0-9]){8,10}(?![0-9])/g;

/** The digits of a phone number in one form (84…), to tell one number from another. */
export const phoneKey = (phone: string) => {
  const digits = foldForSearch(phone).text.replace(/[^0-9]/g, '');
  return digits.startsWith('0') ? `84${digits.slice(1)}` : digits;
};

/** What to look for of a name: the whole name, and its last one or two words after a form of address. */
function nameNeedles(name: string): { needle: string; keep: number }[] {
  const whole = foldNeedle(name);
  if (!whole) return [];
  const out = [{ needle: whole, keep: 0 }];
  const words = whole.split(' ');
  for (const n of [1, 2]) {
    if (words.length <= n) continue;
    const tail = words.slice(-n).join(' ');
    for (const h of honorifics) {
      const form = foldNeedle(h);
      out.push({ needle: `${form} ${tail}`, keep: form.length + 1 });
    }
  }
  return out;
}

/** E-mail addresses as they appear in the folded text (lower case, without accents). */
const emailPattern = /[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+/g;

type Keep = { keepPhone?: string | null; keepEmail?: string | null };

/** The folded ranges to hide: the name's occurrences, the phone numbers and e-mail addresses (but the kept ones). */
function rangesToHide(folded: string, needles: { needle: string; keep: number }[], keep: Keep): Range[] {
  const ranges: Range[] = [];
  for (const { needle, keep } of needles)
    for (const [a, b] of occurrences(folded, needle)) ranges.push([a + keep, b]);
  const kept = keep.keepPhone ? phoneKey(keep.keepPhone) : undefined;
  for (const m of folded.matchAll(phonePattern))
    if (phoneKey(m[0]) !== kept) ranges.push([m.index, m.index + m[0].length]);
  const keptEmail = keep.keepEmail ? foldNeedle(keep.keepEmail) : undefined;
  for (const m of folded.matchAll(emailPattern))
    if (m[0] !== keptEmail) ranges.push([m.index, m.index + m[0].length]);
  return ranges;
}

/**
 * The text with the reporter's name (whole, or its last one or two words after a form of address,
 * however it is accented, cased, spaced or decorated), every phone number and every e-mail address
 * replaced by `***`. `keepName`, `keepPhone` and `keepEmail` leave the reporter's own name, number and
 * address for the reporter's own view (third parties' are hidden still).
 */
export function scrubPersonalData(
  text: string,
  reporterName: string | null,
  options: { keepName?: boolean } & Keep = {},
): string {
  const source = text.normalize('NFC');
  const needles = reporterName && !options.keepName ? nameNeedles(reporterName) : [];
  const folded = foldForSearch(source);
  const ranges = rangesToHide(folded.text, needles, options)
    .map(([a, b]): Range => [folded.origin[a] as number, folded.origin[b] as number])
    .sort((x, y) => x[0] - y[0] || y[1] - x[1]);
  // Merge overlapping ranges, then cut them out of the original from the end.
  const merged: Range[] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  let out = source;
  for (const [start, end] of merged.reverse()) out = `${out.slice(0, start)}${hidden}${out.slice(end)}`;
  const check = foldForSearch(out).text;
  if (rangesToHide(check, needles, options).length > 0) return withheld;
  return out;
}

/**
 * Citizen text on one line, for places where a line break would pass for a line of the system's own
 * (a notification, the digest, an e-mail): line breaks, tabs and other control characters become a
 * space, invisible format characters (bidi overrides, zero-width spaces) go, and runs of spaces are one.
 */
export function singleLine(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\p{Cf}/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
}
