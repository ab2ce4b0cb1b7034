import { type Kysely, sql } from 'kysely';

// Indexes on cases that no statement can read (issue 19), written on every intake: no statement of
// the app filters or sorts cases by who created them or by the case they duplicate, and none deletes
// users or cases, so the foreign keys never look a case up by these columns either. What they cost
// intake was below what bench/intake can see (Postgres 2.20 -> 2.18 ms a case, within its noise;
// bench/README.md). cases_category_idx stays: the case list's and Open311's category filters may use it.
// Migrations import nothing from src/.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX cases_created_by_idx;
    DROP INDEX cases_duplicate_of_idx;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX cases_created_by_idx ON cases (created_by_user_id) WHERE created_by_user_id IS NOT NULL;
    CREATE INDEX cases_duplicate_of_idx ON cases (duplicate_of) WHERE duplicate_of IS NOT NULL;
  `.execute(db);
}
