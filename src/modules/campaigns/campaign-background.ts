import { sql } from 'kysely';
import type { Conn, Db } from '../../db/database.ts';
import { vietnamDayOf } from '../../shared/vietnam-day.ts';
import { systemActor } from '../audit/audit-actor.ts';
import { notifyWithEmail } from '../email/email-outbox.ts';
import { auditCampaign } from './campaign-audit.ts';
import { chaseDue, chaseMessage, chaseSummary } from './campaign-chase.ts';
import { loadProgress } from './campaign-progress-service.ts';
import { findCampaign } from './campaign-repository.ts';
import { defaultTargets } from './campaign-service.ts';
import { lockCampaign, snapshot } from './campaign-tally.ts';

export type CampaignBackground = ReturnType<typeof createCampaignBackground>;

/**
 * What the workers do for campaigns on their tick: chase the units with no list or below target on
 * the coordinator's schedule (each campaign once per Vietnam day, whichever worker claims it — the
 * claim, the notifications and the e-mails commit together), and delete the lists' rows (names,
 * numbers) the configured number of days after a campaign ends, keeping its aggregates.
 */
export function createCampaignBackground(deps: {
  db: Db;
  emailFrom: string | undefined;
  retentionDays: number;
}) {
  const { db } = deps;

  const notify = (
    trx: Conn,
    topic: string,
    users: { id: string; email: string | null }[],
    message: { title: string; body: string },
  ) => notifyWithEmail(trx, users, { type: 'campaign', ...message }, { topic, from: deps.emailFrom });

  async function chase(campaignId: string, day: string): Promise<string[] | null> {
    return db.transaction().execute(async (trx) => {
      const claimed = await trx
        .insertInto('campaign_chases')
        .values({ campaign_id: campaignId, day })
        .onConflict((oc) => oc.columns(['campaign_id', 'day']).doNothing())
        .returning('campaign_id')
        .executeTakeFirst();
      if (!claimed) return null;
      const c = await findCampaign(trx, campaignId);
      if (!c) return [];
      const targets = { ...defaultTargets, ...c.targets };
      const progress = await loadProgress(trx, c);
      const units = await trx
        .selectFrom('campaign_units')
        .select(['id', 'residential_group_id'])
        .where('campaign_id', '=', campaignId)
        .execute();
      const groupRate = new Map(progress.groups.map((g) => [g.id, g]));
      const submitters = await trx
        .selectFrom('campaign_unit_submitters as s')
        .innerJoin('users as u', 'u.id', 's.user_id')
        .innerJoin('campaign_units as cu', 'cu.id', 's.unit_id')
        .select(['s.unit_id', 'u.id', 'u.email'])
        .where('cu.campaign_id', '=', campaignId)
        .where('u.active', '=', true)
        .execute();
      const emails: string[] = [];
      const counts = { missing: 0, below: 0, withoutSubmitter: 0 };
      let notified = 0;
      for (const u of progress.units) {
        const unit = units.find((x) => x.id === u.id);
        const group = unit?.residential_group_id ? groupRate.get(unit.residential_group_id) : undefined;
        const submitted = u.submittedAt !== null;
        const below = group
          ? group.smartphoneHouseholds > 0 && group.rate < targets.householdCoverage
          : u.belowTarget;
        if (submitted && !below) continue;
        if (submitted) counts.below++;
        else counts.missing++;
        const to = submitters.filter((s) => s.unit_id === u.id);
        if (to.length === 0) {
          counts.withoutSubmitter++;
          continue;
        }
        const figures = group
          ? {
              listed: group.coveredHouseholds,
              target: Math.ceil(group.smartphoneHouseholds * targets.householdCoverage),
              rate: group.rate,
            }
          : { listed: u.listed, target: u.target, rate: u.rate };
        emails.push(
          ...(await notify(
            trx,
            `campaign-${campaignId}-${day}-${u.id}`,
            to,
            chaseMessage({ name: c.name, endsOn: c.ends_on }, { name: u.name, submitted, ...figures }),
          )),
        );
        notified += to.length;
      }
      const coordinators = await trx
        .selectFrom('users')
        .select(['id', 'email'])
        .where('department_id', '=', c.coordinating_department_id)
        .where('active', '=', true)
        .execute();
      if (counts.missing + counts.below > 0)
        emails.push(
          ...(await notify(
            trx,
            `campaign-${campaignId}-${day}`,
            coordinators,
            chaseSummary({ name: c.name }, counts),
          )),
        );
      await trx
        .updateTable('campaign_chases')
        .set({ notified })
        .where('campaign_id', '=', campaignId)
        .where('day', '=', day)
        .execute();
      return emails;
    });
  }

  /** Names and numbers go; the counts, tallies, snapshots and frozen rankings stay. */
  async function deleteRows(campaignId: string, now: Date): Promise<boolean> {
    return db.transaction().execute(async (trx) => {
      const c = await trx
        .updateTable('campaigns')
        .set({ rows_deleted_at: now })
        .where('id', '=', campaignId)
        .where('rows_deleted_at', 'is', null)
        .returning(['id', 'ward_id'])
        .executeTakeFirst();
      if (!c) return false;
      const deleted = await sql<{ n: string }>`
        WITH gone AS (
          DELETE FROM campaign_list_rows r USING campaign_lists l
          WHERE l.id = r.list_id AND l.campaign_id = ${campaignId} RETURNING 1)
        SELECT count(*)::text AS n FROM gone`.execute(trx);
      // A list's problems quote the cells they are about (a number that could not be read).
      await trx
        .updateTable('campaign_lists')
        .set({ problems: JSON.stringify([]) })
        .where('campaign_id', '=', campaignId)
        .execute();
      await trx.deleteFrom('campaign_conflicts').where('campaign_id', '=', campaignId).execute();
      await auditCampaign(trx, systemActor('retention'), c, 'rows_delete', {
        rows: Number(deleted.rows[0]?.n ?? 0),
        retentionDays: deps.retentionDays,
      });
      return true;
    });
  }

  /**
   * A snapshot for every running campaign on every day, changed or not, so progress over time has
   * one point per day (an upload or a count change replaces the day's point with the day's last).
   */
  async function snapshotOpenCampaigns(today: string, now: Date, wardId: string | undefined) {
    const running = await db
      .selectFrom('campaigns as c')
      .select(['c.id', 'c.ward_id'])
      .$if(wardId !== undefined, (q) => q.where('c.ward_id', '=', wardId as string))
      .where('c.starts_on', '<=', today)
      .where('c.ends_on', '>=', today)
      .where('c.rows_deleted_at', 'is', null)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('campaign_snapshots as s')
              .select('s.day')
              .whereRef('s.campaign_id', '=', 'c.id')
              .where('s.day', '=', today)
              .where('s.group_id', '=', '0'),
          ),
        ),
      )
      .execute();
    for (const c of running)
      await db.transaction().execute(async (trx) => {
        await lockCampaign(trx, c.id);
        await snapshot(trx, { id: c.id, wardId: c.ward_id }, now);
      });
  }

  return {
    /**
     * Everything due at `now`. `scope.wardId` limits it to one ward's campaigns (the tests, which share
     * a database with other tests' wards, run it so).
     */
    async runDue(
      now = new Date(),
      scope: { wardId?: string } = {},
    ): Promise<{ chases: number; deleted: number; emailIds: string[] }> {
      const today = vietnamDayOf(now);
      const open = await db
        .selectFrom('campaigns')
        .select(['id', 'starts_on', 'ends_on', 'chase'])
        .$if(scope.wardId !== undefined, (q) => q.where('ward_id', '=', scope.wardId as string))
        .where('chase', 'is not', null)
        .where('starts_on', '<=', today)
        .where('ends_on', '>=', today)
        .where('rows_deleted_at', 'is', null)
        .execute();
      let chases = 0;
      const emailIds: string[] = [];
      for (const c of open) {
        if (!chaseDue({ startsOn: c.starts_on, endsOn: c.ends_on, chase: c.chase }, today, now)) continue;
        const sent = await chase(c.id, today);
        if (sent === null) continue;
        chases++;
        emailIds.push(...sent);
      }
      await snapshotOpenCampaigns(today, now, scope.wardId);
      const cutoff = vietnamDayOf(new Date(now.getTime() - deps.retentionDays * 86_400_000));
      const expired = await db
        .selectFrom('campaigns')
        .select('id')
        .$if(scope.wardId !== undefined, (q) => q.where('ward_id', '=', scope.wardId as string))
        .where('ends_on', '<', cutoff)
        .where('rows_deleted_at', 'is', null)
        .execute();
      let deleted = 0;
      for (const c of expired) if (await deleteRows(c.id, now)) deleted++;
      return { chases, deleted, emailIds };
    },
  };
}
