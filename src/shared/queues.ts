import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';

/**
 * Every queue the system uses, with its job payload. Producers and workers both take names and
 * payload types from here; workers re-validate payloads with these schemas.
 */
export const queueRegistry = {
  escalations: z.object({ timerId: z.string() }),
  deliveries: z.object({ deliveryId: z.string() }),
  /** The status messages' dispatcher tick (a job scheduler entry): due messages are read from Postgres. */
  messages: z.object({}),
  /** The chairman's digest tick (a job scheduler entry): wards whose digest is due are read from Postgres. */
  digests: z.object({}),
  emails: z.object({ emailId: z.string() }),
  /** The tick of the warning that next year's days off are still provisional (a job scheduler entry). */
  calendar: z.object({}),
  /** The installation campaigns' tick (a job scheduler entry): chases and row deletion read from Postgres. */
  campaigns: z.object({}),
  /** The escalation scheduler's tick (a BullMQ job scheduler entry); it carries no data. */
  sweeps: z.object({}),
} as const;

/**
 * Job ids of the queues whose jobs each stand for one row: derived from the row, so handing the same
 * row over twice (a retried producer, a sweep after a lost job) adds one job. Producers and sweeps
 * both build them here.
 */
export const escalationJobId = (timerId: string) => `t-${timerId}`;
export const deliveryJobId = (deliveryId: string) => `d-${deliveryId}`;
export const emailJobId = (emailId: string) => `e-${emailId}`;

/** What every queue consumer of a worker process needs: the connection, the key prefix, its name, a logger. */
export type ConsumerBase = {
  connection: Redis;
  prefix: string;
  /** Shown as the consumer's name on the queue dashboard. */
  workerId?: string | undefined;
  log: Logger;
};

type QueueName = keyof typeof queueRegistry;
export type QueuePayload<N extends QueueName> = z.infer<(typeof queueRegistry)[N]>;
export type Queues = { [N in QueueName]: Queue<QueuePayload<N>> };

export function createQueues(connection: Redis, prefix: string): Queues {
  const make = <N extends QueueName>(name: N) => {
    const queue = new Queue<QueuePayload<N>>(name, { connection, prefix });
    // Connection failures are retried by ioredis and reported by /ready; unheard, they would be
    // printed as raw stack traces outside the logger.
    queue.on('error', () => {});
    return queue;
  };
  return Object.fromEntries(
    (Object.keys(queueRegistry) as QueueName[]).map((name) => [name, make(name)]),
  ) as Queues;
}

export const closeQueues = (queues: Queues) => Promise.all(Object.values(queues).map((q) => q.close()));
