import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { consolePlugin } from './console/plugin.ts';
import type { Container } from './container.ts';
import { answerTemplateRoutes } from './modules/answer-templates/answer-template-routes.ts';
import { auditRoutes } from './modules/audit/audit-routes.ts';
import { authPlugin } from './modules/auth/auth-plugin.ts';
import { authRoutes } from './modules/auth/auth-routes.ts';
import { campaignRoutes } from './modules/campaigns/campaign-routes.ts';
import { caseRoutes } from './modules/cases/case-routes.ts';
import { publicRoutes } from './modules/cases/public-routes.ts';
import { digestRoutes } from './modules/digest/digest-routes.ts';
import { accountRoutes } from './modules/directory/account-routes.ts';
import { directoryRoutes } from './modules/directory/directory-routes.ts';
import { fileRoutes } from './modules/files/file-routes.ts';
import { messageRoutes } from './modules/messages/message-routes.ts';
import { notificationRoutes } from './modules/notifications/notification-routes.ts';
import { webhookRoutes } from './modules/notifications/webhook-routes.ts';
import { open311FrameworkError, open311Routes } from './modules/open311/open311-routes.ts';
import { metricsPlugin, newMetricsRegistry } from './modules/ops/metrics.ts';
import { opsRoutes } from './modules/ops/ops-routes.ts';
import { queueBoard } from './modules/ops/queue-board.ts';
import { workerStatus } from './modules/ops/worker-heartbeat.ts';
import { reportRoutes } from './modules/reports/report-routes.ts';
import { calendarRoutes } from './modules/sla/calendar-routes.ts';
import { escalationRoutes } from './modules/sla/escalation-routes.ts';
import { slaSettingsRoutes } from './modules/sla/sla-settings-routes.ts';
import { actionRoutes } from './modules/workflow/action-routes.ts';
import { drain } from './shared/drain.ts';
import { frameworkErrorHandler, installErrorHandler } from './shared/error-handler.ts';
import { AppError, problemType } from './shared/errors.ts';
import { loggerOptions } from './shared/logger.ts';
import { overload } from './shared/overload.ts';
import { RequestLogController, requestIdOf } from './shared/request-log.ts';
import { responseHeaders } from './shared/response-headers.ts';
import { serializerCompiler } from './shared/serializer.ts';

// Validation messages people read are Vietnamese.
z.config(z.locales.vi());

const apiVersion = '0.1.0';

