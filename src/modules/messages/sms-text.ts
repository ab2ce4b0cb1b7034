/**
 * SMS text arithmetic (3GPP TS 23.038): which alphabet a text needs and how many segments it costs.
 * A text entirely in the GSM 7-bit alphabet takes 160 characters in one message, 153 a segment when
 * concatenated (the rest of each segment is the concatenation header); characters of the extension
 * table (such as `€ [ ] { }`) take two. Anything else, and Vietnamese with its diacritics nearly always
 * is, forces UCS-2: 70 UTF-16 units in one message, 67 a segment. Neither splits a character across
 * segments (an escape pair or a surrogate pair stays whole).
 */

const gsmBasic = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const gsmExtension = new Set('\f^{}\\[~]|€');

export type SmsEncoding = 'gsm7' | 'ucs2';
export type SmsSize = { encoding: SmsEncoding; units: number; segments: number };

export const isGsm7 = (text: string) => {
  for (const c of text) if (!gsmBasic.has(c) && !gsmExtension.has(c)) return false;
  return true;
};

/** Segments needed when each character costs `cost(c)` units: `single` in one message, `part` a segment. */
function pack(text: string, cost: (c: string) => number, single: number, part: number) {
  let units = 0;
  for (const c of text) units += cost(c);
  if (units <= single) return { units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const c of text) {
    const n = cost(c);
    if (used + n > part) {
      segments += 1;
      used = 0;
    }
    used += n;
  }
  return { units, segments };
}

export function smsSize(text: string): SmsSize {
  if (isGsm7(text))
    return { encoding: 'gsm7', ...pack(text, (c) => (gsmExtension.has(c) ? 2 : 1), 160, 153) };
  return { encoding: 'ucs2', ...pack(text, (c) => c.length, 70, 67) };
}
