import { type AttachmentClaims, answerProposalActions } from './answer-proposal-actions.ts';
import { departmentActions } from './department-actions.ts';
import { dispatchActions } from './dispatch-actions.ts';
import { createWorkflowEngine, type WorkflowEngineDeps } from './engine.ts';
import { extensionActions } from './extensions.ts';
import { officeActions } from './office-actions.ts';
import { workflowQueues } from './workflow-queues.ts';

export type WorkflowActions = ReturnType<typeof createWorkflowActions>;

/** Every workflow action on a case (design.md §3), each one transaction of the engine. */
export function createWorkflowActions(
  deps: WorkflowEngineDeps & { reopenWindowDays: number; files: AttachmentClaims },
) {
  const engine = createWorkflowEngine(deps);
  return {
    ...dispatchActions(engine),
    ...departmentActions(engine),
    ...officeActions(engine, deps),
    ...extensionActions(engine, deps),
    ...answerProposalActions(engine, deps),
    ...workflowQueues(deps),
  };
}
