import type { Db } from '../../db/database.ts';
import type { CaseStatus } from '../../db/types.ts';
import type { Principal } from '../auth/principal.ts';
import { scoped, selectCases } from '../cases/case-repository.ts';
import { caseScope } from '../cases/case-scope.ts';
import { toCaseView } from '../cases/case-view.ts';

/** The statuses in which a case is in the department's hands: where requests and drafts wait. */
const handling: readonly CaseStatus[] = ['assigned', 'in_progress', 'awaiting_info'];

/**
 * The workflow's own work queues (issue 17): extension requests waiting for the ward office, and
 * officers' answer proposals waiting for their head — each over the caller's case scope (the same as
 * the case queues), oldest request first. Each joins a case found through its scope's index to the
 * request's partial unique index (one pending per case), so the ward's other cases cost nothing.
 */
export function workflowQueues(deps: { db: Db }) {
  const { db } = deps;

  const extensions = (caller: Principal) =>
    scoped(selectCases(db), caseScope(caller))
      .innerJoin('extension_requests as x', 'x.case_id', 'cases.id')
      .innerJoin('users as u', 'u.id', 'x.requested_by_user_id')
      .where('x.status', '=', 'pending')
      .where('cases.status', 'in', handling);

  const proposals = (caller: Principal) =>
    scoped(selectCases(db), caseScope(caller))
      .innerJoin('answer_proposals as p', 'p.case_id', 'cases.id')
      .innerJoin('users as u', 'u.id', 'p.proposed_by_user_id')
      .where('p.status', '=', 'proposed')
      .where('cases.status', 'in', handling);

  return {
    /** Extension requests waiting for the ward office's decision, oldest first, each with its case. */
    async pendingExtensions(caller: Principal, limit: number, now = new Date()) {
      const rows = await extensions(caller)
        .select([
          'x.id as request_id',
          'x.extend_by',
          'x.reason',
          'x.created_at as requested_at',
          'u.full_name as requested_by',
        ])
        .orderBy('x.created_at')
        .orderBy('x.id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        case: toCaseView(r, caller, now),
        request: {
          id: r.request_id,
          extendBy: r.extend_by,
          reason: r.reason,
          requestedAt: r.requested_at.toISOString(),
          requestedBy: r.requested_by,
        },
      }));
    },

    /** Officers' answer proposals waiting for the head, oldest first, each with its case. */
    async pendingProposals(caller: Principal, limit: number, now = new Date()) {
      const rows = await proposals(caller)
        .select([
          'p.id as proposal_id',
          'p.answer as proposed_answer',
          'p.created_at as proposed_at',
          'u.full_name as proposed_by',
        ])
        .orderBy('p.created_at')
        .orderBy('p.id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        case: toCaseView(r, caller, now),
        proposal: {
          id: r.proposal_id,
          answer: r.proposed_answer,
          proposedAt: r.proposed_at.toISOString(),
          proposedBy: r.proposed_by,
        },
      }));
    },

    /** How many of each wait in the caller's scope (the console's tab labels). */
    async workflowQueueCounts(caller: Principal) {
      const [x, p] = await Promise.all([
        extensions(caller)
          .clearSelect()
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow(),
        proposals(caller)
          .clearSelect()
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow(),
      ]);
      return { extensions: Number(x.n), proposals: Number(p.n) };
    },
  };
}
