import { createHash } from 'node:crypto';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toProblem } from '../../shared/error-handler.ts';
import { AppError, forbidden, problemType } from '../../shared/errors.ts';
import { apiSecurityHeaders } from '../../shared/response-headers.ts';
import type { ClientPrincipal } from '../auth/principal.ts';
import { contentTypes, formatOfUrl, renderErrors, toXml } from './open311-format.ts';
import {
  discoverySchema,
  formatParams,
  jurisdictionQuery,
  type Open311Format,
  open311ErrorsSchema,
  postRequestBody,
  postResponseSchema,
  requestParams,
  requestsQuery,
  serviceDefinitionSchema,
  serviceParams,
  serviceRequestSchema,
  serviceSchema,
} from './open311-schemas.ts';
import type { Open311Service } from './open311-service.ts';

const tags = ['open311'];
const errors = {
  400: open311ErrorsSchema,
  403: open311ErrorsSchema,
  404: open311ErrorsSchema,
  429: open311ErrorsSchema,
};

/** GeoReport's statuses for errors: 400, 403 (no or a bad api_key), 404, and 429 for the rate limit. */
const errorStatus = (status: number) =>
  status === 401
    ? 403
    : status === 404 || status === 403 || status === 429
      ? status
      : status >= 500
        ? status
        : 400;

/**
 * Form fields (`application/x-www-form-urlencoded`, as the spec posts) as an object: empty fields
 * are left out, `attribute[code]=value` goes into `attribute`, a field given twice keeps the last.
 */
export function parseForm(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const attribute: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    if (value === '') continue;
    const m = /^attribute\[([^\]]{1,50})\]$/.exec(key);
    if (m?.[1]) attribute[m[1]] = value;
    else out[key] = value;
  }
  if (Object.keys(attribute).length > 0) out.attribute = attribute;
  return out;
}

/** A problem (toProblem's) as the spec's errors, in the format the URL asks for. */
function sendOpen311Problem(
  reply: FastifyReply,
  request: FastifyRequest,
  problem: ReturnType<typeof toProblem>,
  headers?: Record<string, string>,
) {
  const status = errorStatus(problem.status);
  const list = problem.errors?.length
    ? problem.errors.map((e) => ({
        code: status,
        description: e.path ? `${e.path}: ${e.message}` : e.message,
      }))
    : [{ code: status, description: problem.detail }];
  if (headers) reply.headers(headers);
  if (status === 503) reply.header('retry-after', '5');
  const format = formatOfUrl(request.url);
  return reply
    .code(status)
    .type(contentTypes[format])
    .serializer((x: string) => x)
    .send(renderErrors(list, format) as never);
}

/** For Fastify's `frameworkErrors` (a bad URL before routing): under /open311, the spec's errors. */
export function open311FrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.headers(apiSecurityHeaders).header('x-request-id', request.id);
  const problem = toProblem(error, request);
  // An id the router cannot read (too long, bad percent-escapes) names no request: the spec's 404.
  if (problem.status >= 400 && problem.status < 500 && request.url.startsWith('/open311/v2/requests/'))
    return sendOpen311Problem(reply, request, {
      ...problem,
      type: problemType('not-found'),
      title: 'Không tìm thấy',
      status: 404,
      detail: 'service_request_id: không có phản ánh này.',
      errors: undefined,
    });
  return sendOpen311Problem(reply, request, problem);
}

const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,90}$/, 'Idempotency-Key gồm 1-90 ký tự ASCII in được')
    .optional()
    .meta({ description: 'A retry with the same key returns the request created first, not a second one' }),
});

/**
 * Open311 GeoReport v2 (api.md, "Public and standard interfaces"), registered under /open311/v2:
 * every resource as `.json` or `.xml`, errors as the spec's `[{ code, description }]`. Public: no
 * sign-in, under the public rate limit; POST requests need an API client's `api_key` and are
 * limited per key.
 */
