import { type Kysely, sql } from 'kysely';

// What the console's pages read on every load, at a million cases (bench/README.md, "bench/console").
// Migrations import nothing from src/.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The unread count every page shows. Through notifications_user_idx it walked a user's whole
    -- history newest first to find the unread among the read (most are read), one scattered heap page
    -- per notification: 20-30 ms for a department head. Unread notifications are few.
    CREATE INDEX notifications_user_unread_idx ON notifications (user_id, id DESC) WHERE read_at IS NULL;

    -- The SLA report (the chairman's board): a ward's cases received in a period, with just the
    -- columns the report reads. Through cases_ward_id_idx it fetched the ward's whole history, one heap
    -- page a case (a ward's cases are spread over the table): 280-700 ms for Ngô Quyền's 24,500 cases
    -- for any period. The INCLUDE columns make it an index-only scan where the cases' pages are
    -- all-visible, which is the history (closed cases are not written again): a year is some
    -- hundred index pages instead of 14,000 heap pages.
    CREATE INDEX cases_ward_received_idx ON cases (ward_id, received_at)
      INCLUDE (status, channel, assigned_at, answered_at, due_at, accept_due_at, rating_score,
               department_id, category_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX IF EXISTS cases_ward_received_idx;
    DROP INDEX IF EXISTS notifications_user_unread_idx;
  `.execute(db);
}
