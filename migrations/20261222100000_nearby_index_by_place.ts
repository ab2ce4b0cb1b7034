import { type Kysely, sql } from 'kysely';

// The likely-duplicates index, ordered so that its tree groups cases by place (issue 19). A GiST
// index splits its pages by its first column whose values differ, then the next: with (ward,
// category, day received, point) the pages of one ward and category were split by the day received,
// so the nearest-first walk opened every page of the last 30 days that overlapped the box (114
// buffers for 20 candidates among 28,000 cases of a ward, bench/intake's database). With the point
// before the day received, a ward's and category's pages are split by place, and the walk opens the
// few pages around the point (24 buffers); the day received is still checked inside the index.
// Migrations import nothing from src/.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX cases_nearby_by_place_idx ON cases
      USING gist (ward_id, category_id, point(location_lng, location_lat), received_at)
      WHERE location_lat IS NOT NULL AND location_lng IS NOT NULL AND category_id IS NOT NULL
        AND status <> 'rejected';
    DROP INDEX cases_nearby_idx;
    ALTER INDEX cases_nearby_by_place_idx RENAME TO cases_nearby_idx;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX cases_nearby_by_day_idx ON cases
      USING gist (ward_id, category_id, received_at, point(location_lng, location_lat))
      WHERE location_lat IS NOT NULL AND location_lng IS NOT NULL AND category_id IS NOT NULL
        AND status <> 'rejected';
    DROP INDEX cases_nearby_idx;
    ALTER INDEX cases_nearby_by_day_idx RENAME TO cases_nearby_idx;
  `.execute(db);
}
