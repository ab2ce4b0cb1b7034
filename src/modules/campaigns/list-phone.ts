import { phoneKey } from '../cases/personal-data.ts';

/**
 * Phone numbers as installation lists send them, in one form. A list's number is the number the
 * person registered Smart Hải Phòng with (phone number, OTP), so what counts is a mobile number.
 *
 * The form kept is the national one, `0912345678`: what the official template is exported with and
 * what people recognise. Telling one number from another goes through `phoneKey` (84…), the one key
 * the rest of pakn (cases, messages, the database's pakn_phone_key) uses, so the national form is
 * only ever shown, never compared.
 */

/** A cell's numbers in the national form, what was changed on the way, and what could not be read. */
export type CellPhones = { numbers: string[]; notes: string[]; problems: string[] };

/**
 * The official 2018 mapping of the eleven-digit mobile prefixes to the ten-digit ones (Ministry of
 * Information and Communications, September–November 2018): the four-digit prefix becomes three
 * digits, the seven digits after it stay.
 */
export const oldMobilePrefixes: Readonly<Record<string, string>> = {
  '0162': '032',
  '0163': '033',
  '0164': '034',
  '0165': '035',
  '0166': '036',
  '0167': '037',
  '0168': '038',
  '0169': '039',
  '0120': '070',
  '0121': '079',
  '0122': '077',
  '0126': '076',
  '0128': '078',
  '0123': '083',
  '0124': '084',
  '0125': '085',
  '0127': '081',
  '0129': '082',
  '0186': '056',
  '0188': '058',
  '0199': '059',
};

/**
 * Ten-digit mobile numbers: 03, 05, 07, 08 and 09. Checked by the first two digits, not by the
 * three-digit prefixes assigned today, so a prefix the ministry assigns later is not refused.
 */
const mobile = /^0[35789]\d{8}$/;

/**
 * Landlines since 2017: 02 and a one- or two-digit area code, eleven digits in all (0225 3842 123 in
 * Hải Phòng, 024 3825 1234 in Hà Nội). Decision: a landline is recognised but not accepted — a
 * Smart Hải Phòng account is opened with an OTP sent by SMS, so a landline cannot be the number a
 * person registered with; the row is reported so the submitter writes the mobile number instead.
 */
const landline = /^02\d{9}$/;

type Digits = { number: string; note?: string } | { problem: string };

/**
 * One number's digits (no separators) in the national form. The forms lists produce: the leading
 * zero lost to a numeric cell (979383369, and 1627123456 for an old eleven-digit number), the
 * country code (84…, +84…, 0084…), the eleven-digit mobile numbers from before 2018.
 */
export function nationalNumber(digits: string): Digits {
  let d = digits;
  if (d.startsWith('0084')) d = d.slice(2);
  // 84 followed by nine or ten digits is the country code; 84 followed by seven is a 084 number
  // whose zero was lost (849123456 → 0849123456, VinaPhone's prefix).
  if (d.startsWith('84') && (d.length === 11 || d.length === 12)) d = `0${d.slice(2)}`;
  else if (!d.startsWith('0') && (d.length === 9 || d.length === 10)) d = `0${d}`;
  if (mobile.test(d)) return { number: d };
  if (d.length === 11 && d.startsWith('01')) {
    const to = oldMobilePrefixes[d.slice(0, 4)];
    if (!to) return { problem: `Số ${d} có đầu số 11 chữ số không còn sử dụng.` };
    const number = `${to}${d.slice(4)}`;
    return { number, note: `Số 11 chữ số cũ ${d} đã được đổi thành ${number}.` };
  }
  if (landline.test(d))
    return { problem: `Số ${d} là số máy bàn, không dùng để đăng ký ứng dụng; hãy ghi số di động.` };
  return { problem: `«${digits}» không phải số điện thoại di động Việt Nam.` };
}

/** Characters that sit inside one written number: spaces, dots, dashes, brackets, a leading plus. */
const inside = /[\s.\-()+\u00a0]+/u;

/**
 * The groups of digits of one part of a cell, split however it was written ("0912 345 678",
 * "0912.345.678 - 0987.654.321"), and joined back into as few valid numbers as cover them all: a
 * whole part that is one number stays one; two numbers joined by a dash or a space are two.
 */
function partition(groups: string[]): string[] | undefined {
  // best[i]: the fewest numbers that read groups[0..i) (undefined: none does).
  const best: (string[] | undefined)[] = [[]];
  for (let end = 1; end <= groups.length; end++) {
    for (let start = 0; start < end; start++) {
      const before = best[start];
      if (!before) continue;
      const read = nationalNumber(groups.slice(start, end).join(''));
      if (!('number' in read)) continue;
      const candidate = [...before, groups.slice(start, end).join('')];
      const current = best[end];
      if (!current || candidate.length < current.length) best[end] = candidate;
    }
  }
  return best[groups.length];
}

/**
 * Every phone number in one cell of a list. A cell may be a number (the spreadsheet dropped the
 * leading zero) or text with one or more numbers: separated by `/`, `;`, `,`, a line break, a dash
 * or words ("hoặc", "Zalo"). Full-width digits and invisible characters are read as what they look
 * like. Each number once, in the national form, in the order written.
 */
export function parsePhoneCell(cell: string | number | null | undefined): CellPhones {
  const out: CellPhones = { numbers: [], notes: [], problems: [] };
  if (cell === null || cell === undefined) return out;
  if (typeof cell === 'number') {
    if (!Number.isSafeInteger(cell) || cell < 0) {
      out.problems.push(`«${cell}» không phải số điện thoại.`);
      return out;
    }
    cell = String(cell);
  }
  const text = cell.normalize('NFKC').replace(/\p{Cf}/gu, '');
  // Anything but digits and what sits inside a number (letters, slashes, commas…) separates numbers.
  const parts = text.split(/[^\d\s.\-()+\u00a0]+/u).filter((p) => /\d/.test(p));
  for (const part of parts) {
    const groups = part.split(inside).filter((g) => g.length > 0);
    let numbers = partition(groups);
    // Two numbers run together without a separator (09123456780987654321): halves, if both read.
    const joined = groups.join('');
    if (!numbers && joined.length >= 18 && joined.length <= 24) {
      const half = joined.length / 2;
      if (Number.isInteger(half)) numbers = partition([joined.slice(0, half), joined.slice(half)]);
    }
    if (!numbers) {
      const read = groups.length === 1 || joined.length <= 12 ? nationalNumber(joined) : undefined;
      out.problems.push(
        read && 'problem' in read ? read.problem : `Không đọc được số điện thoại «${part.trim()}».`,
      );
      continue;
    }
    for (const digits of numbers) {
      const read = nationalNumber(digits);
      if (!('number' in read)) continue;
      if (out.numbers.some((n) => phoneKey(n) === phoneKey(read.number))) continue;
      out.numbers.push(read.number);
      if (read.note) out.notes.push(read.note);
    }
  }
  return out;
}
