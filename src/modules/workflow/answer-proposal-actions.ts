import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/types.ts';
import { conflict, forbidden, notFound } from '../../shared/errors.ts';
import type { Principal } from '../auth/principal.ts';
import type { CaseView } from '../cases/case-schemas.ts';
import { notifyDepartment, notifyUsers } from '../notifications/notification-repository.ts';
import type { noteBody, optionalNoteBody, respondBody } from './action-schemas.ts';
import {
  decideProposal,
  insertProposal,
  officerAnswersNeedApproval,
  pendingProposal,
  proposalOfCaseForUpdate,
  proposalView,
} from './answer-proposal-repository.ts';
import { answerActionOf, proposalStatusLabels } from './answer-proposals.ts';
import { answering } from './department-actions.ts';
import type { WorkflowEngine } from './engine.ts';

/**
 * The files module's check of an answer's pakn files (file-links.ts), in the answer's transaction:
 * the caller's own uploads of the case's ward only; each one linked to the case.
 */
export type AttachmentClaims = {
  claim(
    trx: Transaction<Database>,
    caller: Principal & { kind: 'user' },
    kase: { id: string; ward_id: string },
    attachments: z.output<typeof respondBody>['attachments'],
  ): Promise<z.output<typeof respondBody>['attachments']>;
};

export type AnswerProposalView = Awaited<ReturnType<typeof proposalView>>;

/** What `respond` did: answered the case, or proposed the answer to the department's head. */
export type RespondOutcome =
  | { kind: 'answered'; case: CaseView }
  | { kind: 'proposed'; proposal: AnswerProposalView };

const excerpt = (s: string, max = 300) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/**
 * Officers draft, heads approve (issue 16 §4). An officer's answer, in a ward whose officers need
 * approval, is a proposal: the case keeps its status, deadline and escalation timers (a proposal is
 * not an answer), and the department's heads are told in their inbox. The head approves it — it
 * becomes the case's answer exactly as if the head had answered, judged on time or late at that
 * moment — or sends it back with a note, and the officer is told. Each is an event on the timeline.
 */
export function answerProposalActions(engine: WorkflowEngine, deps: { db: Db; files: AttachmentClaims }) {
  const { run } = engine;

  async function propose(
    caller: Principal & { kind: 'user' },
    id: string,
    ifMatch: string | undefined,
    body: z.output<typeof respondBody>,
  ) {
    let proposalId = '';
    await run(caller, id, ifMatch, 'propose_answer', async (row, trx) => {
      // Also the partial unique index's promise; the case's lock makes a race wait here.
      if (await pendingProposal(trx, row.id))
        throw conflict(
          'Phản ánh đã có một đề xuất trả lời đang chờ lãnh đạo phòng duyệt; hãy chờ duyệt hoặc trả lại trước khi đề xuất lần nữa.',
          'proposal-pending',
        );
      const departmentId = row.department_id;
      if (departmentId === null) throw conflict('Phản ánh chưa được chuyển cho phòng nào.', 'invalid-status');
      const attachments = await deps.files.claim(trx, caller, row, body.attachments);
      const proposer = await trx
        .selectFrom('users')
        .select('full_name')
        .where('id', '=', caller.userId)
        .executeTakeFirst();
      proposalId = await insertProposal(trx, {
        caseId: row.id,
        wardId: row.ward_id,
        departmentId,
        userId: caller.userId,
        answer: body.answer,
        attachments,
      });
      await notifyDepartment(trx, row, 'department_head', {
        type: 'answer_proposal',
        title: `Đề xuất trả lời chờ duyệt: ${row.code}`,
        body: `Cán bộ ${proposer?.full_name ?? caller.username} đề xuất câu trả lời cho phản ánh ${row.code}; vui lòng duyệt hoặc trả lại. Hạn trả lời vẫn tính cho đến khi câu trả lời được duyệt.`,
      });
      return {
        patch: {},
        event: 'answer_proposed',
        data: { answerProposalId: proposalId, answer: body.answer, attachments: body.attachments.length },
      };
    });
    return proposalView(deps.db, proposalId);
  }

  return {
    /** `POST /cases/{id}/respond`: the head answers; an officer answers or proposes, as the ward decided. */
    async respond(
      caller: Principal,
      id: string,
      ifMatch: string | undefined,
      body: z.output<typeof respondBody>,
    ): Promise<RespondOutcome> {
      if (caller.kind !== 'user') throw forbidden();
      const needsApproval =
        caller.role === 'department_officer' && (await officerAnswersNeedApproval(deps.db, caller.wardId));
      if (answerActionOf(caller.role, needsApproval) === 'propose_answer')
        return { kind: 'proposed', proposal: await propose(caller, id, ifMatch, body) };
      const answered = await run(caller, id, ifMatch, 'respond', async (row, trx, now) => {
        const attachments = await deps.files.claim(trx, caller, row, body.attachments);
        return answering({ ...body, attachments }, now, 'answered');
      });
      return { kind: 'answered', case: answered };
    },

    /** The head publishes the proposal as the case's answer, as if answering now. */
    async approveProposal(
      caller: Principal,
      id: string,
      pid: string,
      ifMatch: string | undefined,
      body: z.output<typeof optionalNoteBody>,
    ) {
      if (caller.kind !== 'user') throw forbidden();
      return run(caller, id, ifMatch, 'approve_answer', async (row, trx, now) => {
        const p = await proposalOfCaseForUpdate(trx, row.id, pid);
        if (!p) throw notFound('Không tìm thấy đề xuất trả lời.');
        if (p.status !== 'proposed')
          throw conflict(`Đề xuất trả lời ${proposalStatusLabels[p.status]}.`, 'proposal-decided');
        await decideProposal(trx, p.id, {
          status: 'approved',
          userId: caller.userId,
          at: now,
          note: body?.note ?? null,
        });
        return answering({ answer: p.answer, attachments: p.attachments }, now, 'answer_approved', {
          answerProposalId: p.id,
          proposedBy: p.proposed_by_user_id,
          note: body?.note ?? null,
        });
      });
    },

    /** The head returns the proposal to the officer with a note; the case stays as it was. */
    async sendBackProposal(
      caller: Principal,
      id: string,
      pid: string,
      ifMatch: string | undefined,
      body: z.output<typeof noteBody>,
    ) {
      if (caller.kind !== 'user') throw forbidden();
      await run(caller, id, ifMatch, 'send_back_answer', async (row, trx, now) => {
        const p = await proposalOfCaseForUpdate(trx, row.id, pid);
        if (!p) throw notFound('Không tìm thấy đề xuất trả lời.');
        if (p.status !== 'proposed')
          throw conflict(`Đề xuất trả lời ${proposalStatusLabels[p.status]}.`, 'proposal-decided');
        await decideProposal(trx, p.id, {
          status: 'sent_back',
          userId: caller.userId,
          at: now,
          note: body.note,
        });
        await notifyUsers(trx, [p.proposed_by_user_id], {
          type: 'answer_sent_back',
          caseId: row.id,
          title: `Đề xuất trả lời bị trả lại: ${row.code}`,
          body: `Lãnh đạo phòng trả lại đề xuất trả lời phản ánh ${row.code}: ${excerpt(body.note)}`,
        });
        return {
          patch: {},
          event: 'answer_sent_back',
          data: { answerProposalId: p.id, note: body.note, proposedBy: p.proposed_by_user_id },
        };
      });
      return proposalView(deps.db, pid);
    },
  };
}
