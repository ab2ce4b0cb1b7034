/** A small seeded PRNG (mulberry32) and the draws the generator needs, so a seed gives the same city. */
import { mulberry32 } from '../lib/prng.ts';

export type Rng = {
  /** Uniform in [0, 1). */
  next: () => number;
  /** Integer in [min, max]. */
  int: (min: number, max: number) => number;
  chance: (p: number) => boolean;
  pick: <T>(items: readonly T[]) => T;
  /** Uniform in [min, max). */
  between: (min: number, max: number) => number;
};

export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    between: (min, max) => min + next() * (max - min),
  };
}

/** Draws an index with probability proportional to its weight (binary search over the running sums). */
export function weighted(weights: readonly number[]): (rng: Rng) => number {
  const sums: number[] = [];
  let total = 0;
  for (const w of weights) {
    total += w;
    sums.push(total);
  }
  return (rng) => {
    const x = rng.next() * total;
    let lo = 0;
    let hi = sums.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sums[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/** Picks a value by weight from `[value, weight]` pairs. */
export function weightedPick<T>(pairs: readonly (readonly [T, number])[]): (rng: Rng) => T {
  const draw = weighted(pairs.map((p) => p[1]));
  return (rng) => (pairs[draw(rng)] as readonly [T, number])[0];
}
