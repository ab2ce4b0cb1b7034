import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Role } from '../../db/types.ts';
import { forbidden, unauthorized } from '../../shared/errors.ts';
import type { AuthService } from './auth-service.ts';
import { type Access, allows, type Principal, type UserPrincipal } from './principal.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; absent means public. */
    access?: Access;
  }
  interface FastifyInstance {
    /** The operations (operationId) a role may call, from the routes' `config.access` (GET /api/v1/me). */
    operationsFor(role: Role): string[];
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** The session of a bearer token (sessions.ts); null for API keys and public routes. */
    sessionId: string | null;
  }
}

/**
 * Who is calling. Synchronous for bearer tokens whose session this process checked lately and for
 * API keys already in the cache (nearly every request); a promise only when Postgres must be asked.
 */
function authenticate(auth: AuthService, request: FastifyRequest): Principal | Promise<Principal> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const token = m?.[1] ? auth.readToken(m[1]) : null;
    if (!token) throw unauthorized('Token không hợp lệ hoặc đã hết hạn.');
    request.sessionId = token.sessionId;
    const live = (ok: boolean) => {
      if (!ok) throw unauthorized('Phiên đăng nhập đã kết thúc; vui lòng đăng nhập lại.');
      return token.principal;
    };
    const known = auth.sessionLive(token.sessionId, token.principal.userId);
    return typeof known === 'boolean' ? live(known) : known.then(live);
  }
  const key = request.headers['x-api-key'];
  if (typeof key === 'string' && key.length > 0 && key.length <= 200) {
    const known = (principal: Principal | null) => {
      if (!principal) throw unauthorized('API key không hợp lệ.');
      return principal;
    };
    const cached = auth.cachedApiKey(key);
    return cached === undefined ? auth.resolveApiKey(key).then(known) : known(cached);
  }
  throw unauthorized();
}

/** Authenticates and authorises every route that declares `config.access`. */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: { auth: AuthService }) => {
    app.decorateRequest('principal', null);
    app.decorateRequest('sessionId', null);
    const operations = new Map<string, readonly Role[]>();
    app.decorate('operationsFor', (role: Role) =>
      [...operations].filter(([, roles]) => roles.includes(role)).map(([id]) => id),
    );
    app.addHook('onRoute', (route) => {
      if (!route.config?.access) return;
      const operationId = (route.schema as { operationId?: string } | undefined)?.operationId;
      if (operationId) operations.set(operationId, route.config.access.roles ?? []);
      route.schema ??= {};
      const { roles = [], apiClient = false } = route.config.access;
      const schema = route.schema as { security?: unknown; 'x-access'?: unknown };
      schema.security = [
        ...(roles.length ? [{ bearerAuth: [] }] : []),
        ...(apiClient ? [{ apiKey: [] }] : []),
      ];
      // Who may call the operation, in the OpenAPI document: the staff roles and whether channel
      // API clients may. Anyone else gets 403.
      schema['x-access'] = { roles: [...roles], apiClient };
    });
    // A callback hook, not an async one: it runs on every request and is synchronous on the hot path.
    app.addHook('onRequest', (request, _reply, done) => {
      const access = request.routeOptions.config.access;
      if (!access) return done();
      const admit = (principal: Principal) => {
        if (!allows(access, principal)) return done(forbidden());
        request.principal = principal;
        done();
      };
      let who: Principal | Promise<Principal>;
      try {
        who = authenticate(opts.auth, request);
      } catch (error) {
        return done(error as Error);
      }
      if (who instanceof Promise) who.then(admit, done);
      else admit(who);
    });
  },
  { name: 'pakn-auth' },
);

/** The caller on a route that declared `config.access` (the hook guarantees it is set). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

/** The staff user on a route open to staff roles only. */
export function userOf(request: FastifyRequest): UserPrincipal {
  const p = principalOf(request);
  if (p.kind !== 'user') throw forbidden();
  return p;
}
