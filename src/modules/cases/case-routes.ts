import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { idParams, listOf, listQuery, problems } from '../../shared/http.ts';
import { principalOf } from '../auth/auth-plugin.ts';
import { staffRoles } from '../auth/principal.ts';
import { caseSchema, createCaseBody, eventSchema, listCasesQuery } from './case-schemas.ts';
import type { CaseService } from './case-service.ts';

export const caseRoutes: FastifyPluginAsyncZod<{ cases: CaseService }> = async (app, { cases }) => {
  const tags = ['cases'];

  app.post(
    '/api/v1/cases',
    {
      config: { access: { roles: ['intake'], apiClient: true } },
      schema: {
        operationId: 'createCase',
        summary: 'Log a case (intake staff, or a channel API client for its own channel)',
        description:
          'Idempotent on (channel, externalId): a retry with an externalId already used returns the existing case with 200. ' +
          'A deactivated ward or category, or a category whose default department in the ward is deactivated, answers 409 saying what an admin must fix.',
        tags,
        body: createCaseBody,
        response: { 200: caseSchema, 201: caseSchema, ...problems(400, 401, 403, 409, 413, 415) },
      },
    },
    async (req, reply) => {
      const result = await cases.intake(principalOf(req), req.body);
      reply.header('etag', `"${result.case.version}"`).header('location', `/api/v1/cases/${result.case.id}`);
      return reply.code(result.created ? 201 : 200).send(result.case);
    },
  );

  app.get(
    '/api/v1/cases',
    {
      config: { access: { roles: staffRoles } },
      schema: {
        operationId: 'listCases',
        summary: 'List the cases the caller may see, newest first',
        description: '`q` searches code, title, description and address without regard to accents.',
        tags,
        querystring: listCasesQuery,
        response: { 200: listOf(caseSchema), ...problems(400, 401, 403) },
      },
    },
    async (req) => cases.list(principalOf(req), req.query),
  );

  app.get(
    '/api/v1/cases/:id',
    {
      config: { access: { roles: staffRoles, apiClient: true } },
      schema: {
        operationId: 'getCase',
        summary: 'One case; ETag carries its version',
        tags,
        params: idParams,
        response: { 200: caseSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const view = await cases.get(principalOf(req), req.params.id);
      return reply.header('etag', `"${view.version}"`).send(view);
    },
  );

  app.get(
    '/api/v1/cases/:id/events',
    {
      config: { access: { roles: staffRoles } },
      schema: {
        operationId: 'listCaseEvents',
        summary: "A case's timeline, oldest first",
        tags,
        params: idParams,
        querystring: listQuery,
        response: { 200: listOf(eventSchema), ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => cases.events(principalOf(req), req.params.id, req.query),
  );
};
