import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { forbidden, unauthorized } from '../../shared/errors.ts';
import type { AuthService } from './auth-service.ts';
import { type Access, allows, type Principal, type UserPrincipal } from './principal.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; absent means public. */
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

async function authenticate(auth: AuthService, request: FastifyRequest): Promise<Principal> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const principal = m?.[1] ? auth.readToken(m[1]) : null;
    if (!principal) throw unauthorized('Token không hợp lệ hoặc đã hết hạn.');
    return principal;
  }
  const key = request.headers['x-api-key'];
  if (typeof key === 'string' && key.length > 0 && key.length <= 200) {
    const principal = await auth.resolveApiKey(key);
    if (!principal) throw unauthorized('API key không hợp lệ.');
    return principal;
  }
  throw unauthorized();
}

/** Authenticates and authorises every route that declares `config.access`. */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: { auth: AuthService }) => {
    app.decorateRequest('principal', null);
    app.addHook('onRoute', (route) => {
      if (!route.config?.access) return;
      route.schema ??= {};
      (route.schema as { security?: unknown }).security = [
        ...(route.config.access.roles?.length ? [{ bearerAuth: [] }] : []),
        ...(route.config.access.apiClient ? [{ apiKey: [] }] : []),
      ];
    });
    app.addHook('onRequest', async (request) => {
      const access = request.routeOptions.config.access;
      if (!access) return;
      const principal = await authenticate(opts.auth, request);
      if (!allows(access, principal)) throw forbidden();
      request.principal = principal;
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
