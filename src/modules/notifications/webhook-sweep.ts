import type { Redis } from 'ioredis';
import type { Db } from '../../db/database.ts';
import { sweepLostOutbox } from '../../shared/outbox/sweep.ts';
import { deliveryJobId, type Queues } from '../../shared/queues.ts';
import { enqueueDeliveries } from './delivery-queue.ts';

/** Re-enqueues pending webhook deliveries whose job Redis lost (shared/outbox/sweep.ts). */
export const sweepLostDeliveries = (deps: {
  db: Db;
  queues: Pick<Queues, 'deliveries'>;
  redis: Redis;
  graceMs: number;
}) =>
  sweepLostOutbox({
    ...deps,
    table: 'webhook_deliveries',
    queue: deps.queues.deliveries,
    jobId: deliveryJobId,
    enqueue: (ids) => enqueueDeliveries(deps.queues, ids),
  });
