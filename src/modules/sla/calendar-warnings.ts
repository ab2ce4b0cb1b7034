import type { Conn, Db } from '../../db/database.ts';
import { vietnamDayOf } from '../../shared/vietnam-day.ts';
import { notifyWithEmail } from '../email/email-outbox.ts';
import { wardsProvisionalIn } from './calendar-repository.ts';
import { warningMessage, warningWeek } from './calendar-years.ts';

export type CalendarWarnings = ReturnType<typeof createCalendarWarnings>;

/**
 * The warning before the year turns (issue 12): from 1 November, while next year's days off are
 * still provisional for a ward, its intake staff get one inbox notification a week (and an e-mail
 * where they have an address and SMTP is configured), and the admins one a week naming every such
 * ward. A `calendar_warnings` row per (ward or admins, year, week) is claimed in the transaction that
 * writes the notifications: a second worker, a second tick or a retry finds it taken.
 */
export function createCalendarWarnings(deps: { db: Db; emailFrom: string | undefined }) {
  const { db } = deps;

  /** Claims one warning and writes its notifications and e-mails; the e-mails' ids, or null if taken. */
  async function send(
    claim: { wardId: string | null; year: number; week: number },
    recipients: (trx: Conn) => Promise<{ id: string; email: string | null }[]>,
    message: { title: string; body: string },
  ): Promise<string[] | null> {
    return db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('calendar_warnings')
        .values({ ward_id: claim.wardId, year: claim.year, week: claim.week })
        .onConflict((oc) => oc.constraint('calendar_warnings_ward_year_week_key').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!row) return null;
      return notifyWithEmail(
        trx,
        await recipients(trx),
        { type: 'calendar', ...message },
        { topic: `calendar-${row.id}`, from: deps.emailFrom },
      );
    });
  }

  const activeUsers = (trx: Conn, role: 'admin' | 'intake', wardId?: string) => {
    let q = trx
      .selectFrom('users')
      .select(['id', 'email'])
      .where('role', '=', role)
      .where('active', '=', true);
    if (wardId) q = q.where('ward_id', '=', wardId);
    return q.orderBy('id').execute();
  };

  return {
    /** Sends the warnings due at `now`; returns how many went out and the e-mails to queue. */
    async runDue(now = new Date()): Promise<{ warnings: number; emailIds: string[] }> {
      const due = warningWeek(vietnamDayOf(now));
      if (!due) return { warnings: 0, emailIds: [] };
      const wards = await wardsProvisionalIn(db, due.year);
      if (wards.length === 0) return { warnings: 0, emailIds: [] };
      const taken = new Set(
        (
          await db
            .selectFrom('calendar_warnings')
            .select('ward_id')
            .where('year', '=', due.year)
            .where('week', '=', due.week)
            .execute()
        ).map((r) => r.ward_id ?? 'admins'),
      );
      let warnings = 0;
      const emailIds: string[] = [];
      const settle = (ids: string[] | null) => {
        if (ids === null) return;
        warnings += 1;
        emailIds.push(...ids);
      };
      for (const ward of wards) {
        if (taken.has(ward.id)) continue;
        settle(
          await send(
            { wardId: ward.id, ...due },
            (trx) => activeUsers(trx, 'intake', ward.id),
            warningMessage(due.year, { wardName: ward.name }),
          ),
        );
      }
      if (!taken.has('admins'))
        settle(
          await send(
            { wardId: null, ...due },
            (trx) => activeUsers(trx, 'admin'),
            warningMessage(due.year, { wardCodes: wards.map((w) => w.code) }),
          ),
        );
      return { warnings, emailIds };
    },
  };
}
