import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listOf, problems } from '../../shared/http.ts';
import { userOf } from '../auth/auth-plugin.ts';
import { auditEntrySchema, auditQuery } from './audit-schemas.ts';
import type { AuditService } from './audit-service.ts';

export const auditRoutes: FastifyPluginAsyncZod<{ audit: AuditService }> = async (app, { audit }) => {
  app.get(
    '/api/v1/audit',
    {
      config: { access: { roles: ['admin', 'chairman'] as const } },
      schema: {
        operationId: 'listAuditEntries',
        summary: 'The audit trail of administration, newest first (a chairman: their ward’s objects)',
        description:
          'Every change to wards, departments, categories, users, API clients, calendars, escalation policies and webhooks: who, when, from which address, what, and the object before and after (never a password, key or secret). Append-only. `from` and `to` are inclusive; `from` after `to` is a 400.',
        tags: ['audit'],
        querystring: auditQuery,
        response: { 200: listOf(auditEntrySchema), ...problems(400, 401, 403) },
      },
    },
    async (req) => audit.list(userOf(req), req.query),
  );
};
