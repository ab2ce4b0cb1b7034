import { sql } from 'kysely';
import type { Conn, Db } from '../../db/database.ts';
import { backoffMs } from '../../shared/outbox/ledger.ts';
import type { SendResult } from '../../shared/post-once.ts';
import { vietnamTimeZone } from '../../shared/vietnam-day.ts';
import { phoneKey } from '../cases/personal-data.ts';
import { type TrackingTokens, trackingUrlFor } from '../cases/tracking-link.ts';
import { type CitizenMessageData, renderCitizenMessage } from './citizen-templates.ts';
import type { SmsProvider } from './sms-providers.ts';
import type { SmsEncoding } from './sms-text.ts';

type DispatchResult = { claimed: number; delivered: number; retried: number; failed: number };

/** What happens to a message after a try: sent, tried again after a wait, or given up. */
export function outcomeOf(
  result: SendResult,
  attempts: number,
  policy: { maxAttempts: number; backoffMs: number },
): { status: 'delivered' | 'pending' | 'failed'; retryInMs: number } {
  if (result.ok) return { status: 'delivered', retryInMs: 0 };
  if (result.final || attempts >= policy.maxAttempts) return { status: 'failed', retryInMs: 0 };
  return { status: 'pending', retryInMs: backoffMs(policy.backoffMs, attempts) };
}

/** Runs `work` over `items`, at most `limit` at once. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(lanes);
}

/** Stands in the stored text for the reporter's token, which is stored nowhere (tracking-link.ts). */
export const TOKEN_PLACEHOLDER = '{token}';

/**
 * The per-number limit (issue 13): of the messages about to be tried for the first time, those that
 * would take a number past `limit` messages tried in the window are held back (never sent: a flood
 * is not worth delivering late). `recent` counts, per number, the messages already tried in the
 * window; a retry was admitted on its first try and is not counted again.
 */
export function admitByPhone<T extends { phoneKey: string; firstTry: boolean }>(
  messages: T[],
  recent: ReadonlyMap<string, number>,
  limit: number,
): { send: T[]; hold: T[] } {
  const used = new Map(recent);
  const send: T[] = [];
  const hold: T[] = [];
  for (const m of messages) {
    if (!m.firstTry) {
      send.push(m);
      continue;
    }
    const n = used.get(m.phoneKey) ?? 0;
    if (n >= limit) hold.push(m);
    else {
      used.set(m.phoneKey, n + 1);
      send.push(m);
    }
  }
  return { send, hold };
}

/** The ways a number is stored (0… or +84…, phoneSchema), for the lookup of what it was sent. */
const storedForms = (key: string) => [`0${key.slice(2)}`, `+${key}`];

/**
 * Sends the status messages that are due, in batches — not a job per message like webhooks and
 * e-mail (shared/outbox/consumer.ts): every message goes through the one gateway, so claiming the due
 * ones in bulk on a tick costs one query for a batch, and the per-number limit is judged per batch.
 * citizen_messages is the queue: a batch of due
 * rows is claimed (FOR UPDATE SKIP LOCKED, so dispatchers side by side never take the same row),
 * rendered if new, counted as tried and leased in one commit; then sent, SMS_CONCURRENCY at once;
 * then settled in one statement: delivered, failed, or due again after an exponential backoff. The
 * text is rendered once, on the first try, from the template, the case and what the producer
 * recorded, and kept with its encoding and segment count: every retry sends the same text. A
 * dispatcher that dies after its claim leaves the rows leased; they are due again when the lease
 * ends, tried again under the same idempotency key (the message's id). The reporter's phone is read
 * from the case, never copied.
 */
