import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's security headers, computed once. With no Content-Security-Policy they do not depend on the
 * request, so running helmet on every request (as @fastify/helmet does: it builds the middleware
 * anew per request, in two hooks) only repeats the same work; see bench/HISTORY.md, bench/intake.
 */
function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, () => {});
  return headers;
}

/**
 * The API's headers. Swagger UI at /docs needs inline scripts and styles; the API serves JSON only.
 * No response may be stored by a cache (a browser's, a proxy's): authenticated responses and exports
 * carry reporters' names and phone numbers, the reporter's own tracking view too.
 */
export const apiSecurityHeaders = {
  ...securityHeaders({ contentSecurityPolicy: false }),
  'cache-control': 'no-store',
};

/**
 * Every response, errors included, carries helmet's security headers and `x-request-id`. One
 * synchronous hook: it runs on every request. (Errors raised before routing get them from
 * frameworkErrorHandler.)
 */
export const responseHeaders = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', (request, reply, done) => {
      reply.headers(apiSecurityHeaders).header('x-request-id', request.id);
      done();
    });
  },
  { name: 'pakn-response-headers' },
);
