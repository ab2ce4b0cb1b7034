import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { OutboxTable } from './ledger.ts';

/**
 * Re-enqueues pending outbox rows whose job is missing from Redis: the producer could not enqueue
 * after commit, Redis restarted empty, or a job failed without settling its row (Postgres away).
 * Rows younger than `graceMs` are left to their producer. A job that exists in any state (waiting,
 * active, delayed for its backoff) is left alone, and job ids are deterministic, so a sweep never
 * doubles a live job. This relies on the consumer removing finished jobs (consumer.ts): a kept
 * finished job would make BullMQ ignore the re-add. Returns how many rows were re-enqueued.
 */
export async function sweepLostOutbox(deps: {
  db: Db;
  redis: Redis;
  table: OutboxTable;
  queue: Pick<Queue, 'toKey'>;
  jobId: (id: string) => string;
  enqueue: (ids: string[]) => Promise<unknown>;
  graceMs: number;
  batchSize?: number;
}): Promise<number> {
  const { db, redis, queue } = deps;
  const table = deps.table as 'webhook_deliveries';
  const batchSize = deps.batchSize ?? 500;
  let after: { key: string; id: string } | undefined;
  let requeued = 0;
  for (;;) {
    let q = db
      .selectFrom(table)
      .select(['id', sql<string>`created_at::text`.as('key')])
      .where('status', '=', 'pending')
      .where('created_at', '<', sql<Date>`now() - make_interval(secs => ${deps.graceMs / 1000})`)
      .orderBy('created_at')
      .orderBy('id')
      .limit(batchSize);
    if (after) q = q.where(sql<boolean>`(created_at, id) > (${after.key}::timestamptz, ${after.id}::uuid)`);
    const rows = await q.execute();
    if (rows.length === 0) break;

    const pipeline = redis.pipeline();
    for (const r of rows) pipeline.exists(queue.toKey(deps.jobId(r.id)));
    const exists = (await pipeline.exec()) ?? [];
    const missing = rows.filter((_, i) => {
      const [err, n] = exists[i] ?? [null, 1];
      return !err && n === 0;
    });
    if (missing.length > 0) await deps.enqueue(missing.map((r) => r.id));
    requeued += missing.length;

    if (rows.length < batchSize) break;
    const last = rows.at(-1);
    if (last) after = { key: last.key, id: last.id };
  }
  return requeued;
}
