import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clocks } from '../../db/types.ts';
import { idParams, idSchema, isoDateTime, problems, text } from '../../shared/http.ts';
import { actorOf } from '../audit/audit-actor.ts';
import { userOf } from '../auth/auth-plugin.ts';
import { staffRoles } from '../auth/principal.ts';
import { MAX_YEAR, MIN_YEAR } from './calendar.ts';
import type { CalendarService } from './calendar-service.ts';
import { durationSchema } from './duration-schema.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'Giờ dạng HH:MM');
const isoDate = z.iso.date();

const calendarSchema = z
  .object({
    timezone: z.string().min(1).max(64),
    businessHours: z
      .array(z.object({ weekday: z.number().int().min(1).max(7), start: hhmm, end: hhmm }))
      .max(50),
    daysOff: z.array(isoDate).max(2000),
    workingDays: z.array(isoDate).max(2000),
  })
  .meta({ id: 'WardCalendar' });

const yearStatus = z.enum(['confirmed', 'provisional']).meta({
  description:
    '`confirmed`: the official schedule an admin stored (or shipped with pakn); `provisional`: computed from the Labour Code 2019, Art. 112, until it is confirmed',
});
const yearSource = z.enum(['ward', 'city', 'statutory']).meta({
  description:
    "`ward`: the ward's own schedule; `city`: the city-wide one; `statutory`: the provisional rules",
});

const calendarViewSchema = calendarSchema
  .extend({
    years: z
      .array(
        z.object({
          year: z.number().int(),
          status: yearStatus,
          source: yearSource,
          confirmedAt: z.iso.datetime().nullable(),
        }),
      )
      .meta({
        description:
          'The years `daysOff` and `workingDays` cover, from the first confirmed one through next year, and where each comes from',
      }),
  })
  .meta({ id: 'WardCalendarView' });

const putCalendarResult = calendarViewSchema
  .extend({
    recalculatedCases: z
      .number()
      .int()
      .meta({ description: 'Open cases whose deadlines moved because days off changed' }),
  })
  .meta({ id: 'WardCalendarChange' });

const namedDay = z.object({
  date: isoDate,
  name: text(200),
});

const yearBody = z.object({
  daysOff: z.array(namedDay).max(366),
  workingDays: z.array(namedDay).max(366),
  note: z
    .string()
    .trim()
    .max(500)
    .optional()
    .meta({ description: 'Where the schedule comes from, e.g. the government notice' }),
});

const yearSchema = z
  .object({
    year: z.number().int(),
    status: yearStatus,
    source: yearSource,
    daysOff: z.array(namedDay),
    workingDays: z.array(namedDay),
    note: z.string().nullable(),
    confirmedAt: z.iso.datetime().nullable(),
    confirmedBy: z.object({ id: z.string(), name: z.string() }).nullable(),
  })
  .meta({ id: 'YearSchedule' });

const yearChangeSchema = yearSchema
  .extend({
    recalculatedCases: z.number().int().meta({
      description: 'Open cases whose deadlines moved (re-derived, with the reason on their timeline)',
    }),
  })
  .meta({ id: 'YearScheduleChange' });

const year = z.coerce.number().int().min(MIN_YEAR).max(MAX_YEAR);
const wardYearParams = z.object({ id: idSchema, year });
const cityYearParams = z.object({ year });

const deadlineQuery = z.object({
  from: isoDateTime,
  duration: durationSchema,
  clock: z.enum(clocks).default('working'),
});

