import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams, problems } from '../../shared/http.ts';
import { principalOf } from '../auth/auth-plugin.ts';
import type { MessageQueries } from './message-queries.ts';

const citizenMessageSchema = z
  .object({
    id: z.string().meta({ description: "Also the provider's idempotency key" }),
    kind: z.enum(['received', 'assigned', 'answered', 'closed', 'rejected']),
    status: z.enum(['pending', 'delivered', 'failed', 'held']).meta({
      description: '`held`: not sent, because the number had reached SMS_PHONE_LIMIT messages in the window',
    }),
    provider: z.string().nullable(),
    text: z.string().nullable().meta({
      description: "What was sent, rendered on the first try; the reporter's own link shows its token as …",
    }),
    encoding: z.enum(['gsm7', 'ucs2']).nullable(),
    segments: z.number().int().nullable().meta({ description: 'SMS segments the text costs' }),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.iso.datetime(),
    lastAttemptAt: z.iso.datetime().nullable(),
    deliveredAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'CitizenMessage' });

export const messageRoutes: FastifyPluginAsyncZod<{ messages: MessageQueries }> = async (
  app,
  { messages },
) => {
  app.get(
    '/api/v1/cases/:id/messages',
    {
      config: { access: { roles: ['admin', 'intake', 'chairman'] } },
      schema: {
        operationId: 'listCaseMessages',
        summary: "The status messages (SMS) sent to a case's reporter, oldest first",
        description:
          'One per receipt, assignment, answer, closure and refusal; with the text sent, its encoding and segment count, and how each try went.',
        tags: ['cases'],
        params: idParams,
        response: {
          200: z.object({ items: z.array(citizenMessageSchema) }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (req) => messages.forCase(principalOf(req), req.params.id),
  );
};
