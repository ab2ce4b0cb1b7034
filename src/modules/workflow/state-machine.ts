import type { CaseStatus, Role } from '../../db/types.ts';

/** Every workflow action on a case (api.md, Cases). */
export type CaseAction =
  | 'assign'
  | 'reject'
  | 'accept'
  | 'return'
  | 'request_info'
  | 'resume'
  | 'request_extension'
  | 'decide_extension'
  | 'respond'
  | 'propose_answer'
  | 'approve_answer'
  | 'send_back_answer'
  | 'refuse_answer'
  | 'close'
  | 'reopen'
  | 'rate'
  | 'publish';

export type Actor = { kind: 'user'; role: Role } | { kind: 'api_client'; owns: boolean };

type Rule = {
  from: readonly CaseStatus[];
  /** The status after the action; undefined keeps the current one. */
  to?: CaseStatus;
  roles: readonly Role[];
  /** The channel client that created the case may act too. */
  owningClient?: boolean;
};

const department = ['department_head', 'department_officer'] as const;
const handling = ['assigned', 'in_progress', 'awaiting_info'] as const;

/** design.md §3 as data: where each action may start, where it leads, and who may take it. */
export const rules: Record<CaseAction, Rule> = {
  // Dispatch, or transfer to another department while the case is with one.
  assign: { from: ['received', 'assigned', 'in_progress'], to: 'assigned', roles: ['intake'] },
  // Also once dispatched, until the department takes it up: a case assigned at intake may turn out
  // to duplicate one already in hand (its possibleDuplicates).
  reject: { from: ['received', 'assigned'], to: 'rejected', roles: ['intake'] },
  accept: { from: ['assigned'], to: 'in_progress', roles: department },
  return: { from: ['assigned', 'in_progress'], to: 'received', roles: department },
  request_info: { from: ['assigned', 'in_progress'], to: 'awaiting_info', roles: department },
  resume: { from: ['awaiting_info'], to: 'in_progress', roles: [...department, 'intake'] },
  request_extension: { from: handling, roles: department },
  decide_extension: { from: handling, roles: ['intake'] },
  // The head answers for the department (design.md §2); an officer answers too, but only in a ward
  // whose officers' answers need no approval — elsewhere an officer's answer is a proposal
  // (answerRouteOf in answer-proposals.ts chooses between the two).
  respond: { from: ['assigned', 'in_progress'], to: 'answered', roles: department },
  // An officer's draft answer: the case keeps its status, its deadline and its escalation timers.
  propose_answer: { from: ['assigned', 'in_progress'], roles: ['department_officer'] },
  // The head publishes the draft as the answer, as if answering; or sends it back with a note.
  approve_answer: { from: ['assigned', 'in_progress'], to: 'answered', roles: ['department_head'] },
  send_back_answer: { from: handling, roles: ['department_head'] },
  refuse_answer: { from: ['answered'], to: 'in_progress', roles: ['intake'] },
  close: { from: ['answered'], to: 'closed', roles: ['intake'] },
  reopen: { from: ['closed'], to: 'assigned', roles: ['intake'], owningClient: true },
  rate: { from: ['answered', 'closed'], roles: ['intake'], owningClient: true },
  // Whether the answer of a closed case is public, and in which words: the ward office's decision.
  publish: { from: ['closed'], roles: ['intake'] },
};

type Decision =
  | { ok: true; to: CaseStatus }
  | { ok: false; reason: 'forbidden' }
  | { ok: false; reason: 'invalid_status'; status: CaseStatus; allowedFrom: readonly CaseStatus[] };

/** Whether `actor` may take `action` on a case in `status`, and the status it leads to. */
export function decide(action: CaseAction, status: CaseStatus, actor: Actor): Decision {
  const rule = rules[action];
  const permitted =
    actor.kind === 'user' ? rule.roles.includes(actor.role) : rule.owningClient === true && actor.owns;
  if (!permitted) return { ok: false, reason: 'forbidden' };
  if (!rule.from.includes(status))
    return { ok: false, reason: 'invalid_status', status, allowedFrom: rule.from };
  return { ok: true, to: rule.to ?? status };
}