export const open311Routes: FastifyPluginAsyncZod<{
  open311: Open311Service;
  postsPerMinute: number;
}> = async (app, { open311, postsPerMinute }) => {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, parseForm(body as string)),
  );

  /** The API client of each POST requests whose api_key passed (the key is checked first of all). */
  const keyed = new WeakMap<FastifyRequest, ClientPrincipal>();
  const postsRequests = (request: FastifyRequest) =>
    request.method === 'POST' && request.routeOptions.url === `${app.prefix}/requests.:format`;

  app.setErrorHandler((error: Error, request, reply) => {
    let problem = toProblem(error, request);
    // Whatever else is wrong with a POST (a body that cannot be read, a field), no valid api_key is
    // the spec's 403 first: an unknown caller learns nothing of how its request was read.
    if (
      postsRequests(request) &&
      !keyed.has(request) &&
      problem.status >= 400 &&
      problem.status < 500 &&
      problem.status !== 429 &&
      problem.status !== 403
    )
      problem = toProblem(forbidden('Cần api_key hợp lệ của ứng dụng.'), request);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendOpen311Problem(reply, request, problem, error instanceof AppError ? error.headers : undefined);
  });
  app.setNotFoundHandler((request, reply) =>
    sendOpen311Problem(reply, request, {
      type: problemType('not-found'),
      title: 'Không tìm thấy',
      status: 404,
      detail: `Không có tài nguyên Open311 ${request.method} ${request.url.split('?')[0]}.`,
      requestId: request.id,
    }),
  );

  /** A body as the format asks: JSON as it is, XML under `root` (a list's items as `item`). */
  const send = (reply: FastifyReply, format: Open311Format, body: unknown, root: string, item?: string) =>
    reply
      .type(contentTypes[format])
      .serializer((x: string) => x)
      .send((format === 'xml' ? toXml(root, body, item) : JSON.stringify(body)) as never);

  app.get(
    '/discovery.:format',
    {
      schema: {
        operationId: 'open311Discovery',
        summary: 'Open311 service discovery',
        tags,
        params: formatParams,
        response: { 200: discoverySchema, ...errors },
      },
    },
    async (req, reply) => {
      const base = `${req.protocol}://${req.host}/open311/v2`;
      return send(reply, req.params.format, open311.discovery(base, await open311.changeset()), 'discovery');
    },
  );

  app.get(
    '/services.:format',
    {
      schema: {
        operationId: 'open311Services',
        summary: 'Open311 services: the categories a report may be filed under',
        tags,
        params: formatParams,
        querystring: jurisdictionQuery,
        response: { 200: z.array(serviceSchema), ...errors },
      },
    },
    async (req, reply) =>
      send(
        reply,
        req.params.format,
        await open311.services(req.query.jurisdiction_id),
        'services',
        'service',
      ),
  );

  app.get(
    '/services/:service_code.:format',
    {
      schema: {
        operationId: 'open311ServiceDefinition',
        summary: 'Open311 service definition: the attributes a request of this service takes',
        tags,
        params: serviceParams,
        querystring: jurisdictionQuery,
        response: { 200: serviceDefinitionSchema, ...errors },
      },
    },
    async (req, reply) =>
      send(
        reply,
        req.params.format,
        await open311.definition(req.params.service_code, req.query.jurisdiction_id),
        'service_definition',
      ),
  );

  app.post(
    '/requests.:format',
    {
      config: {
        // Per API key rather than per address: an app posts for all its users from a few servers.
        rateLimit: {
          max: postsPerMinute,
          timeWindow: '1 minute',
          hook: 'preHandler',
          keyGenerator: (req: FastifyRequest) => {
            const key = (req.body as { api_key?: unknown } | undefined)?.api_key;
            return typeof key === 'string'
              ? `o311-key:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`
              : `o311-ip:${req.ip}`;
          },
        },
      },
      schema: {
        operationId: 'open311CreateRequest',
        summary: 'Open311: file a report (form fields as the spec says, or JSON)',
        description:
          "Needs `api_key` (an API client of /api/v1/api-clients; its channel becomes the case's) — checked first: without a valid one the answer is 403 whatever else the request holds —, `jurisdiction_id` (the ward code, any letter case), `service_code` (any letter case), `phone` or `email` (at least one: how the ward office reaches the reporter; status SMS go to the phone only), `description`, and a location: `lat`+`long`, `address_string` or `address_id`. `attribute[title|urgency|residential_group|confidential]` as the service definition says. `service_request_id` is the case code.",
        tags,
        params: formatParams,
        headers: idempotencyHeaders,
        body: postRequestBody,
        // 409: a deactivated ward or category, or a category whose default department is deactivated.
        response: { 200: postResponseSchema, ...errors, 409: open311ErrorsSchema },
      },
      // The key before any validation: without a valid one the answer is 403, whatever the body.
      preValidation: async (req) => {
        const body = req.body as { api_key?: unknown } | null | undefined;
        keyed.set(req, await open311.clientOf(typeof body === 'object' ? body?.api_key : undefined));
      },
    },
    async (req, reply) => {
      const client = keyed.get(req);
      if (!client) throw forbidden('Cần api_key của ứng dụng.');
      return send(
        reply,
        req.params.format,
        await open311.post(client, req.body, req.headers['idempotency-key']),
        'service_requests',
        'request',
      );
    },
  );

  app.get(
    '/requests.:format',
    {
      schema: {
        operationId: 'open311Requests',
        summary: 'Open311: service requests, newest first (at most 90 days; public, without personal data)',
        tags,
        params: formatParams,
        querystring: requestsQuery,
        response: { 200: z.array(serviceRequestSchema), ...errors },
      },
    },
    async (req, reply) =>
      send(reply, req.params.format, await open311.list(req.query), 'service_requests', 'request'),
  );

  app.get(
    '/requests/:service_request_id.:format',
    {
      schema: {
        operationId: 'open311Request',
        summary: 'Open311: one service request by its id (the case code)',
        tags,
        params: requestParams,
        response: { 200: z.array(serviceRequestSchema), ...errors },
      },
    },
    async (req, reply) =>
      send(
        reply,
        req.params.format,
        await open311.get(req.params.service_request_id),
        'service_requests',
        'request',
      ),
  );
};
