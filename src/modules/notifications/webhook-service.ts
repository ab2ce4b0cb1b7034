import { sql } from 'kysely';
import type { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { badRequest, notFound } from '../../shared/errors.ts';
import { decodeCursor, page } from '../../shared/http.ts';
import type { AuditActor } from '../audit/audit-entry.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { webhookUrlProblem } from './webhook-address.ts';
import type { WebhookEvent } from './webhook-outbox.ts';
import type { DeliveriesQuery, WebhookDeliveryView, WebhookView, webhookBody } from './webhook-schemas.ts';

type WebhookRow = { id: string; url: string; events: string[]; active: boolean; created_at: Date };

export const toView = (w: WebhookRow): WebhookView => ({
  id: w.id,
  url: w.url,
  events: w.events as WebhookEvent[],
  active: w.active,
  createdAt: w.created_at.toISOString(),
});

/**
 * Keyset cursor of the delivery log (newest first): the last row's `created_at` exactly as Postgres
 * prints it (microseconds and offset) and its id.
 */
const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const pgTimestampRe = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2}$/;

function encodeDeliveryCursor(createdAt: string, id: string): string {
  return Buffer.from(`d:${createdAt}|${id}`).toString('base64url');
}

function decodeDeliveryCursor(cursor: string | undefined): { createdAt: string; id: string } | undefined {
  if (cursor === undefined) return undefined;
  const m = /^d:(.+)\|(.+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m?.[1] || !m[2] || !pgTimestampRe.test(m[1]) || !uuidRe.test(m[2]))
    throw badRequest('cursor không hợp lệ', [{ path: 'cursor', message: 'cursor không hợp lệ' }]);
  return { createdAt: m[1], id: m[2] };
}

export type WebhookService = ReturnType<typeof createWebhookService>;

/** Admin management of outgoing webhooks and their delivery log. Secrets go in and never come out. */
export function createWebhookService(deps: { db: Db; allowPrivate: boolean }) {
  const { db } = deps;
  const columns = ['id', 'url', 'events', 'active', 'created_at'] as const;

  return {
    async create(actor: AuditActor, body: z.output<typeof webhookBody>): Promise<WebhookView> {
      const problem = await webhookUrlProblem(body.url, deps.allowPrivate);
      if (problem) throw badRequest(problem, [{ path: 'url', message: problem }]);
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('webhooks')
          .values({ url: body.url, events: body.events, secret: body.secret })
          .returning(columns)
          .executeTakeFirstOrThrow();
        const view = toView(row);
        await recordAudit(trx, actor, {
          action: 'webhook.create',
          objectType: 'webhook',
          objectId: row.id,
          wardId: null,
          before: null,
          after: view,
        });
        return view;
      });
    },

    async list({ limit, cursor }: { limit: number; cursor?: string | undefined }) {
      const after = decodeCursor(cursor);
      let q = db
        .selectFrom('webhooks')
        .select(columns)
        .orderBy('id')
        .limit(limit + 1);
      if (after) q = q.where('id', '>', after);
      return page(await q.execute(), limit, toView);
    },

    /**
     * Deactivates a webhook (idempotent) and, in the same transaction, gives up its pending
     * deliveries, so nothing more is sent to it. Unknown id: 404. The audit trail records the change
     * (not a repeat that changes nothing).
     */
    async deactivate(actor: AuditActor, id: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const before = await trx
          .selectFrom('webhooks')
          .select(columns)
          .where('id', '=', id)
          .forUpdate()
          .executeTakeFirst();
        if (!before) throw notFound('Không tìm thấy webhook.');
        const hook = await trx
          .updateTable('webhooks')
          .set({ active: false })
          .where('id', '=', id)
          .returning(columns)
          .executeTakeFirstOrThrow();
        if (before.active)
          await recordAudit(trx, actor, {
            action: 'webhook.deactivate',
            objectType: 'webhook',
            objectId: id,
            wardId: null,
            before: toView(before),
            after: toView(hook),
          });
        await trx
          .updateTable('webhook_deliveries')
          .set({ status: 'failed', last_error: 'webhook deactivated' })
          .where('webhook_id', '=', id)
          .where('status', '=', 'pending')
          .execute();
      });
    },

    /** The delivery log of one webhook, newest first. */
    async deliveries(webhookId: string, query: DeliveriesQuery) {
      const hook = await db
        .selectFrom('webhooks')
        .select('id')
        .where('id', '=', webhookId)
        .executeTakeFirst();
      if (!hook) throw notFound('Không tìm thấy webhook.');
      const after = decodeDeliveryCursor(query.cursor);
      let q = db
        .selectFrom('webhook_deliveries')
        .select([
          'id',
          'event',
          'status',
          'attempts',
          'last_status_code',
          'last_error',
          'created_at',
          'last_attempt_at',
          'delivered_at',
          sql<string>`created_at::text`.as('created_at_key'),
        ])
        .where('webhook_id', '=', webhookId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(query.limit + 1);
      if (query.status) q = q.where('status', '=', query.status);
      if (after)
        q = q.where(sql<boolean>`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`);
      const rows = await q.execute();
      const more = rows.length > query.limit;
      const slice = more ? rows.slice(0, query.limit) : rows;
      const last = slice.at(-1);
      return {
        items: slice.map(
          (d): WebhookDeliveryView => ({
            id: d.id,
            event: d.event,
            status: d.status,
            attempts: d.attempts,
            lastStatusCode: d.last_status_code,
            lastError: d.last_error,
            createdAt: d.created_at.toISOString(),
            lastAttemptAt: d.last_attempt_at?.toISOString() ?? null,
            deliveredAt: d.delivered_at?.toISOString() ?? null,
          }),
        ),
        nextCursor: more && last ? encodeDeliveryCursor(last.created_at_key, last.id) : null,
      };
    },
  };
}