export const calendarRoutes: FastifyPluginAsyncZod<{ calendars: CalendarService }> = async (
  app,
  { calendars },
) => {
  const tags = ['deadlines'];

  app.get(
    '/api/v1/wards/:id/calendar',
    {
      config: { access: { roles: staffRoles } },
      schema: {
        operationId: 'getWardCalendar',
        summary:
          "The ward's working calendar: business hours, and the days off and make-up working days of the years shown, each year confirmed or provisional",
        tags,
        params: idParams,
        response: { 200: calendarViewSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => calendars.getCalendar(userOf(req), req.params.id),
  );

  app.put(
    '/api/v1/wards/:id/calendar',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        operationId: 'putWardCalendar',
        summary: "Replace the ward's working calendar",
        description:
          'Time zone and business hours apply to deadlines set from now on. Days off and make-up days are read year by year: a year whose dates here differ from what the ward has becomes the ward’s own confirmed schedule, and open cases whose deadlines those days move are re-derived; years sent unchanged stay as they were.',
        tags,
        params: idParams,
        body: calendarSchema,
        response: { 200: putCalendarResult, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => calendars.putCalendar(actorOf(req), req.params.id, req.body),
  );

  app.get(
    '/api/v1/wards/:id/calendar/years/:year',
    {
      config: { access: { roles: staffRoles } },
      schema: {
        operationId: 'getWardCalendarYear',
        summary: "A year's days off and make-up days as the ward follows them: confirmed, or provisional",
        tags,
        params: wardYearParams,
        response: { 200: yearSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => calendars.getYear(userOf(req), req.params.id, req.params.year),
  );

  app.put(
    '/api/v1/wards/:id/calendar/years/:year',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        operationId: 'confirmWardCalendarYear',
        summary: "Confirm a year's days off for this ward (its own schedule, over the city's)",
        description:
          'Stores the official schedule as given (edit the provisional one where the government decided otherwise). Open cases whose running deadlines the changed days move are re-derived under a new SLA generation, with the reason on their timeline.',
        tags,
        params: wardYearParams,
        body: yearBody,
        response: { 200: yearChangeSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => calendars.putYear(actorOf(req), req.params.id, req.params.year, req.body),
  );

  app.delete(
    '/api/v1/wards/:id/calendar/years/:year',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        operationId: 'deleteWardCalendarYear',
        summary: "Drop the ward's own schedule of a year: it follows the city's (or the provisional) again",
        tags,
        params: wardYearParams,
        response: { 200: yearChangeSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req) => calendars.deleteYear(actorOf(req), req.params.id, req.params.year),
  );

  app.get(
    '/api/v1/calendar/years/:year',
    {
      config: { access: { roles: staffRoles } },
      schema: {
        operationId: 'getCityCalendarYear',
        summary:
          'The city-wide days off of a year (confirmed, or provisional), which wards follow unless they have their own',
        tags,
        params: cityYearParams,
        response: { 200: yearSchema, ...problems(400, 401, 403) },
      },
    },
    async (req) => calendars.getYear(userOf(req), null, req.params.year),
  );

  app.put(
    '/api/v1/calendar/years/:year',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        operationId: 'confirmCityCalendarYear',
        summary: "Confirm a year's days off city-wide (every ward without its own schedule of that year)",
        tags,
        params: cityYearParams,
        body: yearBody,
        response: { 200: yearChangeSchema, ...problems(400, 401, 403) },
      },
    },
    async (req) => calendars.putYear(actorOf(req), null, req.params.year, req.body),
  );

  app.get(
    '/api/v1/wards/:id/calendar/deadline',
    {
      config: { access: { roles: staffRoles } },
      schema: {
        operationId: 'computeDeadline',
        summary: 'The deadline a case received at `from` would get, by the SLA engine’s own arithmetic',
        tags,
        params: idParams,
        querystring: deadlineQuery,
        response: {
          200: z.object({
            dueAt: z.iso.datetime(),
            provisional: z
              .boolean()
              .meta({ description: 'Whether the days it crossed include a year not confirmed yet' }),
            provisionalYears: z
              .array(z.number().int())
              .meta({ description: 'The provisional years crossed (working clock only)' }),
          }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (req) =>
      calendars.deadline(
        userOf(req),
        req.params.id,
        new Date(req.query.from),
        req.query.duration,
        req.query.clock,
      ),
  );
};
