import type { Logger } from 'pino';
import type { Db } from '../../db/database.ts';
import type { Queues } from '../../shared/queues.ts';
import { vietnamTimeZone } from '../../shared/vietnam-day.ts';
import { enqueueDeliveries } from '../notifications/delivery-queue.ts';
import { notifyRoles } from '../notifications/notification-repository.ts';
import { recordWebhookEvent } from '../notifications/webhook-outbox.ts';
import { decideEscalation, type SkipReason } from './escalation-decision.ts';
import { escalationMessage } from './escalation-messages.ts';
import {
  defaultEscalationPolicy,
  type EscalationPolicy,
  escalationPolicySchema,
} from './escalation-policy.ts';
import { insertEscalation, lockCaseOfTimer, lockTimer, settleTimer } from './escalation-repository.ts';

type EscalationOutcome =
  | { kind: 'fired'; escalationId: string; caseId: string; step: string; notified: number; lagMs: number }
  | { kind: 'skipped'; reason: SkipReason | 'already_escalated' | 'missing' }
  | { kind: 'early'; inMs: number };

export type EscalationJob = ReturnType<typeof createEscalationJob>;

/**
 * Fires one timer (design.md §5, step 3). In one transaction: share-lock the case, lock the timer,
 * decide from their present state whether the step still applies, and if so insert the escalation —
 * whose unique key makes a second run insert nothing — with its in-app notifications and webhook
 * deliveries, and mark the timer fired. A timer that no longer applies is cancelled. Running it twice,
 * or concurrently on two workers, has the effect of running it once.
 */
export function createEscalationJob(deps: { db: Db; queues: Pick<Queues, 'deliveries'>; log: Logger }) {
  const { db, log } = deps;
  const fallbackPolicy = defaultEscalationPolicy();

  /** The ward's stored ladder, or the default one when it has none (or it cannot be read). */
  function policyOf(stored: unknown, wardId: string): EscalationPolicy {
    if (stored === null || stored === undefined) return fallbackPolicy;
    const parsed = escalationPolicySchema.safeParse(stored);
    if (parsed.success) return parsed.data;
    log.warn(
      { wardId, issues: parsed.error.issues.length },
      'ward escalation policy unreadable; using the default',
    );
    return fallbackPolicy;
  }

  async function run(timerId: string): Promise<EscalationOutcome> {
    const deliveries: string[] = [];
    const outcome = await db.transaction().execute(async (trx): Promise<EscalationOutcome> => {
      const kase = await lockCaseOfTimer(trx, timerId);
      const timer = kase && (await lockTimer(trx, timerId));
      if (!kase || !timer) return { kind: 'skipped', reason: 'missing' };

      const policy = policyOf(kase.policy, kase.ward_id);
      const decision = decideEscalation(
        { step: timer.step, generation: timer.generation, status: timer.status, dueAt: timer.due_at },
        { status: kase.status, slaGeneration: kase.sla_generation },
        policy,
        timer.db_now,
      );
      if (!decision.fire) {
        if (decision.reason === 'early') return { kind: 'early', inMs: decision.inMs };
        if (decision.reason !== 'not_pending') await settleTimer(trx, timer.id, 'cancelled');
        return { kind: 'skipped', reason: decision.reason };
      }

      const escalation = await insertEscalation(trx, {
        caseId: kase.id,
        step: timer.step,
        generation: timer.generation,
        dueAt: timer.due_at,
      });
      if (!escalation) {
        // Fired before under this key (the timer row was re-armed); the first firing stands.
        await settleTimer(trx, timer.id, 'fired');
        return { kind: 'skipped', reason: 'already_escalated' };
      }

      const { step } = decision;
      const deadline = step.anchor === 'acceptDueAt' ? kase.accept_due_at : kase.due_at;
      const message = escalationMessage({
        step,
        caseCode: kase.code,
        departmentName: kase.department_name,
        deadline,
        timezone: vietnamTimeZone,
      });
      const notified = await notifyRoles(trx, kase, step.notify, {
        escalationId: escalation.id,
        step: step.key,
        ...message,
      });
      deliveries.push(
        ...(await recordWebhookEvent(trx, 'case.escalated', `escalation:${escalation.id}`, {
          escalationId: escalation.id,
          caseId: kase.id,
          caseCode: kase.code,
          wardCode: kase.ward_code,
          departmentId: kase.department_id,
          status: kase.status,
          step: step.key,
          generation: timer.generation,
          dueAt: timer.due_at.toISOString(),
          firedAt: escalation.fired_at.toISOString(),
          deadline: deadline?.toISOString() ?? null,
          notify: step.notify,
          title: message.title,
        })),
      );
      await settleTimer(trx, timer.id, 'fired');
      return {
        kind: 'fired',
        escalationId: escalation.id,
        caseId: kase.id,
        step: step.key,
        notified,
        lagMs: escalation.fired_at.getTime() - timer.due_at.getTime(),
      };
    });

    // After commit. Deliveries that cannot be enqueued now stay pending in Postgres for the
    // deliveries sweep; the escalation itself is already safe.
    if (deliveries.length > 0)
      await enqueueDeliveries(deps.queues, deliveries).catch((err: unknown) =>
        log.warn({ err, timerId, deliveries: deliveries.length }, 'could not enqueue webhook deliveries'),
      );
    return outcome;
  }

  return { run };
}
