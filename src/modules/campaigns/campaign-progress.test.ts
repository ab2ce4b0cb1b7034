import { describe, expect, it } from 'vitest';
import { progressOf, rate, unitMeasure } from './campaign-progress.ts';

const targets = { householdCoverage: 0.9, staffShare: 0.8, householdsPerYouthMember: 10 };

describe('unitMeasure', () => {
  it("measures a unit's staff against the campaign's share of its headcount, rounded up", () => {
    expect(unitMeasure({ kind: 'school', headcount: 41 }, targets)).toEqual({ of: 41, target: 33 });
  });

  it('measures the youth union by the households its members guide', () => {
    expect(unitMeasure({ kind: 'youth_union', headcount: 25 }, targets)).toEqual({ of: 250, target: 250 });
  });

  it('gives a residential group and a unit without headcount no staff target', () => {
    expect(unitMeasure({ kind: 'residential_group', headcount: 10 }, targets)).toBeUndefined();
    expect(unitMeasure({ kind: 'police', headcount: null }, targets)).toBeUndefined();
  });
});

describe('progressOf', () => {
  const p = progressOf({
    targets,
    groups: [
      { id: 'g1', name: 'Tổ 1', households: 100, smartphoneHouseholds: 80 },
      { id: 'g2', name: 'Tổ 2', households: 50, smartphoneHouseholds: 0 },
    ],
    covered: new Map([
      ['g1', 90],
      ['g2', 3],
    ]),
    units: [
      {
        id: 'u1',
        name: 'Trường',
        kind: 'school',
        headcount: 10,
        submittedAt: new Date('2026-06-01T02:00:00Z'),
      },
      { id: 'u2', name: 'Công an', kind: 'police', headcount: 30, submittedAt: null },
      {
        id: 'u3',
        name: 'Đoàn thanh niên',
        kind: 'youth_union',
        headcount: 2,
        submittedAt: new Date('2026-06-02T02:00:00Z'),
      },
    ],
    listed: new Map([
      ['u1', 8],
      ['u3', 21],
    ]),
    totals: { people: 120, coveredHouseholds: 93, unplaced: 4 },
    computedAt: null,
  });

  it('caps a group whose smartphone count is out of date at 100%, and a group without one at 0', () => {
    expect(p.groups.map((g) => [g.rate, g.reachedTarget])).toEqual([
      [1, true],
      [0, false],
    ]);
  });

  it("totals the ward's households and rates the covered against smartphone households", () => {
    expect(p.totals).toEqual({
      people: 120,
      coveredHouseholds: 93,
      smartphoneHouseholds: 80,
      households: 150,
      rate: 1,
      unplaced: 4,
    });
  });

  it('tells the units below target and those with no list', () => {
    expect(p.units.map((u) => [u.id, u.target, u.rate, u.belowTarget])).toEqual([
      ['u1', 8, 0.8, false],
      ['u2', 24, 0, true],
      ['u3', 20, 1, false],
    ]);
    expect(p.missing).toEqual(['u2']);
  });

  it('rates part of nothing as 0', () => {
    expect(rate(5, 0)).toBe(0);
  });
});
