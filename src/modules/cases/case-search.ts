/**
 * What a list's `q` asks for: whole case codes (`NGOQUYEN-260824-0042`, any letter case), which are
 * looked up by the code's unique index, and words, which are matched accent-insensitively anywhere in
 * the code, title, description and address. At most eight terms count; every one must match.
 */
type SearchTerms = { codes: string[]; words: string[] };

/** A case code: the ward's code, the local day of receipt (yyMMdd) and the number (insertIntake). */
const caseCode = /^[A-Za-z0-9_]{2,20}-\d{6}-\d{4,}$/;

export function parseSearch(q: string | undefined): SearchTerms {
  const terms = (q ?? '').split(/\s+/).filter(Boolean).slice(0, 8);
  return {
    codes: terms.filter((t) => caseCode.test(t)).map((t) => t.toUpperCase()),
    words: terms.filter((t) => !caseCode.test(t)),
  };
}

/** Words worth reading a ward's newest cases for first: those without digits (see case-service list). */
export const windowable = (words: string[]) => words.length > 0 && !words.some((w) => /\d/.test(w));

/**
 * A `q` that is one whole Vietnamese phone number, however written (0912 345 678, +84.912.345.678,
 * 84912345678): its one form (84…, as phoneKey and the database's pakn_phone_key write it), for a
 * lookup of the reporter's phone by those who may see it. Anything else: undefined.
 */
export function phoneSearchKey(q: string | undefined): string | undefined {
  const compact = (q ?? '').normalize('NFKC').replace(/[\s.()-]/g, '');
  const m = /^(?:\+84|84|0)(\d{9})$/.exec(compact);
  return m ? `84${m[1]}` : undefined;
}
