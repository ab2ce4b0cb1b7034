import { randomUUID } from 'node:crypto';
import type { Conn } from '../../db/database.ts';
import type { CitizenMessageKind } from '../../db/types.ts';
import type { CitizenMessageData } from './citizen-templates.ts';

/**
 * Records a status message to the case's reporter inside the caller's transaction, so a committed
 * change always has its message and a rolled-back one never does. `key` names what happened (e.g.
 * `status:<caseId>:<version>`) and is unique: running the producer again adds nothing. The worker's
 * dispatcher sends it within SMS_DISPATCH_MS of the commit.
 */
export async function recordCitizenMessage(
  db: Conn,
  m: { caseId: string; kind: CitizenMessageKind; key: string; data: CitizenMessageData },
): Promise<void> {
  await db
    .insertInto('citizen_messages')
    .values({
      id: randomUUID(),
      case_id: m.caseId,
      kind: m.kind,
      event_key: m.key,
      data: JSON.stringify(m.data),
    })
    .onConflict((oc) => oc.column('event_key').doNothing())
    .execute();
}
