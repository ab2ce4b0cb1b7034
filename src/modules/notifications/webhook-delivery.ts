import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { createOutboxLedger, type DeliveryOutcome, sinceLastAttempt } from '../../shared/outbox/ledger.ts';
import { postOnce } from '../../shared/post-once.ts';

const webhookUserAgent = 'pakn-webhooks/1';

/** `sha256=<hex HMAC-SHA256(secret, body)>`, over the exact bytes sent. */
function signWebhookBody(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Runs one try of one webhook delivery (the bookkeeping is shared/outbox/ledger.ts's). */
export function createWebhookDeliverer(deps: {
  db: Db;
  timeoutMs: number;
  maxAttempts: number;
  backoffMs: number;
  /** WEBHOOK_ALLOW_PRIVATE: deliver to loopback and private addresses too (development, tests). */
  allowPrivate: boolean;
}) {
  const { db } = deps;
  const ledger = createOutboxLedger({ ...deps, table: 'webhook_deliveries' });

  async function deliver(deliveryId: string): Promise<DeliveryOutcome> {
    const row = await db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .select([
        'd.id',
        'd.event',
        'd.status',
        'd.attempts',
        'd.last_error',
        // jsonb's text form is canonical: every try sends (and signs) the very same bytes.
        sql<string>`d.payload::text`.as('body'),
        sinceLastAttempt('d.last_attempt_at').as('since_ms'),
        'w.url',
        'w.secret',
        'w.active',
      ])
      .where('d.id', '=', deliveryId)
      .executeTakeFirst();
    const stop = await ledger.precheck(row);
    if (stop || !row) return stop ?? { kind: 'skipped', reason: 'missing' };
    if (!row.active) return ledger.give(row, 'webhook deactivated');
    let url: URL;
    try {
      url = new URL(row.url);
    } catch {
      url = new URL('invalid:');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return ledger.give(row, 'refused: only http and https URLs are delivered to');
    if (url.username || url.password) return ledger.give(row, 'refused: the URL carries credentials');

    const attempts = await ledger.claim(row);
    if (attempts === undefined) return { kind: 'skipped', reason: 'raced' };
    const body = Buffer.from(row.body, 'utf8');
    const result = await postOnce({
      url: url.href,
      body,
      timeoutMs: deps.timeoutMs,
      publicOnly: !deps.allowPrivate,
      headers: {
        'content-type': 'application/json',
        'user-agent': webhookUserAgent,
        'x-pakn-delivery': row.id,
        'x-pakn-event': row.event,
        'x-pakn-signature': signWebhookBody(row.secret, body),
      },
    });
    return ledger.settle(row.id, attempts, result);
  }

  return { deliver };
}
