import type { Transaction } from 'kysely';
import type { Database } from '../../db/types.ts';
import { type AuditActor, type AuditEntry, auditRow } from './audit-entry.ts';

/**
 * Records one change of administration, in the transaction of the change itself: a change rolled
 * back leaves no entry, and a committed change never lacks one. The only writer of `audit_entries`.
 */
export async function recordAudit(
  trx: Transaction<Database>,
  actor: AuditActor,
  entry: AuditEntry,
): Promise<void> {
  await trx.insertInto('audit_entries').values(auditRow(actor, entry)).execute();
}
