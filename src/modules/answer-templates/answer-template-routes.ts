import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { idParams, listOf, problems } from '../../shared/http.ts';
import { ifMatchHeaders } from '../../shared/versions.ts';
import { userOf } from '../auth/auth-plugin.ts';
import { staffRoles } from '../auth/principal.ts';
import {
  answerTemplateBody,
  answerTemplatePatchBody,
  answerTemplateQuery,
  answerTemplateSchema,
} from './answer-template-schemas.ts';
import type { AnswerTemplateService } from './answer-template-service.ts';

const head = { access: { roles: ['department_head'] as const } };
const readers = { access: { roles: staffRoles } };
const etag = (t: { version: number }) => `"${t.version}"`;
const ifMatchNote =
  'Send `If-Match: "<version>"` to change only the version you saw (412 otherwise). Another department\'s template is 404.';

/** `/api/v1/answer-templates`: a department's stock answers, written by its head. */
export const answerTemplateRoutes: FastifyPluginAsyncZod<{ templates: AnswerTemplateService }> = async (
  app,
  { templates },
) => {
  const tags = ['answer-templates'];

  app.get(
    '/api/v1/answer-templates',
    {
      config: readers,
      schema: {
        operationId: 'listAnswerTemplates',
        summary:
          "A department's answer templates (department staff: their own; the ward office and chairman: their ward's)",
        tags,
        querystring: answerTemplateQuery,
        response: { 200: listOf(answerTemplateSchema), ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => templates.list(userOf(req), req.query),
  );

  app.post(
    '/api/v1/answer-templates',
    {
      config: head,
      schema: {
        operationId: 'createAnswerTemplate',
        summary: "Add an answer template to the head's own department",
        tags,
        body: answerTemplateBody,
        response: { 201: answerTemplateSchema, ...problems(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const created = await templates.create(userOf(req), req.body);
      return reply.code(201).header('etag', etag(created)).send(created);
    },
  );

  app.get(
    '/api/v1/answer-templates/:id',
    {
      config: readers,
      schema: {
        operationId: 'getAnswerTemplate',
        summary: 'Read an answer template (its version as the ETag)',
        tags,
        params: idParams,
        response: { 200: answerTemplateSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const found = await templates.get(userOf(req), req.params.id);
      return reply.header('etag', etag(found)).send(found);
    },
  );

  app.patch(
    '/api/v1/answer-templates/:id',
    {
      config: head,
      schema: {
        operationId: 'updateAnswerTemplate',
        summary: "Change one of the department's answer templates",
        description: `The head changes its category, title or text. ${ifMatchNote}`,
        tags,
        params: idParams,
        headers: ifMatchHeaders,
        body: answerTemplatePatchBody,
        response: { 200: answerTemplateSchema, ...problems(400, 401, 403, 404, 412) },
      },
    },
    async (req, reply) => {
      const changed = await templates.update(userOf(req), req.params.id, req.headers['if-match'], req.body);
      return reply.header('etag', etag(changed)).send(changed);
    },
  );

  for (const [action, active] of [
    ['deactivate', false],
    ['reactivate', true],
  ] as const) {
    app.post(
      `/api/v1/answer-templates/:id/${action}`,
      {
        config: head,
        schema: {
          operationId: `${action}AnswerTemplate`,
          summary: `${active ? 'Offer again' : 'Stop offering'} one of the department's answer templates`,
          description: `${active ? 'Active again.' : 'Kept (answers already given are not touched), no longer offered in the console.'} ${ifMatchNote}`,
          tags,
          params: idParams,
          headers: ifMatchHeaders,
          response: { 200: answerTemplateSchema, ...problems(400, 401, 403, 404, 412) },
        },
      },
      async (req, reply) => {
        const changed = await templates.setActive(
          userOf(req),
          req.params.id,
          req.headers['if-match'],
          active,
        );
        return reply.header('etag', etag(changed)).send(changed);
      },
    );
  }
};
