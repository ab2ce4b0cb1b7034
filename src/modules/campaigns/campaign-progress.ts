import type { CampaignTargets } from '../../db/types.ts';
import type { UnitKind } from './crediting.ts';

/**
 * Progress as the dashboard and the report show it, from the tallies and the groups' current counts.
 * Rates are 0–1, capped at 1 (a group whose smartphone count is out of date does not show 130%).
 */

export type GroupFigures = { id: string; name: string; households: number; smartphoneHouseholds: number };
export type UnitFigures = {
  id: string;
  name: string;
  kind: UnitKind;
  headcount: number | null;
  submittedAt: Date | null;
};

/**
 * What a unit's list is measured against: its staff (the share of its headcount the campaign sets),
 * or for the youth union the households its members guide (each member so many households, listed by
 * the union as the people it helped). A residential group's target is its households (the groups'
 * progress), and a unit without a headcount has none.
 */
export function unitMeasure(
  u: Pick<UnitFigures, 'kind' | 'headcount'>,
  targets: CampaignTargets,
): { of: number; target: number } | undefined {
  if (u.kind === 'residential_group' || !u.headcount) return undefined;
  if (u.kind === 'youth_union') {
    const households = u.headcount * targets.householdsPerYouthMember;
    return households > 0 ? { of: households, target: households } : undefined;
  }
  return { of: u.headcount, target: Math.ceil(u.headcount * targets.staffShare) };
}

export const rate = (part: number, whole: number) => (whole > 0 ? Math.min(part, whole) / whole : 0);

export function progressOf(input: {
  targets: CampaignTargets;
  groups: GroupFigures[];
  covered: Map<string, number>;
  units: UnitFigures[];
  listed: Map<string, number>;
  totals: { people: number; coveredHouseholds: number; unplaced: number } | undefined;
  computedAt: Date | null;
}) {
  const { targets } = input;
  const groups = input.groups.map((g) => {
    const coveredHouseholds = input.covered.get(g.id) ?? 0;
    const r = rate(coveredHouseholds, g.smartphoneHouseholds);
    return {
      id: g.id,
      name: g.name,
      coveredHouseholds,
      smartphoneHouseholds: g.smartphoneHouseholds,
      households: g.households,
      rate: r,
      reachedTarget: g.smartphoneHouseholds > 0 && r >= targets.householdCoverage,
    };
  });
  const units = input.units.map((u) => {
    const listed = input.listed.get(u.id) ?? 0;
    const measure = unitMeasure(u, targets);
    const r = measure ? rate(listed, measure.of) : null;
    return {
      id: u.id,
      name: u.name,
      kind: u.kind,
      listed,
      headcount: u.headcount,
      target: measure?.target ?? null,
      rate: r,
      submittedAt: u.submittedAt?.toISOString() ?? null,
      belowTarget: measure !== undefined && listed < measure.target,
    };
  });
  const smartphoneHouseholds = input.groups.reduce((n, g) => n + g.smartphoneHouseholds, 0);
  const coveredHouseholds = input.totals?.coveredHouseholds ?? 0;
  return {
    totals: {
      people: input.totals?.people ?? 0,
      coveredHouseholds,
      smartphoneHouseholds,
      households: input.groups.reduce((n, g) => n + g.households, 0),
      rate: rate(coveredHouseholds, smartphoneHouseholds),
      unplaced: input.totals?.unplaced ?? 0,
    },
    groups,
    units,
    missing: input.units.filter((u) => u.submittedAt === null).map((u) => u.id),
    computedAt: input.computedAt?.toISOString() ?? null,
  };
}

export type Progress = ReturnType<typeof progressOf>;

/** The ranking's rules as published beside it. */
export const rankingRules =
  'Xếp theo: (1) tỷ lệ hộ có điện thoại thông minh đã cài đặt (cao trước, tối đa 100%); (2) ngày đạt tỷ lệ đó (sớm trước); (3) số hộ đã cài đặt (nhiều trước). Bằng nhau cả ba tiêu chí thì đồng hạng.';
