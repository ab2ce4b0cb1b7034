import { sql } from 'kysely';
import type { Conn } from '../../db/database.ts';
import type { StoredListing } from '../../db/types.ts';
import { vietnamDayOf } from '../../shared/vietnam-day.ts';
import { type Conflict, type CreditedUnit, creditLists, type UnitList } from './crediting.ts';
import { groupMatcher } from './residential-address.ts';

/**
 * The crediting of a campaign's current lists, kept in tables the dashboard reads (campaign_tallies,
 * campaign_group_tallies, campaign_unit_tallies, campaign_conflicts) and today's snapshot. Recomputed
 * whole, in the transaction of the change that moves it (an upload, a group added), under a lock per
 * campaign so two uploads at once are counted one after the other: the tallies always credit exactly
 * the lists that are committed.
 */

/** Serialises the recomputations of one campaign (held until the transaction ends). */
export const lockCampaign = (trx: Conn, campaignId: string) =>
  sql`SELECT pg_advisory_xact_lock(hashtext('pakn.campaign'), ${Number(campaignId)}::int)`.execute(trx);

/** The current counts of a ward's residential groups: each group's latest declared version. */
export function currentCounts(db: Conn, wardId: string) {
  return db
    .selectFrom('residential_groups as g')
    .innerJoin(
      (eb) =>
        eb
          .selectFrom('residential_group_counts')
          .distinctOn('group_id')
          .select(['group_id', 'households', 'smartphone_households'])
          .orderBy('group_id')
          .orderBy('id', 'desc')
          .as('c'),
      (join) => join.onRef('c.group_id', '=', 'g.id'),
    )
    .select(['g.id', 'g.name', 'c.households', 'c.smartphone_households'])
    .where('g.ward_id', '=', wardId)
    .orderBy('g.id')
    .execute();
}

/** Every current list's rows, by unit: what crediting reads. */
async function currentLists(db: Conn, campaignId: string): Promise<UnitList[]> {
  const units = await db
    .selectFrom('campaign_units')
    .select(['id', 'kind', 'residential_group_id'])
    .where('campaign_id', '=', campaignId)
    .execute();
  const rows = await db
    .selectFrom('campaign_list_rows as r')
    .innerJoin('campaign_lists as l', 'l.id', 'r.list_id')
    .select(['l.unit_id', 'r.row', 'r.name', 'r.phones', 'r.address', 'r.household'])
    .where('l.campaign_id', '=', campaignId)
    .where('l.replaced_at', 'is', null)
    .orderBy('l.unit_id')
    .orderBy('r.row')
    .execute();
  const byUnit = new Map<string, UnitList['entries'][number][]>();
  for (const r of rows) {
    const entries = byUnit.get(r.unit_id) ?? [];
    entries.push({ row: r.row, name: r.name, phones: r.phones, address: r.address, household: r.household });
    byUnit.set(r.unit_id, entries);
  }
  return units.map((u) => ({
    unit: { id: u.id, kind: u.kind, residentialGroupId: u.residential_group_id } satisfies CreditedUnit,
    entries: byUnit.get(u.id) ?? [],
  }));
}

