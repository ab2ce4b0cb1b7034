import type { Redis } from 'ioredis';
import type { Db } from '../../db/database.ts';
import { sweepLostOutbox } from '../../shared/outbox/sweep.ts';
import { emailJobId, type Queues } from '../../shared/queues.ts';

/** Hands committed e-mails to the `emails` queue; the job id makes a second hand-over a no-op. */
export async function enqueueEmails(queues: Pick<Queues, 'emails'>, emailIds: string[]): Promise<void> {
  if (emailIds.length === 0) return;
  await queues.emails.addBulk(
    emailIds.map((emailId) => ({ name: 'send', data: { emailId }, opts: { jobId: emailJobId(emailId) } })),
  );
}

/** Re-enqueues pending e-mails whose job Redis lost (shared/outbox/sweep.ts). */
export const sweepLostEmails = (deps: {
  db: Db;
  queues: Pick<Queues, 'emails'>;
  redis: Redis;
  graceMs: number;
}) =>
  sweepLostOutbox({
    ...deps,
    table: 'email_deliveries',
    queue: deps.queues.emails,
    jobId: emailJobId,
    enqueue: (ids) => enqueueEmails(deps.queues, ids),
  });
