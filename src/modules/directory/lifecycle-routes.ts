import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { idParams, problems } from '../../shared/http.ts';
import { ifMatchHeaders } from '../../shared/versions.ts';
import { actorOf, type StaffActor } from '../audit/audit-actor.ts';
import { userOf } from '../auth/auth-plugin.ts';
import type { Access, UserPrincipal } from '../auth/principal.ts';

type App = Parameters<FastifyPluginAsyncZod>[0];
type Versioned = { version: number };

/**
 * The four operations every directory object has besides create and list: read one, change some of
 * its fields, deactivate and reactivate it — each answering the object with its version as the ETag
 * and taking `If-Match` (412 when stale). Only admins change; `read` says who else may read.
 */
export function lifecycleRoutes<S extends z.ZodType<Versioned>, P extends z.ZodType>(
  app: App,
  o: {
    /** The collection's path, e.g. `/api/v1/wards`. */
    path: string;
    /** For operation ids: `Ward` → getWard, updateWard, deactivateWard, reactivateWard. */
    noun: string;
    /** What it is, in the summaries: `a ward`. */
    label: string;
    schema: S;
    patchBody: P;
    read: Access;
    patchDescription: string;
    deactivateDescription: string;
    get: (caller: UserPrincipal, id: string) => Promise<z.output<S>>;
    /** The changes, each recorded in the audit trail as made by `actor`. */
    update: (
      actor: StaffActor,
      id: string,
      ifMatch: string | undefined,
      body: z.output<P>,
    ) => Promise<z.output<S>>;
    setActive: (
      actor: StaffActor,
      id: string,
      ifMatch: string | undefined,
      active: boolean,
    ) => Promise<z.output<S>>;
  },
): void {
  const tags = ['directory'];
  const admin = { access: { roles: ['admin'] as const } };
  const etag = (view: Versioned) => `"${view.version}"`;
  const path = `${o.path}/:id`;
  // Widened here: the handlers' replies are checked against the services' return types instead.
  const schema: z.ZodType = o.schema;

  app.get(
    path,
    {
      config: { access: o.read },
      schema: {
        operationId: `get${o.noun}`,
        summary: `Read ${o.label}`,
        tags,
        params: idParams,
        response: { 200: schema, ...problems(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const view = await o.get(userOf(req), req.params.id);
      return reply.header('etag', etag(view)).send(view);
    },
  );

  app.patch(
    path,
    {
      config: admin,
      schema: {
        operationId: `update${o.noun}`,
        summary: `Change ${o.label}`,
        description: `${o.patchDescription} Send \`If-Match: "<version>"\` to change only the version you saw (412 otherwise).`,
        tags,
        params: idParams,
        headers: ifMatchHeaders,
        body: o.patchBody,
        response: { 200: schema, ...problems(400, 401, 403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      const view = await o.update(
        actorOf(req),
        req.params.id,
        req.headers['if-match'],
        req.body as z.output<P>,
      );
      return reply.header('etag', etag(view)).send(view);
    },
  );

  for (const [action, active] of [
    ['deactivate', false],
    ['reactivate', true],
  ] as const) {
    app.post(
      `${path}/${action}`,
      {
        config: admin,
        schema: {
          operationId: `${action}${o.noun}`,
          summary: `${action === 'deactivate' ? 'Deactivate' : 'Reactivate'} ${o.label}`,
          description: `${active ? 'Active again, as before it was deactivated.' : o.deactivateDescription} Nothing is deleted. Send \`If-Match: "<version>"\` to act only on the version you saw (412 otherwise).`,
          tags,
          params: idParams,
          headers: ifMatchHeaders,
          response: { 200: schema, ...problems(400, 401, 403, 404, 409, 412) },
        },
      },
      async (req, reply) => {
        const view = await o.setActive(actorOf(req), req.params.id, req.headers['if-match'], active);
        return reply.header('etag', etag(view)).send(view);
      },
    );
  }
}
