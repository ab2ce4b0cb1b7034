import type { FastifyInstance } from 'fastify';
import type { ConsoleDeps } from '../../context.ts';
import { boardDigestPages } from '../board-digests.ts';
import { auditPages } from './audit.ts';
import { calendarPages } from './calendar.ts';
import { escalationPolicyPages } from './escalation-policy.ts';
import { webhookPages } from './webhooks.ts';

/**
 * Administration, part 2 — how the wards run rather than who is in them: working calendars,
 * escalation ladders, webhooks and the audit trail (admins; the trail also a chairman's own ward), and
 * the chairman's digests sent, under the board. Registered by the console plugin in one line.
 */
export async function adminOperationsPages(app: FastifyInstance, deps: ConsoleDeps) {
  await app.register(calendarPages, deps);
  await app.register(escalationPolicyPages, deps);
  await app.register(webhookPages, deps);
  await app.register(auditPages, deps);
  await app.register(boardDigestPages, deps);
}
