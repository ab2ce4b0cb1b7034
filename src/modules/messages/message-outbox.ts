import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { CitizenMessageKind, Database } from '../../db/types.ts';
import type { Queues } from '../../shared/queues.ts';
import type { CitizenMessageData } from './citizen-templates.ts';

type Conn = Kysely<Database> | Transaction<Database>;

export const messageJobId = (messageId: string) => `m-${messageId}`;

/**
 * Records a status message to the case's reporter inside the caller's transaction, so a committed
 * change always has its message and a rolled-back one never does. `key` names what happened (e.g.
 * `status:<caseId>:<version>`) and is unique: running the producer again adds nothing. Returns the
 * new message's id, for the caller to enqueue after commit (the worker's sweep picks up any it could
 * not), or undefined when the message was recorded before.
 */
export async function recordCitizenMessage(
  db: Conn,
  m: { caseId: string; kind: CitizenMessageKind; key: string; data: CitizenMessageData },
): Promise<string | undefined> {
  const row = await db
    .insertInto('citizen_messages')
    .values({
      id: randomUUID(),
      case_id: m.caseId,
      kind: m.kind,
      event_key: m.key,
      data: JSON.stringify(m.data),
    })
    .onConflict((oc) => oc.column('event_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** Hands committed messages to the `messages` queue; the job id is the message's, so twice adds once. */
export async function enqueueMessages(queues: Pick<Queues, 'messages'>, messageIds: string[]): Promise<void> {
  if (messageIds.length === 0) return;
  await queues.messages.addBulk(
    messageIds.map((messageId) => ({
      name: 'send',
      data: { messageId },
      opts: { jobId: messageJobId(messageId) },
    })),
  );
}
