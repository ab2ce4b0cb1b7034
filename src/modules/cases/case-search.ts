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