/** Recomputes the campaign's crediting and today's snapshot. Call inside a transaction. */
export async function retally(trx: Conn, campaign: { id: string; wardId: string }, now = new Date()) {
  await lockCampaign(trx, campaign.id);
  const groups = await trx
    .selectFrom('residential_groups')
    .select(['id', 'name'])
    .where('ward_id', '=', campaign.wardId)
    .execute();
  const credited = creditLists(await currentLists(trx, campaign.id), groupMatcher(groups));

  await trx
    .insertInto('campaign_tallies')
    .values({
      campaign_id: campaign.id,
      people: credited.people,
      covered_households: credited.coveredHouseholds,
      unplaced: credited.unplaced,
      computed_at: now,
    })
    .onConflict((oc) =>
      oc.column('campaign_id').doUpdateSet((eb) => ({
        people: eb.ref('excluded.people'),
        covered_households: eb.ref('excluded.covered_households'),
        unplaced: eb.ref('excluded.unplaced'),
        computed_at: eb.ref('excluded.computed_at'),
      })),
    )
    .execute();
  await trx.deleteFrom('campaign_group_tallies').where('campaign_id', '=', campaign.id).execute();
  if (credited.groups.size > 0)
    await trx
      .insertInto('campaign_group_tallies')
      .values(
        [...credited.groups].map(([groupId, g]) => ({
          campaign_id: campaign.id,
          group_id: groupId,
          people: g.people,
          covered_households: g.coveredHouseholds,
        })),
      )
      .execute();
  await trx.deleteFrom('campaign_unit_tallies').where('campaign_id', '=', campaign.id).execute();
  if (credited.units.size > 0)
    await trx
      .insertInto('campaign_unit_tallies')
      .values(
        [...credited.units].map(([unitId, u]) => ({
          unit_id: unitId,
          campaign_id: campaign.id,
          listed: u.listed,
        })),
      )
      .execute();
  await keepConflicts(trx, campaign.id, credited.conflicts);
  await snapshot(trx, campaign, now);
}

/** The conflicts now: those still there keep their row (and the coordinator's resolution). */
async function keepConflicts(trx: Conn, campaignId: string, conflicts: Conflict[]) {
  const keys = conflicts.map((c) => `${c.kind}:${c.phone}`);
  await trx
    .deleteFrom('campaign_conflicts')
    .where('campaign_id', '=', campaignId)
    .$if(keys.length > 0, (q) => q.where(sql<string>`kind || ':' || phone`, 'not in', keys))
    .execute();
  for (let i = 0; i < conflicts.length; i += 1000)
    await trx
      .insertInto('campaign_conflicts')
      .values(
        conflicts.slice(i, i + 1000).map((c) => ({
          campaign_id: campaignId,
          kind: c.kind,
          phone: c.phone,
          listings: JSON.stringify(c.listings satisfies StoredListing[]),
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['campaign_id', 'kind', 'phone'])
          .doUpdateSet((eb) => ({ listings: eb.ref('excluded.listings') })),
      )
      .execute();
}

/**
 * Today's figures (Vietnam day) per group and for the ward (group 0), replacing today's earlier ones:
 * progress over time is drawn from these, and the day a group reached its coverage is read from them.
 */
export async function snapshot(trx: Conn, campaign: { id: string; wardId: string }, now = new Date()) {
  const day = vietnamDayOf(now);
  const counts = await currentCounts(trx, campaign.wardId);
  const tallies = new Map(
    (
      await trx
        .selectFrom('campaign_group_tallies')
        .select(['group_id', 'people', 'covered_households'])
        .where('campaign_id', '=', campaign.id)
        .execute()
    ).map((t) => [t.group_id, t]),
  );
  const total = await trx
    .selectFrom('campaign_tallies')
    .select(['people', 'covered_households'])
    .where('campaign_id', '=', campaign.id)
    .executeTakeFirst();
  const rows = counts.map((g) => ({
    campaign_id: campaign.id,
    day,
    group_id: g.id,
    people: tallies.get(g.id)?.people ?? 0,
    covered_households: tallies.get(g.id)?.covered_households ?? 0,
    smartphone_households: g.smartphone_households,
  }));
  rows.push({
    campaign_id: campaign.id,
    day,
    group_id: '0',
    people: total?.people ?? 0,
    covered_households: total?.covered_households ?? 0,
    smartphone_households: counts.reduce((n, g) => n + g.smartphone_households, 0),
  });
  await trx
    .insertInto('campaign_snapshots')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['campaign_id', 'day', 'group_id']).doUpdateSet((eb) => ({
        people: eb.ref('excluded.people'),
        covered_households: eb.ref('excluded.covered_households'),
        smartphone_households: eb.ref('excluded.smartphone_households'),
      })),
    )
    .execute();
}
