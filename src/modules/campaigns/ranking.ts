/**
 * The residential groups' ranking for the emulation (thi đua), with its tie-breaks written down:
 *
 * 1. coverage: covered households over households owning a smartphone, higher first, capped at 100%
 *    (a group whose count of smartphone households is out of date does not rank above one that
 *    covered all of its own), compared exactly (as fractions, not rounded);
 * 2. the day the group reached that coverage, earlier first (a group with no such day after those with one);
 * 3. covered households, more first;
 * and then the group's name and id, only so the order is the same every time: groups equal on all
 * three share a rank (1, 2, 2, 4). A group that declared no smartphone household has no coverage and
 * comes after every group that has one.
 */

export type RankedGroupInput = {
  id: string;
  name: string;
  coveredHouseholds: number;
  smartphoneHouseholds: number;
  /** The day (YYYY-MM-DD) the group reached its current coverage; see `reachedOn`. */
  reachedOn: string | null;
};

export type RankedGroup = RankedGroupInput & { rank: number; rate: number };

/** Coverage as a fraction capped at 1: [numerator, denominator], or undefined without a denominator. */
function coverage(g: RankedGroupInput): [number, number] | undefined {
  if (g.smartphoneHouseholds <= 0) return undefined;
  return [Math.min(g.coveredHouseholds, g.smartphoneHouseholds), g.smartphoneHouseholds];
}

/** The written criteria only: negative when `a` ranks above `b`, 0 when they share a rank. */
function compareCriteria(a: RankedGroupInput, b: RankedGroupInput): number {
  const ca = coverage(a);
  const cb = coverage(b);
  if (!ca || !cb) {
    if (ca || cb) return ca ? -1 : 1;
  } else {
    const byRate = cb[0] * ca[1] - ca[0] * cb[1];
    if (byRate !== 0) return byRate;
  }
  if (a.reachedOn !== b.reachedOn) {
    if (a.reachedOn === null) return 1;
    if (b.reachedOn === null) return -1;
    return a.reachedOn < b.reachedOn ? -1 : 1;
  }
  return b.coveredHouseholds - a.coveredHouseholds;
}

const byName = new Intl.Collator('vi', { numeric: true });

export function rankGroups(groups: readonly RankedGroupInput[]): RankedGroup[] {
  const sorted = [...groups].sort(
    (a, b) =>
      compareCriteria(a, b) || byName.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const out: RankedGroup[] = [];
  sorted.forEach((g, i) => {
    const previous = out[i - 1];
    const c = coverage(g);
    out.push({
      ...g,
      rate: c ? c[0] / c[1] : 0,
      rank: previous && compareCriteria(previous, g) === 0 ? previous.rank : i + 1,
    });
  });
  return out;
}

/**
 * The day a group reached its current coverage, from its daily snapshots: the first day of the last
 * unbroken run of days on which its coverage was at least what it is now (a group that dropped and
 * climbed back reached it again, later). Snapshots in any order; null when there are none.
 */
export function reachedOn(
  snapshots: readonly { on: string; coveredHouseholds: number; smartphoneHouseholds: number }[],
): string | null {
  const days = [...snapshots].sort((a, b) => (a.on < b.on ? -1 : 1));
  const last = days[days.length - 1];
  if (!last) return null;
  const rate = (s: (typeof days)[number]) =>
    s.smartphoneHouseholds > 0
      ? Math.min(s.coveredHouseholds, s.smartphoneHouseholds) / s.smartphoneHouseholds
      : 0;
  const now = rate(last);
  let first = last.on;
  for (let i = days.length - 1; i >= 0; i--) {
    const day = days[i] as (typeof days)[number];
    if (rate(day) < now) break;
    first = day.on;
  }
  return first;
}
