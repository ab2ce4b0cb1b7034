import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams, listOf, listQuery, problems } from '../../shared/http.ts';
import { actorOf } from '../audit/audit-actor.ts';
import { deliveriesQuery, webhookBody, webhookDeliverySchema, webhookSchema } from './webhook-schemas.ts';
import type { WebhookService } from './webhook-service.ts';

const admin = { access: { roles: ['admin'] as const } };

const signing =
  'Each delivery is a POST of the event as JSON with `X-Pakn-Signature: sha256=<hex HMAC-SHA256 of the raw ' +
  'body with the secret>`, `X-Pakn-Event` and `X-Pakn-Delivery: <id>`. A delivery that does not get a 2xx ' +
  'answer is retried with exponential backoff under the same `X-Pakn-Delivery` id, so receivers can ' +
  'recognise repeats. Redirects are not followed.';

export const webhookRoutes: FastifyPluginAsyncZod<{ webhooks: WebhookService }> = async (
  app,
  { webhooks },
) => {
  const tags = ['webhooks'];

  app.post(
    '/api/v1/webhooks',
    {
      config: admin,
      schema: {
        operationId: 'createWebhook',
        summary: 'Subscribe a receiver URL to case events',
        description: signing,
        tags,
        body: webhookBody,
        response: { 201: webhookSchema, ...problems(400, 401, 403) },
      },
    },
    async (req, reply) => reply.code(201).send(await webhooks.create(actorOf(req), req.body)),
  );

  app.get(
    '/api/v1/webhooks',
    {
      config: admin,
      schema: {
        operationId: 'listWebhooks',
        summary: 'List webhooks, active and deactivated (secrets are never shown)',
        tags,
        querystring: listQuery,
        response: { 200: listOf(webhookSchema), ...problems(400, 401, 403) },
      },
    },
    async (req) => webhooks.list(req.query),
  );

  app.delete(
    '/api/v1/webhooks/:id',
    {
      config: admin,
      schema: {
        operationId: 'deactivateWebhook',
        summary: 'Deactivate a webhook',
        description:
          'Idempotent. Its pending deliveries are given up (status `failed`); its log stays readable.',
        tags,
        params: idParams,
        response: { 204: z.null().meta({ description: 'Deactivated' }), ...problems(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await webhooks.deactivate(actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/webhooks/:id/deliveries',
    {
      config: admin,
      schema: {
        operationId: 'listWebhookDeliveries',
        summary: "A webhook's delivery log, newest first",
        tags,
        params: idParams,
        querystring: deliveriesQuery,
        response: { 200: listOf(webhookDeliverySchema), ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => webhooks.deliveries(req.params.id, req.query),
  );
};
