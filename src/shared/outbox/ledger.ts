import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { SendResult } from '../post-once.ts';

/**
 * Outboxes whose rows are delivered one try at a time, with the tries counted in the row (design.md
 * §5, point 5): webhook deliveries, citizen messages and e-mails. They share these columns: status
 * (pending → delivered | failed), attempts, last_attempt_at, last_status_code, last_error, delivered_at.
 */
export type OutboxTable = 'webhook_deliveries' | 'citizen_messages' | 'email_deliveries';

export type DeliveryOutcome =
  | { kind: 'delivered'; attempts: number; statusCode: number }
  | { kind: 'retry'; attempts: number; inMs: number; error: string }
  | { kind: 'failed'; attempts: number; error: string }
  /** Tried too recently (the job came back early, e.g. re-enqueued by the sweep): wait `inMs`. */
  | { kind: 'wait'; inMs: number }
  | { kind: 'skipped'; reason: 'missing' | 'delivered' | 'failed' | 'raced' };

/** The wait after the n-th failed try (n ≥ 1): base, 2·base, 4·base, … at most six hours. */
export function backoffMs(baseMs: number, failedTries: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, failedTries - 1), 6 * 3_600_000);
}

export const isOutboxId = (s: string) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(s);

/** Milliseconds since the row's last try (null before the first), for a select list. */
export const sinceLastAttempt = (column: string): RawBuilder<number | null> =>
  sql<number | null>`(extract(epoch from now() - ${sql.ref(column)}) * 1000)::float8`;

/** What a runner read of a row before trying it. */
type OutboxRowState = {
  id: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_error: string | null;
  since_ms: number | null;
};

/**
 * The bookkeeping of tries. Postgres holds the truth: a try is counted in the row before it goes out
 * (so a crash mid-try still counts), `status` settles it, and the runner only schedules the next try
 * when told `retry`. Safe to run again at any time: a settled row is skipped, and two runners cannot
 * both claim the same try.
 */
export function createOutboxLedger(deps: {
  db: Db;
  table: OutboxTable;
  maxAttempts: number;
  backoffMs: number;
}) {
  const { db, maxAttempts } = deps;
  // The outboxes share the bookkeeping columns; one table's type stands for all.
  const table = deps.table as 'webhook_deliveries';

  const fail = async (id: string, error: string) => {
    await db
      .updateTable(table)
      .set({ status: 'failed', last_error: error })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  };

  return {
    /** Settles the row as failed without a try (e.g. its receiver is gone). */
    async give(row: Pick<OutboxRowState, 'id' | 'attempts'>, error: string): Promise<DeliveryOutcome> {
      await fail(row.id, error);
      return { kind: 'failed', attempts: row.attempts, error };
    },

    /**
     * What stops a try before it starts: a missing or settled row, no tries left, or a backoff not
     * yet over. `null`: go on and claim the try.
     */
    async precheck(row: OutboxRowState | undefined): Promise<DeliveryOutcome | null> {
      if (!row) return { kind: 'skipped', reason: 'missing' };
      if (row.status !== 'pending') return { kind: 'skipped', reason: row.status };
      if (row.attempts >= maxAttempts) return this.give(row, row.last_error ?? 'no more attempts');
      if (row.attempts > 0 && row.since_ms !== null) {
        const inMs = Math.ceil(backoffMs(deps.backoffMs, row.attempts) - row.since_ms);
        if (inMs > 50) return { kind: 'wait', inMs };
      }
      return null;
    },

    /**
     * Claims the next try: only the runner that moves `attempts` from the value it read may send.
     * `also` sets more columns with the claim (what is about to be sent). Returns the try's number,
     * or undefined when another runner got there first.
     */
    async claim(row: Pick<OutboxRowState, 'id' | 'attempts'>, also: Record<string, unknown> = {}) {
      const claimed = await db
        .updateTable(table)
        .set({ ...also, attempts: sql`attempts + 1`, last_attempt_at: sql`now()` })
        .where('id', '=', row.id)
        .where('status', '=', 'pending')
        .where('attempts', '=', row.attempts)
        .returning('attempts')
        .executeTakeFirst();
      return claimed?.attempts;
    },

    /** Records how try number `attempts` went and says what comes next. */
    async settle(id: string, attempts: number, result: SendResult): Promise<DeliveryOutcome> {
      if (result.ok) {
        await db
          .updateTable(table)
          .set({
            status: 'delivered',
            delivered_at: sql`now()`,
            last_status_code: result.statusCode,
            last_error: null,
          })
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .execute();
        return { kind: 'delivered', attempts, statusCode: result.statusCode };
      }
      const final = attempts >= maxAttempts || result.final === true;
      await db
        .updateTable(table)
        .set({
          status: final ? 'failed' : 'pending',
          last_status_code: result.statusCode,
          last_error: result.error,
        })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .execute();
      return final
        ? { kind: 'failed', attempts, error: result.error }
        : { kind: 'retry', attempts, inMs: backoffMs(deps.backoffMs, attempts), error: result.error };
    },
  };
}
