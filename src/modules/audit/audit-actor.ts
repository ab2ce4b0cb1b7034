import type { FastifyRequest } from 'fastify';
import { userOf } from '../auth/auth-plugin.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import type { AuditActor } from './audit-entry.ts';

/** A signed-in staff member making a change, with the address the request came from. */
export type StaffActor = UserPrincipal & { address: string | null };

/** The caller of a route that changes something: who they are and where the request came from. */
export const actorOf = (req: FastifyRequest): StaffActor => ({ ...userOf(req), address: req.ip });

/** A change made by the system itself (the seed), not by a signed-in user. */
export const systemActor = (name: string): AuditActor => ({ userId: null, username: name, address: null });
