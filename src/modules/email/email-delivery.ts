import type { Db } from '../../db/database.ts';
import { createOutboxLedger, type DeliveryOutcome, sinceLastAttempt } from '../../shared/outbox/ledger.ts';
import type { MailTransport } from './smtp-transport.ts';

/** Runs one try of one e-mail (the bookkeeping is shared/outbox/ledger.ts's). */
export function createEmailDeliverer(deps: {
  db: Db;
  transport: MailTransport;
  from: string;
  maxAttempts: number;
  backoffMs: number;
}) {
  const { db } = deps;
  const ledger = createOutboxLedger({ ...deps, table: 'email_deliveries' });

  async function deliver(emailId: string): Promise<DeliveryOutcome> {
    const row = await db
      .selectFrom('email_deliveries')
      .select([
        'id',
        'status',
        'attempts',
        'last_error',
        'to_address',
        'message_id',
        'subject',
        'body_text',
        'body_html',
        sinceLastAttempt('last_attempt_at').as('since_ms'),
      ])
      .where('id', '=', emailId)
      .executeTakeFirst();
    const stop = await ledger.precheck(row);
    if (stop || !row) return stop ?? { kind: 'skipped', reason: 'missing' };
    const attempts = await ledger.claim(row);
    if (attempts === undefined) return { kind: 'skipped', reason: 'raced' };
    const result = await deps.transport.send({
      from: deps.from,
      to: row.to_address,
      subject: row.subject,
      text: row.body_text,
      html: row.body_html,
      messageId: row.message_id,
    });
    return ledger.settle(row.id, attempts, result);
  }

  return { deliver };
}
