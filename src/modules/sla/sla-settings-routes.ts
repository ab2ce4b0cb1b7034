import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams, isoDateTime, problems } from '../../shared/http.ts';
import { userOf } from '../auth/auth-plugin.ts';
import { durationSchema } from '../directory/directory-schemas.ts';
import { escalationPolicySchema } from './escalation-policy.ts';
import type { SlaSettingsService } from './sla-settings-service.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'Giờ dạng HH:MM');
const isoDate = z.iso.date();

export const calendarSchema = z
  .object({
    timezone: z.string().min(1).max(64),
    businessHours: z
      .array(z.object({ weekday: z.number().int().min(1).max(7), start: hhmm, end: hhmm }))
      .max(50),
    daysOff: z.array(isoDate).max(2000),
    workingDays: z.array(isoDate).max(2000),
  })
  .meta({ id: 'WardCalendar' });

const deadlineQuery = z.object({
  from: isoDateTime,
  duration: durationSchema,
  clock: z.enum(['working', 'continuous']).default('working'),
});

const staff = ['admin', 'intake', 'department_head', 'department_officer', 'chairman'] as const;

export const slaSettingsRoutes: FastifyPluginAsyncZod<{ settings: SlaSettingsService }> = async (
  app,
  { settings },
) => {
  const tags = ['deadlines'];

  app.get(
    '/api/v1/wards/:id/calendar',
    {
      config: { access: { roles: staff } },
      schema: {
        operationId: 'getWardCalendar',
        summary: "The ward's working calendar (business hours, days off, make-up working days)",
        tags,
        params: idParams,
        response: { 200: calendarSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => settings.getCalendar(userOf(req), req.params.id),
  );

  app.put(
    '/api/v1/wards/:id/calendar',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        operationId: 'putWardCalendar',
        summary: "Replace the ward's working calendar (applies to deadlines computed from now on)",
        tags,
        params: idParams,
        body: calendarSchema,
        response: { 200: calendarSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => settings.putCalendar(userOf(req), req.params.id, req.body),
  );

  app.get(
    '/api/v1/wards/:id/calendar/deadline',
    {
      config: { access: { roles: staff } },
      schema: {
        operationId: 'computeDeadline',
        summary: 'The deadline a case received at `from` would get, by the SLA engine’s own arithmetic',
        tags,
        params: idParams,
        querystring: deadlineQuery,
        response: { 200: z.object({ dueAt: z.iso.datetime() }), ...problems(400, 401, 403, 404) },
      },
    },
    async (req) =>
      settings.deadline(
        userOf(req),
        req.params.id,
        new Date(req.query.from),
        req.query.duration,
        req.query.clock,
      ),
  );

  app.get(
    '/api/v1/wards/:id/escalation-policy',
    {
      config: { access: { roles: staff } },
      schema: {
        operationId: 'getEscalationPolicy',
        summary: "The ward's escalation ladder",
        tags,
        params: idParams,
        response: { 200: escalationPolicySchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => settings.getPolicy(userOf(req), req.params.id),
  );

  app.put(
    '/api/v1/wards/:id/escalation-policy',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        operationId: 'putEscalationPolicy',
        summary: "Replace the ward's escalation ladder (applies to deadlines set from now on)",
        tags,
        params: idParams,
        body: escalationPolicySchema,
        response: { 200: escalationPolicySchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => settings.putPolicy(userOf(req), req.params.id, req.body),
  );
};
