import { foldForSearch } from './personal-data.ts';

/**
 * What the 1022 call form asks about while a call is being typed, before anything is saved: which
 * open cases of the ward look like the same problem. Intake's own lookup (pakn_possible_duplicates)
 * needs a map point, which a call does not have; this one compares what a clerk types — category,
 * address, residential group, text — accent-insensitively, as the search does.
 */
export type DuplicateProbe = {
  categoryCode: string | null;
  /** The title and description typed so far. */
  text: string;
  address: string | null;
  residentialGroup: string | null;
};

/** Why a case looks like the one being typed: the same residential group, a like address, a like text. */
export type DuplicateReason = 'group' | 'address' | 'text';

export type DuplicateMatch = { score: number; reasons: DuplicateReason[] };

/** Letters and digits only, accents and letter case folded away, words separated by one space. */
const words = (s: string | null) =>
  foldForSearch(s ?? '')
    .text.replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/** The trigrams of each word, as pg_trgm makes them ("  w", " wo", "wor", "ord", "rd "). */
function trigrams(s: string): Set<string> {
  const out = new Set<string>();
  for (const w of s.split(' ').filter(Boolean)) {
    const padded = `  ${w} `;
    for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  }
  return out;
}

/** How alike two texts are, 0 to 1: the share of their trigrams they have in common (pg_trgm's similarity). */
export function similarity(a: string, b: string): number {
  const x = trigrams(words(a));
  const y = trigrams(words(b));
  if (x.size === 0 || y.size === 0) return 0;
  let common = 0;
  for (const t of x) if (y.has(t)) common++;
  return common / (x.size + y.size - common);
}

/** "Tổ 5", "tổ dân phố 5", "TDP 5" and "to 05" are one group: its name without the words for a group. */
export function groupKey(group: string | null): string {
  const all = words(group).split(' ').filter(Boolean);
  const named = all.filter((w) => !['to', 'dan', 'pho', 'tdp', 'so'].includes(w));
  return (named.length ? named : all).map((w) => (/^\d+$/.test(w) ? String(Number(w)) : w)).join(' ');
}

/** The start of a text that is compared (as intake compares 120 characters of an earlier case's). */
const head = (s: string) => words(s).slice(0, 120);

/** Below this many letters the text typed says too little to compare. */
const minTextLength = 10;
/** Addresses at least this alike are one place ("ngõ 15 Lạch Tray", "số 3 ngõ 15 lạch tray"). */
const addressSimilarity = 0.5;

/**
 * Whether an open case is likely the one being typed, and why. With a category chosen, a case of the
 * same category in the same place (group or address) or with a like text; of another category, never.
 * Without a category yet, only the same place AND a like text. `minSimilarity`: how alike two texts
 * must be (DUPLICATE_SIMILARITY, as intake's lookup).
 */
export function matchDuplicate(
  probe: DuplicateProbe,
  candidate: DuplicateProbe,
  minSimilarity: number,
): DuplicateMatch | null {
  if (probe.categoryCode !== null && probe.categoryCode !== candidate.categoryCode) return null;
  const reasons: DuplicateReason[] = [];
  let score = 0;
  const group = groupKey(probe.residentialGroup);
  if (group !== '' && group === groupKey(candidate.residentialGroup)) {
    reasons.push('group');
    score += 0.3;
  }
  if (words(probe.address) !== '' && words(candidate.address) !== '') {
    const s = similarity(probe.address ?? '', candidate.address ?? '');
    if (s >= addressSimilarity) {
      reasons.push('address');
      score += s;
    }
  }
  const text = head(probe.text);
  if (text.replace(/ /g, '').length >= minTextLength) {
    const s = similarity(text, head(candidate.text));
    if (s >= minSimilarity) {
      reasons.push('text');
      score += s;
    }
  }
  const place = reasons.includes('group') || reasons.includes('address');
  const likely = probe.categoryCode !== null ? reasons.length > 0 : place && reasons.includes('text');
  return likely ? { score, reasons } : null;
}

/** Whether anything typed could match (a category alone cannot): a place, or enough text. */
export const probeWorthLooking = (p: DuplicateProbe) =>
  groupKey(p.residentialGroup) !== '' ||
  words(p.address) !== '' ||
  words(p.text).replace(/ /g, '').length >= minTextLength;
