import type { z } from 'zod';
import type { Conn, Db } from '../../db/database.ts';
import type { FrozenRankingEntry } from '../../db/types.ts';
import { badRequest } from '../../shared/errors.ts';
import { vietnamDayOf } from '../../shared/vietnam-day.ts';
import type { AuditActor } from '../audit/audit-entry.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import { auditCampaign } from './campaign-audit.ts';
import { type Progress, progressOf, rankingRules, rate } from './campaign-progress.ts';
import { accessCampaign, type CampaignRow, requireCoordinator } from './campaign-repository.ts';
import type { rankingSchema, timelineSchema } from './campaign-schemas.ts';
import { defaultTargets } from './campaign-service.ts';
import { currentCounts } from './campaign-tally.ts';
import { campaignReportXlsx } from './campaign-xlsx.ts';
import { rankGroups, reachedOn } from './ranking.ts';

export type CampaignProgressService = ReturnType<typeof createCampaignProgressService>;
type Ranking = z.output<typeof rankingSchema>;

/**
 * What the dashboard, the chairman and the city read: progress from the tallies (crediting is done at
 * upload, so these are a handful of small reads), progress over time from the daily snapshots, the
 * emulation ranking (live, or as frozen and published), and the report. Aggregates only.
 */
export function createCampaignProgressService(deps: { db: Db }) {
  const { db } = deps;

  const progressFor = (c: CampaignRow) => loadProgress(db, c);

  async function liveRanking(c: CampaignRow, progress?: Progress): Promise<FrozenRankingEntry[]> {
    const p = progress ?? (await progressFor(c));
    const snapshots = await db
      .selectFrom('campaign_snapshots')
      .select(['group_id', 'day', 'covered_households', 'smartphone_households'])
      .where('campaign_id', '=', c.id)
      .where('group_id', '<>', '0')
      .orderBy('day')
      .execute();
    const byGroup = new Map<
      string,
      { on: string; coveredHouseholds: number; smartphoneHouseholds: number }[]
    >();
    for (const s of snapshots) {
      const days = byGroup.get(s.group_id) ?? [];
      days.push({
        on: s.day,
        coveredHouseholds: s.covered_households,
        smartphoneHouseholds: s.smartphone_households,
      });
      byGroup.set(s.group_id, days);
    }
    return rankGroups(
      p.groups.map((g) => ({
        id: g.id,
        name: g.name,
        coveredHouseholds: g.coveredHouseholds,
        smartphoneHouseholds: g.smartphoneHouseholds,
        reachedOn: g.coveredHouseholds > 0 ? reachedOn(byGroup.get(g.id) ?? []) : null,
      })),
    ).map((g) => ({
      rank: g.rank,
      groupId: g.id,
      name: g.name,
      rate: g.rate,
      reachedOn: g.reachedOn,
      coveredHouseholds: g.coveredHouseholds,
      smartphoneHouseholds: g.smartphoneHouseholds,
    }));
  }

  const latestFrozen = (campaignId: string) =>
    db
      .selectFrom('campaign_rankings')
      .select(['frozen_on', 'frozen_at', 'entries'])
      .where('campaign_id', '=', campaignId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();

  async function rankingFor(c: CampaignRow, live: boolean, progress?: Progress): Promise<Ranking> {
    const frozen = live ? undefined : await latestFrozen(c.id);
    if (frozen)
      return {
        frozenOn: frozen.frozen_on,
        frozenAt: frozen.frozen_at.toISOString(),
        rules: rankingRules,
        groups: frozen.entries,
      };
    return { frozenOn: null, frozenAt: null, rules: rankingRules, groups: await liveRanking(c, progress) };
  }

  return {
    /** The campaign's progress; a unit's submitter sees the ward's totals and their own unit and group. */
    async progress(caller: UserPrincipal, campaignId: string): Promise<Progress> {
      const access = await accessCampaign(db, caller, campaignId);
      const p = await progressFor(access.campaign);
      if (access.role.kind !== 'submitter') return p;
      const unitId = access.role.unitId;
      const own = await db
        .selectFrom('campaign_units')
        .select('residential_group_id')
        .where('id', '=', unitId)
        .executeTakeFirstOrThrow();
      return {
        ...p,
        groups: p.groups.filter((g) => g.id === own.residential_group_id),
        units: p.units.filter((u) => u.id === unitId),
        missing: p.missing.filter((id) => id === unitId),
      };
    },

    /** The ward's figures day by day, each day's last (days without a change carry the day before). */
    async timeline(caller: UserPrincipal, campaignId: string): Promise<z.output<typeof timelineSchema>> {
      await accessCampaign(db, caller, campaignId);
      const rows = await db
        .selectFrom('campaign_snapshots')
        .select(['day', 'people', 'covered_households', 'smartphone_households'])
        .where('campaign_id', '=', campaignId)
        .where('group_id', '=', '0')
        .orderBy('day')
        .execute();
      return {
        days: rows.map((r) => ({
          day: r.day,
          people: r.people,
          coveredHouseholds: r.covered_households,
          smartphoneHouseholds: r.smartphone_households,
          rate: rate(r.covered_households, r.smartphone_households),
        })),
      };
    },

    async ranking(caller: UserPrincipal, campaignId: string, live: boolean): Promise<Ranking> {
      const access = await accessCampaign(db, caller, campaignId);
      return rankingFor(access.campaign, live);
    },

    /** Publishes the ranking as it stands, with a date: later uploads no longer move it. */
    async freeze(
      caller: UserPrincipal,
      actor: AuditActor,
      campaignId: string,
      frozenOn?: string,
    ): Promise<Ranking> {
      const access = await accessCampaign(db, caller, campaignId);
      requireCoordinator(access);
      const on = frozenOn ?? vietnamDayOf(new Date());
      if (on < access.campaign.starts_on)
        throw badRequest('Ngày chốt xếp hạng trước ngày bắt đầu chiến dịch.', [
          { path: 'frozenOn', message: 'Trước ngày bắt đầu' },
        ]);
      const entries = await liveRanking(access.campaign);
      await db.transaction().execute(async (trx: Conn) => {
        await trx
          .insertInto('campaign_rankings')
          .values({
            campaign_id: campaignId,
            frozen_on: on,
            entries: JSON.stringify(entries),
            frozen_by_user_id: caller.userId,
          })
          .execute();
        await auditCampaign(trx, actor, access.campaign, 'freeze', { frozenOn: on, groups: entries.length });
      });
      return rankingFor(access.campaign, false);
    },

    /** The chairman's and the city's report: totals, per-group and per-unit progress, the ranking. */
    async report(caller: UserPrincipal, campaignId: string): Promise<{ name: string; bytes: Buffer }> {
      const access = await accessCampaign(db, caller, campaignId);
      if (access.role.kind === 'submitter') requireCoordinator(access);
      const c = access.campaign;
      const p = await progressFor(c);
      const ranking = await rankingFor(c, false, p);
      const ward = await db
        .selectFrom('wards')
        .select('name')
        .where('id', '=', c.ward_id)
        .executeTakeFirstOrThrow();
      const bytes = await campaignReportXlsx({
        campaign: {
          name: c.name,
          documentNumber: c.document_number,
          documentDate: c.document_date,
          startsOn: c.starts_on,
          endsOn: c.ends_on,
          wardName: ward.name,
          coordinatingDepartment: c.coordinating_department,
        },
        generatedAt: new Date().toISOString(),
        totals: {
          people: p.totals.people,
          coveredHouseholds: p.totals.coveredHouseholds,
          smartphoneHouseholds: p.totals.smartphoneHouseholds,
          households: p.totals.households,
          rate: p.totals.rate,
          unitsWithList: p.units.length - p.missing.length,
          units: p.units.length,
        },
        groups: p.groups,
        units: p.units.map((u) => ({ ...u })),
        ranking: ranking.groups,
        rankingFrozenOn: ranking.frozenOn,
      });
      return { name: `bao-cao-cai-dat-smart-hai-phong-${c.id}.xlsx`, bytes };
    },
  };
}

/** A campaign's progress from its tallies and its ward's current counts (a handful of small reads). */
export async function loadProgress(db: Conn, c: CampaignRow): Promise<Progress> {
  const [groups, covered, units, listed, totals] = await Promise.all([
    currentCounts(db, c.ward_id),
    db
      .selectFrom('campaign_group_tallies')
      .select(['group_id', 'covered_households'])
      .where('campaign_id', '=', c.id)
      .execute(),
    db
      .selectFrom('campaign_units as u')
      .leftJoin('campaign_lists as l', (j) =>
        j.onRef('l.unit_id', '=', 'u.id').on('l.replaced_at', 'is', null),
      )
      .select(['u.id', 'u.name', 'u.kind', 'u.headcount', 'l.uploaded_at'])
      .where('u.campaign_id', '=', c.id)
      .execute(),
    db
      .selectFrom('campaign_unit_tallies')
      .select(['unit_id', 'listed'])
      .where('campaign_id', '=', c.id)
      .execute(),
    db
      .selectFrom('campaign_tallies')
      .select(['people', 'covered_households', 'unplaced', 'computed_at'])
      .where('campaign_id', '=', c.id)
      .executeTakeFirst(),
  ]);
  const byName = new Intl.Collator('vi', { numeric: true });
  return progressOf({
    targets: { ...defaultTargets, ...c.targets },
    groups: groups
      .map((g) => ({
        id: g.id,
        name: g.name,
        households: g.households,
        smartphoneHouseholds: g.smartphone_households,
      }))
      .sort((a, b) => byName.compare(a.name, b.name)),
    covered: new Map(covered.map((t) => [t.group_id, t.covered_households])),
    units: units
      .map((u) => ({
        id: u.id,
        name: u.name,
        kind: u.kind,
        headcount: u.headcount,
        submittedAt: u.uploaded_at,
      }))
      .sort((a, b) => (a.kind === b.kind ? byName.compare(a.name, b.name) : a.kind < b.kind ? -1 : 1)),
    listed: new Map(listed.map((t) => [t.unit_id, t.listed])),
    totals: totals && {
      people: totals.people,
      coveredHouseholds: totals.covered_households,
      unplaced: totals.unplaced,
    },
    computedAt: totals?.computed_at ?? null,
  });
}
