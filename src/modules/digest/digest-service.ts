import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { badRequest, forbidden, notFound } from '../../shared/errors.ts';
import type { Principal } from '../auth/principal.ts';
import { recordEmail } from '../email/email-outbox.ts';
import { notifyUsers } from '../notifications/notification-repository.ts';
import { type Digest, renderDigest } from './digest-content.ts';
import { loadDigest, wardsForDigest } from './digest-repository.ts';
import { dueOccurrence } from './digest-schedule.ts';

export type DigestService = ReturnType<typeof createDigestService>;

/**
 * The chairman's digest. `runDue` is what the worker's tick calls: every ward whose scheduled
 * occurrence has come (and is not older than the catch-up window) gets one digest row, and with it,
 * in the same transaction, a notification for each chairman and, when e-mail is configured, an
 * e-mail for each chairman with an address. The row's unique (ward, occurrence) key makes a second
 * tick, a second worker or a retried job a no-op. `preview` is the same report on demand.
 */
export function createDigestService(deps: {
  db: Db;
  schedule: string;
  catchUpMs: number;
  /** The sender of e-mails; undefined: no e-mail, notifications only. */
  emailFrom: string | undefined;
}) {
  const { db } = deps;

  /** The ward the caller may read digests of: an admin names one, ward staff read their own. */
  function wardOf(caller: Principal, wardId: string | undefined): string {
    if (caller.kind !== 'user') throw forbidden();
    const id = caller.role === 'admin' ? wardId : (wardId ?? caller.wardId);
    if (!id)
      throw badRequest('Cần chọn phường/xã.', [{ path: 'wardId', message: 'Bắt buộc với quản trị viên' }]);
    if (caller.role !== 'admin' && id !== caller.wardId)
      throw forbidden('Bạn chỉ xem được báo cáo của phường/xã mình.');
    return id;
  }

  return {
    async preview(caller: Principal, wardId: string | undefined, now = new Date()) {
      const id = wardOf(caller, wardId);
      const ward = (await wardsForDigest(db)).find((w) => w.id === id);
      if (!ward) throw notFound('Không tìm thấy phường/xã.');
      return loadDigest(db, ward, now);
    },

    /** The ward's digests sent so far, newest first, with how each e-mail went. */
    async history(caller: Principal, wardId: string | undefined, limit: number) {
      const id = wardOf(caller, wardId);
      const rows = await db
        .selectFrom('digests as d')
        .select([
          'd.id',
          'd.ward_id',
          'd.scheduled_for',
          'd.created_at',
          sql<number>`coalesce((d.content->>'unanswered')::int, 0)`.as('unanswered'),
          sql<number>`coalesce((d.content->>'late')::int, 0)`.as('late'),
          sql<number>`(select count(*)::int from notifications n where n.digest_id = d.id)`.as('notified'),
        ])
        .where('d.ward_id', '=', id)
        .orderBy('d.scheduled_for', 'desc')
        .limit(limit)
        .execute();
      const emails = rows.length
        ? await db
            .selectFrom('email_deliveries')
            .select([
              'digest_id',
              'to_address',
              'status',
              'attempts',
              'last_status_code',
              'last_error',
              'delivered_at',
            ])
            .where(
              'digest_id',
              'in',
              rows.map((r) => r.id),
            )
            .orderBy('created_at')
            .execute()
        : [];
      return {
        items: rows.map((r) => ({
          id: r.id,
          wardId: r.ward_id,
          scheduledFor: r.scheduled_for.toISOString(),
          createdAt: r.created_at.toISOString(),
          unanswered: r.unanswered,
          late: r.late,
          notified: r.notified,
          emails: emails
            .filter((e) => e.digest_id === r.id)
            .map((e) => ({
              to: e.to_address,
              status: e.status,
              attempts: e.attempts,
              lastStatusCode: e.last_status_code,
              lastError: e.last_error,
              deliveredAt: e.delivered_at?.toISOString() ?? null,
            })),
        })),
      };
    },

    /**
     * One digest sent, with the report it carried (as of when it was sent). An admin reads any; ward
     * staff their own ward's — another ward's is 404, as if it did not exist.
     */
    async one(caller: Principal, id: string) {
      if (caller.kind !== 'user') throw forbidden();
      const row = /^[1-9]\d{0,17}$/.test(id)
        ? await db
            .selectFrom('digests')
            .select(['id', 'ward_id', 'scheduled_for', 'created_at', 'content'])
            .where('id', '=', id)
            .executeTakeFirst()
        : undefined;
      if (!row || (caller.role !== 'admin' && row.ward_id !== caller.wardId))
        throw notFound('Không tìm thấy báo cáo.');
      return {
        id: row.id,
        wardId: row.ward_id,
        scheduledFor: row.scheduled_for.toISOString(),
        createdAt: row.created_at.toISOString(),
        content: row.content as unknown as Digest,
      };
    },

    /** Creates the digests that are due; returns the e-mails to hand to the queue. */
    async runDue(now = new Date()): Promise<{ digests: number; emailIds: string[] }> {
      if (deps.schedule === 'off') return { digests: 0, emailIds: [] };
      const due = (await wardsForDigest(db)).flatMap((w) => {
        const at = dueOccurrence({
          expression: deps.schedule,
          timeZone: w.calendar.timezone,
          now,
          catchUpMs: deps.catchUpMs,
          notBefore: w.createdAt,
        });
        return at ? [{ ward: w, at }] : [];
      });
      if (due.length === 0) return { digests: 0, emailIds: [] };
      const sent = new Set(
        (
          await db
            .selectFrom('digests')
            .select(['ward_id', 'scheduled_for'])
            .where('scheduled_for', '>=', new Date(now.getTime() - deps.catchUpMs - 1000))
            .execute()
        ).map((d) => `${d.ward_id} ${d.scheduled_for.toISOString()}`),
      );
      let digests = 0;
      const emailIds: string[] = [];
      for (const { ward, at } of due) {
        if (sent.has(`${ward.id} ${at.toISOString()}`)) continue;
        const created = await db.transaction().execute(async (trx) => {
          // Claims the occurrence first: a concurrent tick waits here, then finds it taken.
          const row = await trx
            .insertInto('digests')
            .values({ ward_id: ward.id, scheduled_for: at, content: JSON.stringify({}) })
            .onConflict((oc) => oc.columns(['ward_id', 'scheduled_for']).doNothing())
            .returning('id')
            .executeTakeFirst();
          if (!row) return undefined;
          const digest = await loadDigest(trx, ward, now);
          await trx
            .updateTable('digests')
            .set({ content: JSON.stringify(digest) })
            .where('id', '=', row.id)
            .execute();
          const chairmen = await trx
            .selectFrom('users')
            .select(['id', 'full_name', 'email'])
            .where('ward_id', '=', ward.id)
            .where('role', '=', 'chairman')
            .where('active', '=', true)
            .orderBy('id')
            .execute();
          const ids: string[] = [];
          for (const chairman of chairmen) {
            const message = renderDigest(digest, chairman.full_name);
            await notifyUsers(trx, [chairman.id], {
              type: 'digest',
              digestId: row.id,
              title: message.subject,
              body: message.text,
            });
            if (!deps.emailFrom || !chairman.email) continue;
            ids.push(
              await recordEmail(trx, {
                topic: `digest-${row.id}`,
                from: deps.emailFrom,
                digestId: row.id,
                userId: chairman.id,
                to: chairman.email,
                subject: message.subject,
                text: message.text,
                html: message.html,
              }),
            );
          }
          return ids;
        });
        if (!created) continue;
        digests += 1;
        emailIds.push(...created);
      }
      return { digests, emailIds };
    },
  };
}
