import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Container } from '../container.ts';
import { AppError, forbidden } from '../shared/errors.ts';
import { html } from './html.ts';
import { page } from './layout.ts';
import { csrfRefusedType } from './multipart-form.ts';
import { adminDirectoryPages } from './pages/admin/index.ts';
import { adminOperationsPages } from './pages/admin/operations.ts';
import { authPages } from './pages/auth.ts';
import { boardPages } from './pages/board.ts';
import { campaignPages } from './pages/campaigns.ts';
import { casePages } from './pages/cases.ts';
import { inboxPages } from './pages/inbox.ts';
import { intakePages } from './pages/intake.ts';
import { queuePages } from './pages/queue.ts';
import { templatePages } from './pages/templates.ts';
import { type ConsoleSession, createConsoleSessions, sameToken } from './session.ts';
import { vi } from './vi.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The console's signed-in staff member (console routes only; null on its public pages). */
    consoleSession: ConsoleSession | null;
  }
  interface FastifyContextConfig {
    /** A console page open without sign-in (the sign-in page itself). */
    consolePublic?: boolean;
    /**
     * A console form sent as multipart/form-data (a file with it): its `_csrf` field is not parsed
     * before the handler, which must check it with `readConsoleForm` (multipart-form.ts) before it
     * reads any file — so nothing is stored unless the token matches. An htmx request's header is
     * checked here as for every other route.
     */
    consoleMultipart?: boolean;
    /**
     * A page a campaign unit's submitter (`unit_submitter`) may open: the campaign pages, their
     * notifications, sign-out. Every other console page refuses them (403), as the API's role gates
     * (`staffRoles`) do before any service runs.
     */
    consoleSubmitter?: boolean;
  }
}

/** The console's own policy: its scripts and styles from itself only, never framed. */
const contentSecurityPolicy =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'";

const unsafe = (method: string) => method !== 'GET' && method !== 'HEAD';

/**
 * The staff console (console.md), under /console: server-rendered pages on the API's own services —
 * the same role gates, case scope, personal-data rules and state machine — enhanced with htmx.
 * Signed in by cookie (session.ts); every unsafe request carries the session's anti-forgery token and
 * comes from this origin.
 */
