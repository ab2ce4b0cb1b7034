import type { AnswerProposalStatus, CaseRow, CaseStatus, Role } from '../../db/types.ts';
import type { CaseAction } from './state-machine.ts';

/**
 * Officers draft, heads approve (issue 16 §4), as pure rules: which action a department user's
 * answer is, when a draft waiting for the head stops applying, and what people read of a draft's
 * status. The transactions are in answer-proposal-actions.ts.
 */

/**
 * What `POST /cases/{id}/respond` does for this caller: a head answers; an officer answers too where
 * the ward lets officers answer without approval, and otherwise proposes the answer to the head.
 * Anyone else is judged (and refused) as answering.
 */
export function answerActionOf(role: Role, officerAnswersNeedApproval: boolean): CaseAction {
  return role === 'department_officer' && officerAnswersNeedApproval ? 'propose_answer' : 'respond';
}

/** The statuses in which a case is in the department's hands (a draft may wait for its head). */
const inDepartment: readonly CaseStatus[] = ['assigned', 'in_progress', 'awaiting_info'];

/**
 * Whether an action took the case out of the hands of the department a draft was written in — it
 * was answered (by the head directly, or another draft approved), returned, transferred, rejected:
 * then a draft still waiting is superseded, and can neither block a new one nor be approved later.
 * A pause for information keeps the draft waiting.
 */
export function supersedesPendingProposal(
  before: Pick<CaseRow, 'status' | 'department_id'>,
  after: Pick<CaseRow, 'status' | 'department_id'>,
): boolean {
  return !inDepartment.includes(after.status) || after.department_id !== before.department_id;
}

/** Vietnamese names of a proposal's statuses, for messages. */
export const proposalStatusLabels: Record<AnswerProposalStatus, string> = {
  proposed: 'chờ duyệt',
  approved: 'đã duyệt',
  sent_back: 'đã trả lại',
  superseded: 'không còn hiệu lực',
};