/** Builds the HTTP application over a container. It never listens: main/api.ts does. */
export async function buildApp(
  container: Container,
  options: { logger?: boolean | object } = {},
): Promise<FastifyInstance> {
  const { config } = container;
  const logController = new RequestLogController();
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config.LOG_LEVEL),
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    // A caller's X-Request-Id is kept only when short and of a safe alphabet: it goes into every log
    // line and error body of the request.
    requestIdHeader: false,
    genReqId: (req) => requestIdOf(req.headers['x-request-id']),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Errors before routing (a bad URL): Open311's own format under its prefix, problem+json elsewhere.
    frameworkErrors: (error, request, reply) =>
      (request.url.startsWith('/open311/') ? open311FrameworkError : frameworkErrorHandler)(
        error,
        request,
        reply,
      ),
    logController,
    // shared/drain.ts answers requests that arrive while closing, with a problem+json.
    return503OnClosing: false,
  }).withTypeProvider<ZodTypeProvider>();
  // JSON only: a text/plain body is refused with 415 rather than read as a string.
  app.removeContentTypeParser('text/plain');
  // An empty body sent as JSON is no body: actions that take none (deactivate, logout…) accept the
  // `content-type: application/json` a client sends on every request; where a body is required its
  // schema answers 400. Anything else goes to Fastify's own parser (prototype poisoning refused).
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) =>
    body === '' ? done(null, undefined) : json(req, body as string, done),
  );

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  logController.attach(app.log);
  await app.register(responseHeaders);
  await app.register(drain);
  await app.register(overload, { maxEventLoopDelayMs: config.OVERLOAD_EVENT_LOOP_DELAY_MS });
  // Routes open to anyone (no `config.access`) get the public limit unless they set their own; the
  // liveness and readiness probes stay unlimited.
  app.addHook('onRoute', (route) => {
    if (route.config?.access || route.config?.rateLimit !== undefined) return;
    if (route.url === '/health' || route.url === '/ready') return;
    // The console's pages are for signed-in staff (a ward office shares one address); its sign-in is
    // limited by failures per address and username, as the API's.
    if (route.url?.startsWith('/console')) return;
    route.config = {
      ...route.config,
      rateLimit: { max: config.RATE_LIMIT_PUBLIC_PER_MINUTE, timeWindow: '1 minute' },
    };
  });
  await app.register(rateLimit, {
    global: false,
    redis: container.redis,
    nameSpace: `${config.REDIS_PREFIX}:ratelimit:`,
    skipOnError: true,
    errorResponseBuilder: (_req, ctx) =>
      new AppError(
        429,
        problemType('rate-limited'),
        'Quá nhiều yêu cầu',
        `Quá nhiều yêu cầu; thử lại sau ${ctx.after}.`,
        {
          headers: { 'retry-after': String(Math.ceil(ctx.ttl / 1000)) },
        },
      ),
  });
  // Registered before swagger so its onRoute hook adds each route's security to the document.
  await app.register(authPlugin, { auth: container.auth });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'pakn API',
        version: apiVersion,
        description:
          'Phản ánh, kiến nghị: case handling for ward governments. Staff authenticate with a bearer token from ' +
          'POST /api/v1/auth/token; channel integrations send X-API-Key. Errors are application/problem+json.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      tags: [
        { name: 'auth', description: 'Staff sign-in' },
        { name: 'directory', description: 'Wards, departments, categories, users, API clients' },
        { name: 'audit', description: 'The audit trail of administration (append-only)' },
        { name: 'cases', description: 'Case intake and queries' },
        { name: 'workflow', description: 'Actions that move a case through its lifecycle' },
        {
          name: 'files',
          description: 'Uploaded attachments (a signed reply): PDF and images, served by case scope',
        },
        { name: 'deadlines', description: 'Working calendars, deadlines and escalation ladders' },
        { name: 'answer-templates', description: "A department's answer templates, kept by its head" },
        { name: 'notifications', description: 'In-app inbox: escalations of overdue cases' },
        { name: 'webhooks', description: 'Outgoing webhooks: signed case events with retries' },
        { name: 'reports', description: 'On-time reports for the chairman and the ward office (JSON, CSV)' },
        { name: 'public', description: 'For citizens: case tracking by code, without signing in' },
        {
          name: 'open311',
          description: 'Open311 GeoReport v2 (JSON and XML; errors as the spec says, not problem+json)',
        },
        { name: 'operations', description: 'Health and readiness' },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const registry = newMetricsRegistry();
  await app.register(metricsPlugin, { queues: container.queues, registry, db: container.db });
  await app.register(opsRoutes, {
    db: container.db,
    redis: container.redis,
    registry,
    workerStatus: () => workerStatus(container.redis, config.REDIS_PREFIX),
    metricsToken: config.METRICS_TOKEN,
    calendarNotice: () => container.calendars.provisionalNextYear(),
  });
  await app.register(queueBoard, {
    queues: container.queues,
    auth: container.auth,
    checksPerMinute: config.RATE_LIMIT_LOGIN_PER_MINUTE,
  });
  await app.register(authRoutes, { auth: container.auth });
  await app.register(directoryRoutes, { directory: container.directory });
  await app.register(accountRoutes, { directory: container.directory });
  await app.register(auditRoutes, { audit: container.audit });
  await app.register(caseRoutes, { cases: container.cases });
  await app.register(publicRoutes, { cases: container.cases });
  await app.register(actionRoutes, { actions: container.actions });
  await app.register(fileRoutes, { files: container.files });
  await app.register(calendarRoutes, { calendars: container.calendars });
  await app.register(slaSettingsRoutes, { settings: container.slaSettings });
  await app.register(notificationRoutes, { notifications: container.notifications });
  await app.register(escalationRoutes, { escalations: container.escalations });
  await app.register(webhookRoutes, { webhooks: container.webhooks });
  await app.register(reportRoutes, { reports: container.reports });
  await app.register(digestRoutes, { digests: container.digests });
  await app.register(messageRoutes, { messages: container.messages });
  await app.register(answerTemplateRoutes, { templates: container.answerTemplates });
  await app.register(campaignRoutes, {
    groups: container.residentialGroups,
    campaigns: container.campaigns,
    lists: container.campaignLists,
    progress: container.campaignProgress,
    maxListBytes: config.CAMPAIGN_LIST_MAX_BYTES,
  });
  await app.register(open311Routes, {
    prefix: '/open311/v2',
    open311: container.open311,
    // An app files for all its users: ten times what one address may send to a public endpoint.
    postsPerMinute: config.RATE_LIMIT_PUBLIC_PER_MINUTE * 10,
  });
  await app.register(consolePlugin, { prefix: '/console', container });

  return app;
}
