import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Conn } from '../../db/database.ts';

export type WebhookEvent = 'case.escalated' | 'case.status_changed' | 'case.created';
export const webhookEvents: readonly WebhookEvent[] = [
  'case.escalated',
  'case.status_changed',
  'case.created',
];

/**
 * Records one delivery per active webhook subscribed to `event`, inside the caller's transaction, so a
 * committed change always has its deliveries and a rolled-back one never does. `key` names what
 * happened (e.g. `status:<caseId>:<version>`); (webhook, key) is unique, so re-running the producer
 * adds nothing. Returns the ids of the deliveries created, for the caller to enqueue after commit
 * (the worker's sweep picks up any it could not enqueue).
 */
export async function recordWebhookEvent(
  db: Conn,
  event: WebhookEvent,
  key: string,
  payload: Record<string, unknown>,
): Promise<string[]> {
  const hooks = await db
    .selectFrom('webhooks')
    .select('id')
    .where('active', '=', true)
    .where(sql<boolean>`${event} = ANY(events)`)
    .execute();
  if (hooks.length === 0) return [];
  const rows = await db
    .insertInto('webhook_deliveries')
    .values(
      hooks.map((h) => ({
        id: randomUUID(),
        webhook_id: h.id,
        event,
        event_key: key,
        payload: JSON.stringify({ event, ...payload }),
      })),
    )
    .onConflict((oc) => oc.columns(['webhook_id', 'event_key']).doNothing())
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}
