/** Punctuation that has a plain ASCII counterpart. */
const plainPunctuation: Record<string, string> = {
  '–': '-',
  '—': '-',
  '‘': "'",
  '’': "'",
  '“': '"',
  '”': '"',
  '…': '...',
  '\u00a0': ' ',
};

/**
 * Each precomposed Latin letter (Vietnamese's among them) without its marks, and đ/Đ as d/D: worked
 * out once from Unicode's decompositions, so that folding a text is one lookup per character rather
 * than a normalisation of the whole text.
 */
const folded = new Map<string, string>(Object.entries(plainPunctuation));
for (const [from, to] of [
  [0xc0, 0x24f],
  [0x1e00, 0x1eff],
]) {
  for (let cp = from as number; cp <= (to as number); cp++) {
    const c = String.fromCodePoint(cp);
    const base = c.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    if (base !== c && base.length > 0) folded.set(c, base);
  }
}
folded.set('đ', 'd').set('Đ', 'D');

/**
 * Vietnamese without its diacritics ("Phường Việt Hoà" → "Phuong Viet Hoa"), and typographic
 * punctuation as its plain form: text that fits the GSM alphabet of SMS, and that compares as the
 * database's accent-insensitive search text does. Text in NFC (as the API stores it) folds character
 * by character; combining marks of any other form are dropped.
 */
export function withoutDiacritics(text: string): string {
  let out = '';
  for (const c of text) {
    const f = folded.get(c);
    if (f !== undefined) out += f;
    else if (c < '\u0300' || c > '\u036f') out += c;
  }
  return out;
}
