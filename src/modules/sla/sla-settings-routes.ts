import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { idParams, problems } from '../../shared/http.ts';
import { actorOf } from '../audit/audit-actor.ts';
import { userOf } from '../auth/auth-plugin.ts';
import { staffRoles } from '../auth/principal.ts';
import { escalationPolicySchema } from './escalation-policy.ts';
import type { SlaSettingsService } from './sla-settings-service.ts';

export const slaSettingsRoutes: FastifyPluginAsyncZod<{ settings: SlaSettingsService }> = async (
  app,
  { settings },
) => {
  const tags = ['deadlines'];

  app.get(
    '/api/v1/wards/:id/escalation-policy',
    {
      config: { access: { roles: staffRoles } },
      schema: {
        operationId: 'getEscalationPolicy',
        summary: "The ward's escalation ladder",
        tags,
        params: idParams,
        response: { 200: escalationPolicySchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => settings.getPolicy(userOf(req), req.params.id),
  );

  app.put(
    '/api/v1/wards/:id/escalation-policy',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        operationId: 'putEscalationPolicy',
        summary: "Replace the ward's escalation ladder (applies to deadlines set from now on)",
        tags,
        params: idParams,
        body: escalationPolicySchema,
        response: { 200: escalationPolicySchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => settings.putPolicy(actorOf(req), req.params.id, req.body),
  );
};
