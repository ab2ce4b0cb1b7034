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
    const r = u.headcount ? rate(listed, u.headcount) : null;
    return {
      id: u.id,
      name: u.name,
      kind: u.kind,
      listed,
      headcount: u.headcount,
      rate: r,
      submittedAt: u.submittedAt?.toISOString() ?? null,
      // A residential group's target is its households (above); a unit's is its staff.
      belowTarget: u.kind !== 'residential_group' && r !== null && r < targets.staffShare,
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
