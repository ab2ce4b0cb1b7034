import type { Conn } from '../../db/database.ts';
import type { AnswerProposalStatus } from '../../db/types.ts';

type Attachment = { url: string; mediaType?: string | undefined; name?: string | undefined };

/** Whether the ward's officers' answers wait for their head's approval (true for a ward not found). */
export async function officerAnswersNeedApproval(db: Conn, wardId: string | null): Promise<boolean> {
  if (wardId === null) return true;
  const w = await db
    .selectFrom('wards')
    .select('officer_answers_need_approval')
    .where('id', '=', wardId)
    .executeTakeFirst();
  return w?.officer_answers_need_approval ?? true;
}

/** The case's proposal waiting for the head, if any (a case has at most one). */
export const pendingProposal = (db: Conn, caseId: string) =>
  db
    .selectFrom('answer_proposals')
    .select('id')
    .where('case_id', '=', caseId)
    .where('status', '=', 'proposed')
    .executeTakeFirst();

export async function insertProposal(
  db: Conn,
  p: {
    caseId: string;
    wardId: string;
    departmentId: string;
    userId: string;
    answer: string;
    attachments: Attachment[];
  },
): Promise<string> {
  const created = await db
    .insertInto('answer_proposals')
    .values({
      case_id: p.caseId,
      ward_id: p.wardId,
      department_id: p.departmentId,
      proposed_by_user_id: p.userId,
      answer: p.answer,
      attachments: JSON.stringify(p.attachments),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return created.id;
}

/** One of the case's proposals, locked for the decision; undefined when it names none of them. */
export const proposalOfCaseForUpdate = (db: Conn, caseId: string, id: string) =>
  db
    .selectFrom('answer_proposals')
    .selectAll()
    .where('id', '=', id)
    .where('case_id', '=', caseId)
    .forUpdate()
    .executeTakeFirst();

export async function decideProposal(
  db: Conn,
  id: string,
  d: {
    status: Extract<AnswerProposalStatus, 'approved' | 'sent_back'>;
    userId: string;
    at: Date;
    note: string | null;
  },
): Promise<void> {
  await db
    .updateTable('answer_proposals')
    .set({ status: d.status, decided_by_user_id: d.userId, decided_at: d.at, note: d.note })
    .where('id', '=', id)
    .execute();
}

/** Closes the case's waiting proposal, if any, as superseded; returns its id. */
export async function supersedePending(db: Conn, caseId: string, at: Date): Promise<string | undefined> {
  const row = await db
    .updateTable('answer_proposals')
    .set({ status: 'superseded', decided_at: at })
    .where('case_id', '=', caseId)
    .where('status', '=', 'proposed')
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** A proposal as the API shows it. */
export async function proposalView(db: Conn, id: string) {
  const r = await db
    .selectFrom('answer_proposals as p')
    .innerJoin('users as u', 'u.id', 'p.proposed_by_user_id')
    .leftJoin('users as d', 'd.id', 'p.decided_by_user_id')
    .select([
      'p.id',
      'p.case_id',
      'p.status',
      'p.answer',
      'p.attachments',
      'p.note',
      'p.created_at',
      'p.decided_at',
      'p.proposed_by_user_id',
      'u.full_name as proposed_by_name',
      'p.decided_by_user_id',
      'd.full_name as decided_by_name',
    ])
    .where('p.id', '=', id)
    .executeTakeFirstOrThrow();
  return {
    id: r.id,
    caseId: r.case_id,
    status: r.status,
    answer: r.answer,
    attachments: r.attachments,
    proposedBy: { id: r.proposed_by_user_id, name: r.proposed_by_name },
    proposedAt: r.created_at.toISOString(),
    note: r.note,
    decidedBy:
      r.decided_by_user_id !== null ? { id: r.decided_by_user_id, name: r.decided_by_name ?? '' } : null,
    decidedAt: r.decided_at?.toISOString() ?? null,
  };
}
