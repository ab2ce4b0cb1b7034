import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { idParams, listOf, problems } from '../../shared/http.ts';
import { userOf } from '../auth/auth-plugin.ts';
import { signedInRoles } from '../auth/principal.ts';
import { inboxQuery, notificationSchema } from './notification-schemas.ts';
import type { NotificationService } from './notification-service.ts';

export const notificationRoutes: FastifyPluginAsyncZod<{ notifications: NotificationService }> = async (
  app,
  { notifications },
) => {
  const tags = ['notifications'];

  app.get(
    '/api/v1/notifications',
    {
      config: { access: { roles: signedInRoles } },
      schema: {
        operationId: 'listNotifications',
        summary: "The caller's inbox, newest first",
        description: 'Escalations of overdue cases reach the users of the roles the ward policy names.',
        tags,
        querystring: inboxQuery,
        response: { 200: listOf(notificationSchema), ...problems(400, 401, 403) },
      },
    },
    async (req) => notifications.inbox(userOf(req), req.query),
  );

  app.post(
    '/api/v1/notifications/:id/read',
    {
      config: { access: { roles: signedInRoles } },
      schema: {
        operationId: 'markNotificationRead',
        summary: 'Mark one of your notifications read',
        description: 'Idempotent: the first reading time is kept. Another user’s notification is 404.',
        tags,
        params: idParams,
        response: { 200: notificationSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => notifications.markRead(userOf(req), req.params.id),
  );
};
