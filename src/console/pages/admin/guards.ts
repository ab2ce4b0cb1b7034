import type { FastifyRequest } from 'fastify';
import type { StaffActor } from '../../../modules/audit/audit-actor.ts';
import { forbidden } from '../../../shared/errors.ts';
import { sessionOf } from '../../context.ts';

/**
 * Who may open the administration pages. The API gates these routes by role (`config.access`) before
 * its services run, so the console gates them the same way: admins only; the audit trail and the
 * digests also their ward's chairman (the service then keeps them to that ward).
 */
export function adminOnly(req: FastifyRequest) {
  const s = sessionOf(req);
  if (s.principal.role !== 'admin') throw forbidden();
  return s;
}

export function adminOrChairman(req: FastifyRequest) {
  const s = sessionOf(req);
  if (s.principal.role !== 'admin' && s.principal.role !== 'chairman') throw forbidden();
  return s;
}

/** The caller making a change, with the address the request came from (the audit trail's actor). */
export const staffActor = (req: FastifyRequest): StaffActor => ({
  ...sessionOf(req).principal,
  address: req.ip,
});
