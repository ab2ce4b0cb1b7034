import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { notFound } from '../../shared/errors.ts';
import { idParams, problems } from '../../shared/http.ts';
import { principalOf } from '../auth/auth-plugin.ts';
import type { Principal } from '../auth/principal.ts';
import { findCase } from '../cases/case-repository.ts';
import { caseScope } from '../cases/case-scope.ts';
import { listCaseEscalations } from './escalation-repository.ts';

const staffRoles = ['admin', 'intake', 'department_head', 'department_officer', 'chairman'] as const;

export const escalationSchema = z
  .object({
    step: z.string(),
    dueAt: z.iso.datetime().meta({ description: 'When this step fell due (not the answer deadline)' }),
    firedAt: z.iso.datetime(),
    generation: z.number().int(),
  })
  .meta({ id: 'Escalation' });

export type EscalationQueries = ReturnType<typeof createEscalationQueries>;

export function createEscalationQueries(deps: { db: Db }) {
  const { db } = deps;
  return {
    /** The case's escalations, oldest first; 404 for a case the caller may not see. */
    async forCase(caller: Principal, caseId: string) {
      const kase = await findCase(db, caseId, caseScope(caller));
      if (!kase) throw notFound('Không tìm thấy phản ánh.');
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

export const escalationRoutes: FastifyPluginAsyncZod<{ escalations: EscalationQueries }> = async (
  app,
  { escalations },
) => {
  app.get(
    '/api/v1/cases/:id/escalations',
    {
      config: { access: { roles: staffRoles } },
      schema: {
        operationId: 'listCaseEscalations',
        summary: "A case's escalations, oldest first",
        description: 'At most one per policy step and SLA generation.',
        tags: ['cases'],
        params: idParams,
        response: { 200: z.object({ items: z.array(escalationSchema) }), ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => escalations.forCase(principalOf(req), req.params.id),
  );
};
