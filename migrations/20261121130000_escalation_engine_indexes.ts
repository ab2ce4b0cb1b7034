import { type Kysely, sql } from 'kysely';

// Indexes for the escalation engine (design.md §5). Migrations import nothing from src/.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The scheduler's hot query: pending timers not yet handed to the queue, by due time. The existing
    -- case_timers_pending_due_idx also holds the enqueued ones, which the scheduler would walk past.
    CREATE INDEX case_timers_unenqueued_due_idx ON case_timers (due_at)
      WHERE status = 'pending' AND enqueued_at IS NULL;
    -- Escalation lag over the last minutes (/metrics) reads escalations by firing time.
    CREATE INDEX escalations_fired_at_idx ON escalations (fired_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX IF EXISTS escalations_fired_at_idx;
    DROP INDEX IF EXISTS case_timers_unenqueued_due_idx;
  `.execute(db);
}
