import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { vietnamTimeZone } from '../../shared/vietnam-day.ts';
import {
  createOutboxLedger,
  type DeliveryOutcome,
  sinceLastAttempt,
} from '../notifications/outbox-ledger.ts';
import { type CitizenMessageData, renderCitizenMessage, trackingUrlFor } from './citizen-templates.ts';
import type { SmsProvider } from './sms-providers.ts';
import type { SmsEncoding } from './sms-text.ts';

export type MessageDeliverer = ReturnType<typeof createMessageDeliverer>;

/**
 * Sends one try of one status message. The text is rendered on the first try, from the template,
 * the case and what the producer recorded, and kept in the row with its encoding and segment count:
 * every retry sends the same text, and the row is the delivery log. The reporter's phone is read from
 * the case, never copied. The message's id is the provider's idempotency key.
 */
export function createMessageDeliverer(deps: {
  db: Db;
  provider: SmsProvider;
  maxAttempts: number;
  backoffMs: number;
  diacritics: boolean;
  /** PUBLIC_TRACKING_URL: `{code}` stands for the case code. */
  trackingUrl: string;
}) {
  const { db, provider } = deps;
  const ledger = createOutboxLedger({ ...deps, table: 'citizen_messages' });

  async function deliver(messageId: string): Promise<DeliveryOutcome> {
    const row = await db
      .selectFrom('citizen_messages as m')
      .innerJoin('cases as c', 'c.id', 'm.case_id')
      .innerJoin('wards as w', 'w.id', 'c.ward_id')
      .leftJoin('ward_calendars as wc', 'wc.ward_id', 'w.id')
      .select([
        'm.id',
        'm.status',
        'm.attempts',
        'm.last_error',
        sinceLastAttempt('m.last_attempt_at').as('since_ms'),
        'm.kind',
        'm.data',
        'm.body',
        'm.encoding',
        'm.segments',
        'c.code',
        'c.title',
        'c.reporter_name',
        'c.reporter_phone',
        'c.reporter_confidential',
        'w.name as ward_name',
        sql<string | null>`wc.calendar->>'timezone'`.as('timezone'),
      ])
      .where('m.id', '=', messageId)
      .executeTakeFirst();
    const stop = await ledger.precheck(row);
    if (stop || !row) return stop ?? { kind: 'skipped', reason: 'missing' };

    const sms =
      row.body !== null && row.encoding !== null && row.segments !== null
        ? { text: row.body, encoding: row.encoding as SmsEncoding, segments: row.segments }
        : renderCitizenMessage(
            {
              kind: row.kind,
              code: row.code,
              wardName: row.ward_name,
              title: row.title,
              identifying: !row.reporter_confidential && row.reporter_name !== null,
              trackingUrl: (code) => trackingUrlFor(deps.trackingUrl, code),
              timezone: row.timezone ?? vietnamTimeZone,
              data: row.data as CitizenMessageData,
            },
            { diacritics: deps.diacritics },
          );
    const attempts = await ledger.claim(
      row,
      row.body === null
        ? { body: sms.text, encoding: sms.encoding, segments: sms.segments, provider: provider.name }
        : {},
    );
    if (attempts === undefined) return { kind: 'skipped', reason: 'raced' };
    const result = await provider.send({
      to: row.reporter_phone,
      text: sms.text,
      encoding: sms.encoding,
      segments: sms.segments,
      idempotencyKey: row.id,
    });
    return ledger.settle(row.id, attempts, result);
  }

  return { deliver };
}