export function createMessageDispatcher(deps: {
  db: Db;
  provider: SmsProvider;
  maxAttempts: number;
  backoffMs: number;
  diacritics: boolean;
  /** PUBLIC_TRACKING_URL: `{code}` stands for the case code (and `{token}` for the reporter's token). */
  trackingUrl: string;
  tracking: Pick<TrackingTokens, 'tokenOf'>;
  /** At most this many messages to one number in `phoneWindowMinutes` (SMS_PHONE_LIMIT). */
  phoneLimit: number;
  phoneWindowMinutes: number;
  batchSize: number;
  concurrency: number;
  /** How long a claim holds its rows: longer than a send may take (SMS_TIMEOUT_MS). */
  leaseMs: number;
}) {
  const { db, provider } = deps;

  /** How many messages each number was tried with in the window, by phone key. */
  async function recentByPhone(trx: Conn, keys: string[]): Promise<Map<string, number>> {
    if (keys.length === 0) return new Map();
    const { rows } = await sql<{ phone: string; n: number }>`
      SELECT c.reporter_phone AS phone, count(*)::int AS n
      FROM citizen_messages m JOIN cases c ON c.id = m.case_id
      WHERE m.attempts > 0 AND m.last_attempt_at > now() - make_interval(mins => ${deps.phoneWindowMinutes})
        AND c.reporter_phone = ANY(${keys.flatMap(storedForms)}::text[])
      GROUP BY c.reporter_phone`.execute(trx);
    const out = new Map<string, number>();
    for (const r of rows) out.set(phoneKey(r.phone), (out.get(phoneKey(r.phone)) ?? 0) + r.n);
    return out;
  }

  async function claim() {
    return db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('citizen_messages as m')
        .innerJoin('cases as c', 'c.id', 'm.case_id')
        .innerJoin('wards as w', 'w.id', 'c.ward_id')
        .leftJoin('categories as g', 'g.id', 'c.category_id')
        .leftJoin('ward_calendars as wc', 'wc.ward_id', 'w.id')
        .select([
          'm.id',
          'm.attempts',
          'm.kind',
          'm.data',
          'm.body',
          'm.encoding',
          'm.segments',
          'c.code',
          'c.reporter_name',
          'c.reporter_phone',
          'c.reporter_confidential',
          'c.tracking_nonce',
          'g.name as category_name',
          'w.name as ward_name',
          sql<string | null>`wc.calendar->>'timezone'`.as('timezone'),
        ])
        .where('m.status', '=', 'pending')
        // Intake and the workflow record no message for a reporter without a phone; should one be
        // there all the same, it stays pending rather than go nowhere.
        .where('c.reporter_phone', 'is not', null)
        .where('m.next_attempt_at', '<=', sql<Date>`now()`)
        .where('m.attempts', '<', deps.maxAttempts)
        .orderBy('m.next_attempt_at')
        .limit(deps.batchSize)
        .forUpdate('m')
        .skipLocked()
        .execute();
      if (rows.length === 0) return [];
      const keyed = rows.map((r) => ({
        ...r,
        reporter_phone: r.reporter_phone as string,
        phoneKey: phoneKey(r.reporter_phone as string),
        firstTry: r.attempts === 0,
      }));
      const { send, hold } = admitByPhone(
        keyed,
        await recentByPhone(trx, [...new Set(keyed.map((r) => r.phoneKey))]),
        deps.phoneLimit,
      );
      if (hold.length > 0)
        await trx
          .updateTable('citizen_messages')
          .set({
            status: 'held',
            last_error: `Không gửi: quá ${deps.phoneLimit} tin nhắn tới số này trong ${deps.phoneWindowMinutes} phút`,
          })
          .where(
            'id',
            'in',
            hold.map((h) => h.id),
          )
          .execute();
      if (send.length === 0) return [];
      const claimed = await Promise.all(
        send.map(async (r) => {
          const token = r.tracking_nonce ? await deps.tracking.tokenOf(r.tracking_nonce) : undefined;
          const sms =
            r.body !== null && r.encoding !== null && r.segments !== null
              ? { text: r.body, encoding: r.encoding as SmsEncoding, segments: r.segments }
              : renderCitizenMessage(
                  {
                    kind: r.kind,
                    code: r.code,
                    wardName: r.ward_name,
                    categoryName: r.category_name,
                    identifying: !r.reporter_confidential && r.reporter_name !== null,
                    // The reporter's own link for their case; another case (a duplicate's original) is not theirs.
                    trackingUrl: (code) =>
                      trackingUrlFor(deps.trackingUrl, code, code === r.code ? token : undefined),
                    timezone: r.timezone ?? vietnamTimeZone,
                    data: r.data as CitizenMessageData,
                  },
                  { diacritics: deps.diacritics },
                );
          // Kept without the token; the same text goes out on every try.
          const stored = token ? sms.text.replaceAll(token, TOKEN_PLACEHOLDER) : sms.text;
          const text = token ? stored.replaceAll(TOKEN_PLACEHOLDER, token) : stored;
          return { id: r.id, phone: r.reporter_phone, attempts: r.attempts + 1, ...sms, text, stored };
        }),
      );
      await sql`
        UPDATE citizen_messages AS m
        SET attempts = m.attempts + 1, last_attempt_at = now(),
            next_attempt_at = now() + make_interval(secs => ${deps.leaseMs / 1000}),
            body = v.body, encoding = v.encoding, segments = v.segments,
            provider = coalesce(m.provider, ${provider.name})
        FROM jsonb_to_recordset(${JSON.stringify(claimed.map(({ id, stored, encoding, segments }) => ({ id, body: stored, encoding, segments })))}::jsonb)
          AS v(id uuid, body text, encoding text, segments int)
        WHERE m.id = v.id`.execute(trx);
      return claimed;
    });
  }

  async function settle(results: { id: string; result: SendResult; attempts: number }[]) {
    const rows = results.map(({ id, result, attempts }) => {
      const o = outcomeOf(result, attempts, deps);
      return {
        id,
        status: o.status,
        code: result.statusCode,
        error: result.ok ? null : result.error,
        retry_in_s: o.retryInMs / 1000,
      };
    });
    await sql`
      UPDATE citizen_messages AS m
      SET status = r.status, last_status_code = r.code, last_error = r.error,
          delivered_at = CASE WHEN r.status = 'delivered' THEN now() END,
          next_attempt_at = now() + make_interval(secs => r.retry_in_s)
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS r(id uuid, status text, code int, error text, retry_in_s float8)
      WHERE m.id = r.id AND m.status = 'pending'`.execute(db);
    return rows;
  }

  /** One batch: claim, send, settle. */
  async function dispatchBatch(): Promise<DispatchResult> {
    const claimed = await claim();
    const results: { id: string; result: SendResult; attempts: number }[] = [];
    await eachLimited(claimed, deps.concurrency, async (m) => {
      const result = await provider.send({
        to: m.phone,
        text: m.text,
        encoding: m.encoding,
        segments: m.segments,
        idempotencyKey: m.id,
      });
      results.push({ id: m.id, result, attempts: m.attempts });
    });
    const settled = results.length > 0 ? await settle(results) : [];
    const count = (s: string) => settled.filter((r) => r.status === s).length;
    return {
      claimed: claimed.length,
      delivered: count('delivered'),
      retried: count('pending'),
      failed: count('failed'),
    };
  }

  return {
    dispatchBatch,

    /**
     * Sends what is due, batch after batch, for at most `budgetMs`; first gives up on messages that
     * used their last try in a claim that never settled (a dispatcher died).
     */
    async dispatch(budgetMs: number): Promise<DispatchResult> {
      await db
        .updateTable('citizen_messages')
        .set({ status: 'failed', last_error: sql`coalesce(last_error, 'no more attempts')` })
        .where('status', '=', 'pending')
        .where('attempts', '>=', deps.maxAttempts)
        .where('next_attempt_at', '<=', sql<Date>`now()`)
        .execute();
      const total: DispatchResult = { claimed: 0, delivered: 0, retried: 0, failed: 0 };
      const until = Date.now() + budgetMs;
      for (;;) {
        const r = await dispatchBatch();
        total.claimed += r.claimed;
        total.delivered += r.delivered;
        total.retried += r.retried;
        total.failed += r.failed;
        if (r.claimed < deps.batchSize || Date.now() > until) return total;
      }
    },
  };
}
