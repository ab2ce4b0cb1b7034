import type { Conn } from '../../db/database.ts';

/** The case's extension request waiting for the ward office, if any (a case has at most one). */
export const pendingExtension = (db: Conn, caseId: string) =>
  db
    .selectFrom('extension_requests')
    .select('id')
    .where('case_id', '=', caseId)
    .where('status', '=', 'pending')
    .executeTakeFirst();

export async function insertExtension(
  db: Conn,
  r: { caseId: string; extendBy: string; reason: string; userId: string },
): Promise<string> {
  const created = await db
    .insertInto('extension_requests')
    .values({ case_id: r.caseId, extend_by: r.extendBy, reason: r.reason, requested_by_user_id: r.userId })
    .returning('id')
    .executeTakeFirstOrThrow();
  return created.id;
}

/** One of the case's extension requests, or undefined when it names none of them. */
export const extensionOfCase = (db: Conn, caseId: string, id: string) =>
  db
    .selectFrom('extension_requests')
    .selectAll()
    .where('id', '=', id)
    .where('case_id', '=', caseId)
    .executeTakeFirst();

export async function decideExtensionRow(
  db: Conn,
  id: string,
  d: { approve: boolean; userId: string; at: Date; note: string | null },
): Promise<void> {
  await db
    .updateTable('extension_requests')
    .set({
      status: d.approve ? 'approved' : 'refused',
      decided_by_user_id: d.userId,
      decided_at: d.at,
      decision_note: d.note,
    })
    .where('id', '=', id)
    .execute();
}

export async function extensionView(db: Conn, id: string) {
  const r = await db
    .selectFrom('extension_requests')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return {
    id: r.id,
    caseId: r.case_id,
    status: r.status,
    extendBy: r.extend_by,
    reason: r.reason,
    createdAt: r.created_at.toISOString(),
    decidedAt: r.decided_at?.toISOString() ?? null,
    decisionNote: r.decision_note,
  };
}
