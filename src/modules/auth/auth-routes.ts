import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problems, storableString } from '../../shared/http.ts';
import type { AuthService } from './auth-service.ts';
import { signedInRoles } from './principal.ts';

const tokenBody = z.object({
  username: storableString().trim().min(1).max(64),
  password: z.string().min(1).max(200),
});
const tokenSchema = z
  .object({ accessToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number().int() })
  .meta({ id: 'AccessToken' });

export const authRoutes: FastifyPluginAsyncZod<{ auth: AuthService }> = async (app, { auth }) => {
  app.post(
    '/api/v1/auth/token',
    {
      // No per-request limit: staff of a ward office share one public address, and successful
      // sign-ins never count against it. Failed ones do (auth-service.ts, LOGIN_ADDRESS_MAX_FAILURES).
      config: { rateLimit: false },
      schema: {
        operationId: 'issueToken',
        summary: 'Exchange a username and password for a short-lived bearer token',
        description:
          'Limited per client address and per username. Per address, only failed sign-ins count: after ' +
          'LOGIN_ADDRESS_MAX_FAILURES of them within LOGIN_ADDRESS_WINDOW_SECONDS, 429 with Retry-After until the ' +
          'window ends (colleagues sharing an address sign in as often as they need). Per username: after ' +
          'LOGIN_LOCKOUT_THRESHOLD failures in a row the username is locked for a while (429 with Retry-After, ' +
          'doubling on each further failure, up to LOGIN_LOCKOUT_MAX_SECONDS), the same for usernames that do not ' +
          'exist. A correct password resets it.',
        tags: ['auth'],
        body: tokenBody,
        response: { 200: tokenSchema, ...problems(400, 401, 429) },
      },
    },
    async (req) => auth.login(req.body.username, req.body.password, req.log, req.ip),
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { access: { roles: signedInRoles } },
      schema: {
        operationId: 'logout',
        summary: 'End the session of this token',
        description:
          'The token (its server-side session) is refused from then on, by every API process within AUTH_CACHE_TTL_MS. Other sessions of the same user stay.',
        tags: ['auth'],
        response: { 204: z.null(), ...problems(401, 403) },
      },
    },
    async (req, reply) => {
      if (req.sessionId) await auth.logout(req.sessionId);
      return reply.code(204).send(null);
    },
  );
};
