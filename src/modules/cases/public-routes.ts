import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problems } from '../../shared/http.ts';
import { caseCodeParams, publicCaseQuery, publicCaseSchema } from './case-schemas.ts';
import type { CaseService } from './case-service.ts';

/**
 * Public tracking: a citizen follows a report by its code (from the receipt message or the app),
 * without signing in. No personal data and nothing the reporter wrote; with the reporter's own token
 * from their messages, their description and the answer given to them. The public rate limit applies
 * (app.ts gives it to every route without `config.access`).
 */
export const publicRoutes: FastifyPluginAsyncZod<{ cases: CaseService }> = async (app, { cases }) => {
  app.get(
    '/api/v1/public/cases/:code',
    {
      schema: {
        operationId: 'trackCase',
        summary: 'Where a case stands, by its code (public: no sign-in, no personal data)',
        tags: ['public'],
        params: caseCodeParams,
        querystring: publicCaseQuery,
        response: { 200: publicCaseSchema, ...problems(400, 404, 429) },
      },
    },
    async (req) => cases.publicStatus(req.params.code, req.query.t),
  );
};