export async function consolePlugin(app: FastifyInstance, opts: { container: Container }) {
  const sessions = createConsoleSessions(opts.container.auth);
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(fastifyStatic, {
    root: fileURLToPath(new URL('./public/', import.meta.url)),
    prefix: '/static/',
    maxAge: '1h',
  });
  await app.register(fastifyStatic, {
    root: fileURLToPath(new URL('../../node_modules/htmx.org/dist/', import.meta.url)),
    prefix: '/static/htmx/',
    decorateReply: false,
    allowedPath: (path) => path === '/htmx.min.js',
    maxAge: '1d',
  });

  // Pages, not the API: not in openapi.json.
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });
  app.decorateRequest('consoleSession', null);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('content-security-policy', contentSecurityPolicy);
    // Not helmet's `no-referrer`: under it browsers send `Origin: null` with a plain form's POST (Fetch,
    // "append a request Origin header"), which fromThisOrigin refuses, so no form without htmx (sign-in,
    // sign-out) could be sent. `same-origin` sends the origin to the console itself, nothing elsewhere.
    reply.header('referrer-policy', 'same-origin');
    // Static files may be cached by the browser (they carry no personal data); pages may not.
    if (req.url.startsWith('/console/static/')) reply.removeHeader('cache-control');
  });
  app.addHook('preHandler', async (req, reply) => {
    if (req.url.startsWith('/console/static/')) return;
    req.consoleSession = await sessions.read(req);
    if (unsafe(req.method) && !fromThisOrigin(req)) return refuse(reply);
    if (req.routeOptions.config.consolePublic) return;
    if (!req.consoleSession) return toSignIn(req, reply);
    if (req.consoleSession.principal.role === 'unit_submitter' && !req.routeOptions.config.consoleSubmitter)
      throw forbidden();
    if (unsafe(req.method)) {
      const sent = req.headers['x-csrf-token'] ?? (req.body as { _csrf?: string } | undefined)?._csrf;
      if (!sameToken(typeof sent === 'string' ? sent : undefined, req.consoleSession.csrf)) {
        // A multipart form's token is among its parts, read by the route itself (see consoleMultipart).
        const deferred =
          req.routeOptions.config.consoleMultipart === true &&
          sent === undefined &&
          req.isMultipart?.() === true;
        if (!deferred) return refuse(reply);
      }
    } else if (!req.headers['hx-request']) {
      sessions.renew(reply, req.consoleSession);
    }
  });

  app.setErrorHandler(async (error: Error, req, reply) => {
    const status =
      error instanceof AppError ? error.statusCode : ((error as { statusCode?: number }).statusCode ?? 500);
    if (status >= 500) req.log.error({ err: error }, 'console request failed');
    if (status === 401) return toSignIn(req, reply);
    if (error instanceof AppError && error.type === csrfRefusedType) return refuse(reply);
    const kind = status === 404 ? 'notFound' : status === 403 ? 'forbidden' : status >= 500 ? 'server' : null;
    if (kind === null) {
      // A 4xx of a service (400, 409, 412…): its Vietnamese detail, on the page that sent the request.
      return errorPage(req, reply, status, vi.errors.refusedTitle, error.message);
    }
    const pages: Record<typeof kind, [string, string]> = {
      notFound: [vi.errors.notFoundTitle, vi.errors.notFound],
      forbidden: [vi.errors.forbiddenTitle, vi.errors.forbidden],
      server: [vi.errors.serverTitle, vi.errors.server],
    };
    const [title, text] = pages[kind];
    return errorPage(req, reply, Math.min(status, 500), title, text);
  });
  app.setNotFoundHandler(async (req, reply) =>
    errorPage(req, reply, 404, vi.errors.notFoundTitle, vi.errors.notFound),
  );

  const deps = { container: opts.container, sessions };
  await app.register(authPages, deps);
  await app.register(inboxPages, deps);
  await app.register(casePages, deps);
  await app.register(intakePages, deps);
  await app.register(queuePages, deps);
  await app.register(boardPages, deps);
  await app.register(adminDirectoryPages, deps);
  await app.register(adminOperationsPages, deps);
  await app.register(templatePages, deps);
  await app.register(campaignPages, deps);
}

/** A request that changes something must come from the console's own pages (Fetch metadata, Origin). */
function fromThisOrigin(req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `${req.protocol}://${req.host}`) return false;
  return true;
}

function toSignIn(req: FastifyRequest, reply: FastifyReply) {
  const target = `/console/sign-in${req.method === 'GET' && !req.headers['hx-request'] ? `?next=${encodeURIComponent(req.url)}` : '?expired=1'}`;
  // htmx follows HX-Redirect with a full page load; a plain request follows the 303.
  if (req.headers['hx-request']) return reply.code(401).header('hx-redirect', target).send('');
  return reply.redirect(target, 303);
}

/** The page for a change that did not come from the console's own pages (anti-forgery). */
function refuse(reply: FastifyReply) {
  return reply
    .code(403)
    .type('text/html; charset=utf-8')
    .send(
      page(
        { title: vi.errors.csrfTitle, user: null, csrf: null },
        html`<h1>${vi.errors.csrfTitle}</h1><p role="alert">${vi.errors.csrf}</p><p><a href="/console">${vi.errors.back}</a></p>`,
      ).toString(),
    );
}

function errorPage(req: FastifyRequest, reply: FastifyReply, status: number, title: string, text: string) {
  const body = html`<h1>${title}</h1><p role="alert">${text}</p><p><a href="/console">${vi.errors.back}</a></p>`;
  reply.code(status).type('text/html; charset=utf-8');
  // An htmx request gets the message alone, swapped where the request's result would have gone.
  if (req.headers['hx-request'])
    return reply.send(html`<div class="notice error" role="alert">${text}</div>`.toString());
  return reply.send(page({ title, user: null, csrf: null }, body).toString());
}
