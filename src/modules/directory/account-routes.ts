import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problems } from '../../shared/http.ts';
import { actorOf } from '../audit/audit-actor.ts';
import { userOf } from '../auth/auth-plugin.ts';
import { signedInRoles } from '../auth/principal.ts';
import { meSchema, ownPasswordBody } from './directory-schemas.ts';
import type { DirectoryService } from './directory-service.ts';

const staff = { access: { roles: signedInRoles } };

/** The caller's own account: who they are, and their password. */
export const accountRoutes: FastifyPluginAsyncZod<{ directory: DirectoryService }> = async (
  app,
  { directory },
) => {
  app.get(
    '/api/v1/me',
    {
      config: staff,
      schema: {
        operationId: 'getMe',
        summary: 'Who the caller is: role, ward, department, and the operations the role may call',
        tags: ['auth'],
        response: { 200: meSchema, ...problems(401, 403) },
      },
    },
    async (req) => {
      const caller = userOf(req);
      return directory.me(caller, app.operationsFor(caller.role).sort());
    },
  );

  app.post(
    '/api/v1/auth/password',
    {
      config: staff,
      schema: {
        operationId: 'changeOwnPassword',
        summary: 'Change your own password, giving the current one',
        description:
          "A wrong current password answers 400 and counts as a failed sign-in of the username (the same lockout, 429). The user's other sessions end; the one making the request stays.",
        tags: ['auth'],
        body: ownPasswordBody,
        response: { 204: z.null(), ...problems(400, 401, 403, 429) },
      },
    },
    async (req, reply) => {
      await directory.changeOwnPassword(
        actorOf(req),
        req.sessionId,
        req.body.currentPassword,
        req.body.newPassword,
      );
      return reply.code(204).send(null);
    },
  );
};
