import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { notFound } from '../../shared/errors.ts';
import { idParams, problems } from '../../shared/http.ts';
import { principalOf } from '../auth/auth-plugin.ts';
import type { Principal } from '../auth/principal.ts';
import { findCase } from '../cases/case-repository.ts';
import { caseScope } from '../cases/case-scope.ts';
import { TOKEN_PLACEHOLDER } from './message-dispatch.ts';

export const citizenMessageSchema = z
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

const iso = (d: Date | null) => d?.toISOString() ?? null;

export type MessageQueries = ReturnType<typeof createMessageQueries>;

export function createMessageQueries(deps: { db: Db }) {
  const { db } = deps;
  return {
    /** The status messages sent to the case's reporter, oldest first: the delivery log. */
    async forCase(caller: Principal, caseId: string) {
      const kase = await findCase(db, caseId, caseScope(caller));
      if (!kase) throw notFound('Không tìm thấy phản ánh.');
      const rows = await db
        .selectFrom('citizen_messages')
        .selectAll()
        .where('case_id', '=', caseId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return {
        items: rows.map((m) => ({
          id: m.id,
          kind: m.kind,
          status: m.status,
          provider: m.provider,
          text: m.body?.replaceAll(TOKEN_PLACEHOLDER, '…') ?? null,
          encoding: m.encoding,
          segments: m.segments,
          attempts: m.attempts,
          lastStatusCode: m.last_status_code,
          lastError: m.last_error,
          createdAt: m.created_at.toISOString(),
          lastAttemptAt: iso(m.last_attempt_at),
          deliveredAt: iso(m.delivered_at),
        })),
      };
    },
  };
}

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
