import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problems } from '../../shared/http.ts';
import { principalOf } from '../auth/auth-plugin.ts';
import { digestHistoryQuery, digestHistorySchema, digestQuery, digestSchema } from './digest-schemas.ts';
import type { DigestService } from './digest-service.ts';

const access = { access: { roles: ['admin', 'intake', 'chairman'] } } as const;

export const digestRoutes: FastifyPluginAsyncZod<{ digests: DigestService }> = async (app, { digests }) => {
  app.get(
    '/api/v1/reports/digest',
    {
      config: access,
      schema: {
        operationId: 'digestReport',
        summary: "The chairman's digest as of now: unanswered and late cases by department",
        description:
          'What the scheduled digest (DIGEST_SCHEDULE, ward-local time) sends the chairmen, computed now. Late: past the deadline that runs now (dispatch while received, the answer after); hours late are working hours of the ward calendar.',
        tags: ['reports'],
        querystring: digestQuery,
        response: { 200: digestSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => digests.preview(principalOf(req), req.query.wardId),
  );

  app.get(
    '/api/v1/reports/digests',
    {
      config: access,
      schema: {
        operationId: 'digestHistory',
        summary: 'The digests sent to the chairmen, newest first, with how each e-mail went',
        tags: ['reports'],
        querystring: digestHistoryQuery,
        response: { 200: digestHistorySchema, ...problems(400, 401, 403) },
      },
    },
    async (req) => digests.history(principalOf(req), req.query.wardId, req.query.limit),
  );
};
