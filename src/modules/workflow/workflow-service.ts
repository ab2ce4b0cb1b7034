import type { Db } from '../../db/database.ts';
import type { Queues } from '../../shared/queues.ts';
import type { IntakeContextLoader } from '../cases/intake-context.ts';
import { departmentActions } from './department-actions.ts';
import { dispatchActions } from './dispatch-actions.ts';
import { createWorkflowEngine } from './engine.ts';
import { extensionActions } from './extensions.ts';
import { officeActions } from './office-actions.ts';

export type WorkflowActions = ReturnType<typeof createWorkflowActions>;

/** Every workflow action on a case (design.md §3), each one transaction of the engine. */
export function createWorkflowActions(deps: {
  db: Db;
  queues: Pick<Queues, 'deliveries'>;
  intakeContext: IntakeContextLoader;
  reopenWindowDays: number;
  /** Whether reporters are sent status messages (SMS_PROVIDER is not `none`). */
  messagesEnabled: boolean;
}) {
  const engine = createWorkflowEngine(deps);
  return {
    ...dispatchActions(engine),
    ...departmentActions(engine),
    ...officeActions(engine, deps),
    ...extensionActions(engine, deps),
  };
}
