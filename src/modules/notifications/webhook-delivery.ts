import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';

export const webhookUserAgent = 'pakn-webhooks/1';

/** `sha256=<hex HMAC-SHA256(secret, body)>`, over the exact bytes sent. */
export function signWebhookBody(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The wait after the n-th failed try (n ≥ 1): base, 2·base, 4·base, … at most six hours. */
export function webhookBackoffMs(baseMs: number, failedTries: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, failedTries - 1), 6 * 3_600_000);
}

export const isDeliveryId = (s: string) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(s);

export type SendResult =
  | { ok: true; statusCode: number }
  | { ok: false; statusCode: number | null; error: string };

const clip = (s: string, max = 500) => (s.length > max ? `${s.slice(0, max)}…` : s);

/** Reads at most `max` bytes of a response body as text, then drops the rest. */
async function snippet(res: Response, max = 300): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short tells nothing more than the status does.
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8').replace(/\s+/g, ' ').trim();
}

/** One POST of one delivery. Never throws: network errors and timeouts come back as results. */
export async function postWebhook(req: {
  url: string;
  body: Buffer;
  headers: Record<string, string>;
  timeoutMs: number;
}): Promise<SendResult> {
  try {
    const res = await fetch(req.url, {
      method: 'POST',
      body: req.body,
      headers: req.headers,
      // A redirect could point anywhere (and would drop the body on 303): it counts as a failure.
      redirect: 'manual',
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel().catch(() => {});
      return { ok: true, statusCode: res.status };
    }
    const text = res.status >= 300 && res.status < 400 ? 'redirect not followed' : await snippet(res);
    return { ok: false, statusCode: res.status, error: clip(`HTTP ${res.status}${text ? `: ${text}` : ''}`) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const error =
      e.name === 'TimeoutError' || e.name === 'AbortError'
        ? `timeout after ${req.timeoutMs} ms`
        : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { ok: false, statusCode: null, error: clip(error) };
  }
}

export type DeliveryOutcome =
  | { kind: 'delivered'; attempts: number; statusCode: number }
  | { kind: 'retry'; attempts: number; inMs: number; error: string }
  | { kind: 'failed'; attempts: number; error: string }
  /** Tried too recently (the job came back early, e.g. re-enqueued by the sweep): wait `inMs`. */
  | { kind: 'wait'; inMs: number }
  | { kind: 'skipped'; reason: 'missing' | 'delivered' | 'failed' | 'raced' };

export type WebhookDeliverer = ReturnType<typeof createWebhookDeliverer>;

/**
 * Runs one try of one delivery. Postgres holds the truth: the try is counted in the row before the
 * request goes out (so a crash mid-request still counts), `status` settles it, and the caller only
 * schedules the next try when told `retry`. Safe to run again at any time: a settled delivery is
 * skipped, and two runners cannot both claim the same try.
 */
export function createWebhookDeliverer(deps: {
  db: Db;
  timeoutMs: number;
  maxAttempts: number;
  backoffMs: number;
}) {
  const { db, maxAttempts } = deps;

  const settleFailed = (id: string, error: string) =>
    db
      .updateTable('webhook_deliveries')
      .set({ status: 'failed', last_error: error })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();

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
        sql<number | null>`(extract(epoch from now() - d.last_attempt_at) * 1000)::float8`.as('since_ms'),
        'w.url',
        'w.secret',
        'w.active',
      ])
      .where('d.id', '=', deliveryId)
      .executeTakeFirst();
    if (!row) return { kind: 'skipped', reason: 'missing' };
    if (row.status !== 'pending') return { kind: 'skipped', reason: row.status };

    if (!row.active) {
      await settleFailed(row.id, 'webhook deactivated');
      return { kind: 'failed', attempts: row.attempts, error: 'webhook deactivated' };
    }
    if (row.attempts >= maxAttempts) {
      const error = row.last_error ?? 'no more attempts';
      await settleFailed(row.id, error);
      return { kind: 'failed', attempts: row.attempts, error };
    }
    if (row.attempts > 0 && row.since_ms !== null) {
      const inMs = Math.ceil(webhookBackoffMs(deps.backoffMs, row.attempts) - row.since_ms);
      if (inMs > 50) return { kind: 'wait', inMs };
    }
    let url: URL;
    try {
      url = new URL(row.url);
    } catch {
      url = new URL('invalid:');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      const error = 'refused: only http and https URLs are delivered to';
      await settleFailed(row.id, error);
      return { kind: 'failed', attempts: row.attempts, error };
    }

    // Claim this try: only the runner that moves `attempts` from the value it read may send.
    const claimed = await db
      .updateTable('webhook_deliveries')
      .set({ attempts: sql`attempts + 1`, last_attempt_at: sql`now()` })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .where('attempts', '=', row.attempts)
      .returning('attempts')
      .executeTakeFirst();
    if (!claimed) return { kind: 'skipped', reason: 'raced' };
    const attempts = claimed.attempts;

    const body = Buffer.from(row.body, 'utf8');
    const result = await postWebhook({
      url: url.href,
      body,
      timeoutMs: deps.timeoutMs,
      headers: {
        'content-type': 'application/json',
        'user-agent': webhookUserAgent,
        'x-pakn-delivery': row.id,
        'x-pakn-event': row.event,
        'x-pakn-signature': signWebhookBody(row.secret, body),
      },
    });

    if (result.ok) {
      await db
        .updateTable('webhook_deliveries')
        .set({
          status: 'delivered',
          delivered_at: sql`now()`,
          last_status_code: result.statusCode,
          last_error: null,
        })
        .where('id', '=', row.id)
        .where('status', '=', 'pending')
        .execute();
      return { kind: 'delivered', attempts, statusCode: result.statusCode };
    }
    const final = attempts >= maxAttempts;
    await db
      .updateTable('webhook_deliveries')
      .set({
        status: final ? 'failed' : 'pending',
        last_status_code: result.statusCode,
        last_error: result.error,
      })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .execute();
    return final
      ? { kind: 'failed', attempts, error: result.error }
      : { kind: 'retry', attempts, inMs: webhookBackoffMs(deps.backoffMs, attempts), error: result.error };
  }

  return { deliver };
}
