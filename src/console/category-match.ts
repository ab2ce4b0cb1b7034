import { foldForSearch } from '../modules/cases/personal-data.ts';

/**
 * The category a clerk typed (the call form's type-ahead: an input with the names as suggestions),
 * matched to a category accent- and case-insensitively: its whole name or code, else the one name
 * that begins with what was typed, or has a word that does. Several: `ambiguous`, with their names.
 */
export type CategoryChoice =
  | { kind: 'none' }
  | { kind: 'found'; code: string; name: string }
  | { kind: 'ambiguous'; names: string[] }
  | { kind: 'unknown' };

const fold = (s: string) =>
  foldForSearch(s)
    .text.replace(/[^\p{L}\p{N}_]+/gu, ' ')
    .trim();

export function matchCategory(
  typed: string | undefined,
  categories: readonly { code: string; name: string }[],
): CategoryChoice {
  const t = fold(typed ?? '');
  if (t === '') return { kind: 'none' };
  const exact = categories.find((c) => fold(c.name) === t || c.code === t);
  if (exact) return { kind: 'found', code: exact.code, name: exact.name };
  const starts = categories.filter((c) => fold(c.name).startsWith(t));
  const pool = starts.length ? starts : categories.filter((c) => ` ${fold(c.name)}`.includes(` ${t}`));
  const [only] = pool;
  if (pool.length === 1 && only) return { kind: 'found', code: only.code, name: only.name };
  if (pool.length > 1) return { kind: 'ambiguous', names: pool.slice(0, 5).map((c) => c.name) };
  return { kind: 'unknown' };
}
