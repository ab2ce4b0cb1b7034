import { describe, expect, it } from 'vitest';
import { type RankedGroupInput, rankGroups, reachedOn } from './ranking.ts';

const group = (
  id: string,
  covered: number,
  smartphones: number,
  on: string | null,
  name = id,
): RankedGroupInput => ({
  id,
  name,
  coveredHouseholds: covered,
  smartphoneHouseholds: smartphones,
  reachedOn: on,
});

const order = (groups: RankedGroupInput[]) => rankGroups(groups).map((g) => [g.id, g.rank]);

describe('rankGroups', () => {
  it('ranks by coverage first, compared exactly', () => {
    expect(
      order([
        group('a', 60, 100, '2026-06-01'),
        group('b', 90, 100, '2026-06-20'),
        group('c', 2, 3, '2026-06-01'),
      ]),
    ).toEqual([
      ['b', 1],
      ['c', 2],
      ['a', 3],
    ]);
    // 1/3 and 2/6 are the same coverage: the date decides.
    expect(order([group('a', 2, 6, '2026-06-10'), group('b', 1, 3, '2026-06-09')])).toEqual([
      ['b', 1],
      ['a', 2],
    ]);
  });

  it('caps coverage at 100%: over-counting an outdated declaration does not rank higher', () => {
    const ranked = rankGroups([group('over', 130, 100, '2026-06-20'), group('full', 80, 80, '2026-06-15')]);
    expect(ranked.map((g) => [g.id, g.rank, g.rate])).toEqual([
      ['full', 1, 1],
      ['over', 2, 1],
    ]);
  });

  it('at equal coverage, the group that reached it earlier first; a group with no date after', () => {
    expect(
      order([
        group('late', 50, 100, '2026-06-25'),
        group('none', 50, 100, null),
        group('early', 50, 100, '2026-06-02'),
      ]),
    ).toEqual([
      ['early', 1],
      ['late', 2],
      ['none', 3],
    ]);
  });

  it('at equal coverage and date, more covered households first', () => {
    expect(order([group('small', 40, 40, '2026-06-10'), group('big', 200, 200, '2026-06-10')])).toEqual([
      ['big', 1],
      ['small', 2],
    ]);
  });

  it('groups equal on every criterion share a rank, in a fixed order by name', () => {
    const groups = [
      group('x', 10, 20, '2026-06-10', 'Tổ 10'),
      group('y', 10, 20, '2026-06-10', 'Tổ 2'),
      group('z', 5, 20, '2026-06-01', 'Tổ 1'),
    ];
    expect(order(groups)).toEqual([
      ['y', 1],
      ['x', 1],
      ['z', 3],
    ]);
    expect(order([...groups].reverse())).toEqual(order(groups));
  });

  it('puts a group without smartphone households last', () => {
    expect(order([group('empty', 5, 0, '2026-06-01'), group('some', 1, 100, null)])).toEqual([
      ['some', 1],
      ['empty', 2],
    ]);
  });
});

describe('reachedOn', () => {
  const day = (on: string, covered: number, smartphones = 100) => ({
    on,
    coveredHouseholds: covered,
    smartphoneHouseholds: smartphones,
  });

  it('is the first day of the last run at or above today’s coverage', () => {
    expect(
      reachedOn([day('2026-06-03', 80), day('2026-06-01', 50), day('2026-06-02', 80), day('2026-06-04', 80)]),
    ).toBe('2026-06-02');
    expect(reachedOn([day('2026-06-01', 80), day('2026-06-02', 70), day('2026-06-03', 80)])).toBe(
      '2026-06-03',
    );
    expect(reachedOn([day('2026-06-01', 90), day('2026-06-02', 80)])).toBe('2026-06-01');
    expect(reachedOn([])).toBeNull();
  });
});
