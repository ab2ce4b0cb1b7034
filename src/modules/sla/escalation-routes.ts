import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams, problems } from '../../shared/http.ts';
import { principalOf } from '../auth/auth-plugin.ts';
import { staffRoles } from '../auth/principal.ts';
import type { EscalationQueries } from './escalation-queries.ts';

const escalationSchema = z
  .object({
    step: z.string(),
    dueAt: z.iso.datetime().meta({ description: 'When this step fell due (not the answer deadline)' }),
    firedAt: z.iso.datetime(),
    generation: z.number().int(),
  })
  .meta({ id: 'Escalation' });

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
