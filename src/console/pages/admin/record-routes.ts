import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { StaffActor } from '../../../modules/audit/audit-actor.ts';
import { AppError } from '../../../shared/errors.ts';
import { type Fields, type Problems, serviceProblems } from '../../fields.ts';
import type { SafeHtml } from '../../html.ts';
import { notice } from '../../layout.ts';
import { vi } from '../../vi.ts';
import { fieldsOf, idOf, ifMatchOf } from './common.ts';
import { adminOnly, staffActor } from './guards.ts';

const t = vi.adminDirectory;

/** What a record page shows besides the record: its status code, a notice, the form as sent. */
export type Shown = {
  status?: number;
  notice?: SafeHtml | string;
  values?: Fields;
  problems?: Problems;
};

/** A page's renderer of one record (by its path's id), with what it shows besides the record. */
export type RecordPage = (
  req: FastifyRequest,
  reply: FastifyReply,
  id: string,
  shown: Shown,
) => Promise<unknown>;

/**
 * The form of a new record: what was typed (`values`), what is wrong with it, the status it is sent
 * with and what it says above it (`top`: a notice, on a refusal).
 */
export type CreateForm = (
  req: FastifyRequest,
  reply: FastifyReply,
  values: Fields,
  problems: Problems,
  status: number,
  top?: SafeHtml | string,
) => Promise<unknown>;

/**
 * A service's refusal on a record page: a stale version (412) shows the record as it is now with the
 * notice; a 400 naming fields shows them beside the fields; a 409 (the last admin, a duplicate…) says
 * why. Anything else is the error pages' (404, 403, 5xx).
 */
export async function refusal(
  err: unknown,
  req: FastifyRequest,
  reply: FastifyReply,
  id: string,
  render: RecordPage,
  sent: Fields | undefined,
  nameOf?: (path: string) => string,
) {
  if (!(err instanceof AppError)) throw err;
  if (err.statusCode === 412)
    return render(req, reply, id, { status: 412, notice: notice('error', t.stale, true) });
  const problems = serviceProblems(err, nameOf);
  if (problems) return render(req, reply, id, withProblems(problems, sent));
  if (err.statusCode === 400 || err.statusCode === 409)
    return render(req, reply, id, {
      status: err.statusCode,
      notice: notice('error', err.message, true),
      ...(sent ? { values: sent } : {}),
    });
  throw err;
}

/** What a form shown again with its mistakes says above it. */
export const fixNotice = () => notice('error', t.fix, true);

/** A record page shown again with the form's mistakes beside its fields (400), and what was sent. */
export const withProblems = (problems: Problems, values?: Fields): Shown => ({
  status: 400,
  notice: fixNotice(),
  ...(values ? { values } : {}),
  problems,
});

/** A record's page (`base/:id`, `base` like `/admin/wards`), as it is now. */
export function recordPageRoute(app: FastifyInstance, base: string, render: RecordPage) {
  app.get(`${base}/:id`, async (req, reply) => {
    adminOnly(req);
    return render(req, reply, idOf(req), {});
  });
}

/**
 * A change to a record (the service's own, with the version the form carried as `If-Match`), then
 * back to its page saying what was `done` (Post/Redirect/Get); a refusal shows the page again as
 * `refusal` says, with what was `sent`.
 */
export async function applyChange(
  req: FastifyRequest,
  reply: FastifyReply,
  page: { base: string; id: string; render: RecordPage; sent?: Fields; nameOf?: (path: string) => string },
  done: 'saved' | 'deactivated' | 'reactivated',
  change: () => Promise<unknown>,
) {
  try {
    await change();
  } catch (err) {
    return refusal(err, req, reply, page.id, page.render, page.sent, page.nameOf);
  }
  return reply.redirect(`/console${page.base}/${page.id}?done=${done}`, 303);
}

/**
 * The deactivate and reactivate routes of a record: the service's own lifecycle with `If-Match` from
 * the form; then back to the record.
 */
export function lifecycleRoutes(
  app: FastifyInstance,
  base: string,
  setActive: (actor: StaffActor, id: string, ifMatch: string, active: boolean) => Promise<unknown>,
  render: RecordPage,
) {
  for (const [action, active] of [
    ['deactivate', false],
    ['reactivate', true],
  ] as const)
    app.post(`${base}/:id/${action}`, async (req, reply) => {
      adminOnly(req);
      const id = idOf(req);
      const f = fieldsOf(req);
      return applyChange(req, reply, { base, id, render }, `${action}d`, () =>
        setActive(staffActor(req), id, ifMatchOf(f), active),
      );
    });
}
