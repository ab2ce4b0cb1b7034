import type { Db } from '../../db/database.ts';
import type { Principal } from '../auth/principal.ts';
import type { CaseService } from '../cases/case-service.ts';
import { listCaseEscalations } from './escalation-repository.ts';

export type EscalationQueries = ReturnType<typeof createEscalationQueries>;

export function createEscalationQueries(deps: { db: Db; cases: Pick<CaseService, 'requireVisible'> }) {
  const { db } = deps;
  return {
    /** The case's escalations, oldest first; 404 for a case the caller may not see. */
    async forCase(caller: Principal, caseId: string) {
      await deps.cases.requireVisible(caller, caseId);
      const rows = await listCaseEscalations(db, caseId);
      return {
        items: rows.map((e) => ({
          step: e.step,
          dueAt: e.due_at.toISOString(),
          firedAt: e.fired_at.toISOString(),
          generation: e.generation,
        })),
      };
    },
  };
}
