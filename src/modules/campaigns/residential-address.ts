import { foldForSearch } from '../cases/personal-data.ts';

/**
 * Addresses as lists write them, read for two things: which residential group (tổ dân phố) a person
 * lives in, and which people live at the same address (one household, when a list has no household
 * column). Addresses are folded — no accents, lower case, punctuation as spaces — before anything.
 */

const fold = (s: string) =>
  foldForSearch(s)
    .text.replace(/[^a-z0-9]+/g, ' ')
    .trim();

/** "tổ 5", "tổ dân phố 5", "tổ dân phố số 05", "TDP 05", "TDP số 5", "tổ số 5" (folded). */
const groupMention = /(?:^| )(?:to dan pho|tdp|to)(?: so)? 0*(\d{1,3})(?= |$)/;

/** The residential group's number an address or a group's name mentions ("Tổ 5 - phường Việt Hoà" → 5). */
export function groupNumberOf(text: string): number | undefined {
  const m = groupMention.exec(fold(text));
  return m ? Number(m[1]) : undefined;
}

/**
 * The default matcher of an address to one of the ward's groups: by the group's number ("TDP 05" is
 * the group named "Tổ 5" or "Tổ dân phố số 5"), else by a group's whole name appearing in the
 * address (a group named after a place, "Tổ dân phố Đông Hải"). An address naming no group, or a
 * number no group has, matches none: the person is counted, but credited to no group.
 */
export function groupMatcher(
  groups: readonly { id: string; name: string }[],
): (address: string) => string | null {
  const byNumber = new Map<number, string>();
  const byName: [string, string][] = [];
  for (const g of groups) {
    const n = groupNumberOf(g.name);
    if (n !== undefined && !byNumber.has(n)) byNumber.set(n, g.id);
    else if (n === undefined) byName.push([` ${fold(g.name).replace(/^(?:to dan pho|tdp|to) /, '')} `, g.id]);
  }
  return (address) => {
    const n = groupNumberOf(address);
    if (n !== undefined) return byNumber.get(n) ?? null;
    const folded = ` ${fold(address)} `;
    for (const [name, id] of byName) if (name.trim() && folded.includes(name)) return id;
    return null;
  };
}

/** Words after which an address only names the ward, district or city: the same for everyone listed. */
const wardPart = / (?:phuong|p|quan|q|huyen|thanh pho|tp|tinh) .*$/;

/**
 * An address in one form, so "Số 12 ngõ 5, Tổ 5, phường Việt Hoà" and "12 Ngõ 5 - TDP 05" are the
 * same household: folded, the ward and what follows cut off, "số"/"nhà" dropped, the group written
 * as "to N".
 */
export function addressKey(address: string): string {
  return ` ${fold(address)} `
    .replace(wardPart, ' ')
    .replace(/ (?:to dan pho|tdp|to)(?: so)? 0*(\d{1,3})(?= )/g, ' to $1')
    .replace(/ (?:so nha|so|nha)(?= )/g, ' ')
    .replace(/ +/g, ' ')
    .trim();
}
