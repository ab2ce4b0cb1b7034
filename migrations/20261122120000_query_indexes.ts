import { type Kysely, sql } from 'kysely';

// What the hot case lists need beyond the first migrations' indexes (bench/README.md,
// "bench/queries"). Migrations import nothing from src/.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A department belongs to one ward, so department_id decides ward_id. Without this the planner
    -- multiplies the two selectivities of a department's scope (department_id = … AND ward_id = …),
    -- expects a few dozen of the department's thousands of cases, and reads and sorts all of them
    -- (a department head's open cases: 50–550 ms on a million cases).
    CREATE STATISTICS cases_department_ward_stats (dependencies) ON department_id, ward_id FROM cases;

    -- The cases still in someone's hands, newest first per ward: what intake's overdue list and a
    -- department's open cases walk (a few per cent of a ward's history, which only grows).
    CREATE INDEX cases_ward_open_idx ON cases (ward_id, id DESC)
      WHERE status IN ('received', 'assigned', 'in_progress', 'awaiting_info');

    -- Extended statistics are filled by ANALYZE: now, rather than at autovacuum's next visit.
    ANALYZE cases;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX IF EXISTS cases_ward_open_idx;
    DROP STATISTICS IF EXISTS cases_department_ward_stats;
  `.execute(db);
}
