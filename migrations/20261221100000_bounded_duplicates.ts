import { type Kysely, sql } from 'kysely';

// Intake's likely-duplicates lookup with a cost that does not grow with the cases around the point
// (issue 19). It read every case inside the box around the new case's point through
// cases_location_idx — all categories, all wards, all time — and then kept those of the ward and
// category of the last days: a burst of reports about one place (a flood, a fallen tree) made each
// new report slower than the last. Now it walks the nearest first, in an index whose other columns
// are the ward, the category and the day received, so the walk skips other wards', categories' and
// old cases inside the index, and stops at a fixed number of candidates; text similarity is computed
// for those only, and the most alike five are kept.
// Migrations import nothing from src/.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- btree_gist: equality and ranges on bigint and timestamptz inside a GiST index beside the point
    -- (a trusted extension of the standard contrib set, like pg_trgm and unaccent).
    CREATE EXTENSION IF NOT EXISTS btree_gist;

    -- Refused cases are left out of the index: a refused report is no candidate (a case is refused
    -- at most once, so the status change that drops it is rare).
    CREATE INDEX cases_nearby_idx ON cases
      USING gist (ward_id, category_id, received_at, point(location_lng, location_lat))
      WHERE location_lat IS NOT NULL AND location_lng IS NOT NULL AND category_id IS NOT NULL
        AND status <> 'rejected';
    DROP INDEX cases_location_idx;

    -- Of the 20 cases nearest to (lat, lng) within the box, of the same ward and category, received
    -- in the last days and not refused (one ordered index scan that stops at the 20th), those within
    -- radius metres whose text is at least min_similarity alike (pg_trgm), the five most alike first.
    -- Nearest is by the index's plane distance in degrees (a metre east is a little less than a metre
    -- north at Hải Phòng's latitude: cos 21° = 0.93); the distance given is in metres. Cases at one
    -- exact point are equally near: the 20 taken among them are any 20, all equally good candidates.
    --
    -- As before: a function for its one generic plan per connection (the connections plan every
    -- statement afresh otherwise); the caller gives the box (lat_span, lng_span: the radius in
    -- degrees) and lng_scale (the cosine of the latitude); distances in numeric (float8 underflow).
    -- The generic plan guesses a handful of rows in the box, and with bitmap scans allowed it read
    -- them all through the index and sorted them: 20,000 cases at one point, 13 ms (bench/nearby).
    -- Without, it is the ordered walk that stops at the 20th: flat.
    CREATE OR REPLACE FUNCTION pakn_possible_duplicates(
      ward bigint, category bigint, lat float8, lng float8,
      lat_span float8, lng_span float8, lng_scale float8, folded_text text,
      radius float8, days integer, min_similarity float8
    ) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET plan_cache_mode = force_generic_plan
    SET enable_bitmapscan = off
    AS $fn$
    DECLARE
      found jsonb;
    BEGIN
      IF ward IS NULL OR category IS NULL OR lat IS NULL OR lng IS NULL OR radius IS NULL
         OR lat_span IS NULL OR lng_span IS NULL OR lng_scale IS NULL THEN
        RETURN '[]'::jsonb;
      END IF;
      SELECT coalesce(jsonb_agg(jsonb_build_object(
               'id', m.id::text, 'code', m.code, 'distanceMeters', round(m.distance)::int,
               'similarity', m.similarity) ORDER BY m.similarity DESC, m.distance), '[]'::jsonb)
        INTO found
      FROM (
        SELECT k.id, k.code, k.distance, k.similarity
        FROM (
          -- Distance and likeness are computed here, once a candidate: in a subquery without a
          -- LIMIT of its own, Postgres folds them into the query above, which then computed the
          -- likeness for its filter, its order and its answer (0.52 against 0.30 ms a lookup).
          SELECT c.id, c.code,
                 111320 * sqrt((c.location_lat - lat)::numeric ^ 2
                   + ((c.location_lng - lng)::numeric * lng_scale::numeric) ^ 2) AS distance,
                 round(similarity(substr(c.search_text, length(c.code) + 2, 120), folded_text)::numeric, 2)::float8
                   AS similarity
          FROM cases c
          WHERE c.ward_id = ward AND c.category_id = category
            AND c.received_at > now() - make_interval(days => days)
            AND c.location_lat IS NOT NULL AND c.location_lng IS NOT NULL AND c.status <> 'rejected'
            AND point(c.location_lng, c.location_lat) <@ box(
              point(lng - lng_span, lat - lat_span), point(lng + lng_span, lat + lat_span))
          ORDER BY point(c.location_lng, c.location_lat) <-> point(lng, lat)
          LIMIT 20
        ) k
        WHERE k.distance <= radius::numeric AND k.similarity >= min_similarity
        ORDER BY k.similarity DESC, k.distance
        LIMIT 5
      ) m;
      RETURN found;
    END
    $fn$;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX cases_location_idx ON cases USING gist (point(location_lng, location_lat))
      WHERE location_lat IS NOT NULL AND location_lng IS NOT NULL;
    DROP INDEX IF EXISTS cases_nearby_idx;

    CREATE OR REPLACE FUNCTION pakn_possible_duplicates(
      ward bigint, category bigint, lat float8, lng float8,
      lat_span float8, lng_span float8, lng_scale float8, folded_text text,
      radius float8, days integer, min_similarity float8
    ) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET plan_cache_mode = force_generic_plan
    AS $fn$
    DECLARE
      found jsonb;
    BEGIN
      IF ward IS NULL OR category IS NULL OR lat IS NULL OR lng IS NULL OR radius IS NULL
         OR lat_span IS NULL OR lng_span IS NULL OR lng_scale IS NULL THEN
        RETURN '[]'::jsonb;
      END IF;
      SELECT coalesce(jsonb_agg(jsonb_build_object(
               'id', m.id::text, 'code', m.code, 'distanceMeters', round(m.distance)::int,
               'similarity', m.similarity) ORDER BY m.similarity DESC, m.distance), '[]'::jsonb)
        INTO found
      FROM (
        SELECT k.id, k.code, k.distance,
               round(similarity(substr(k.search_text, length(k.code) + 2, 120), folded_text)::numeric, 2)::float8
                 AS similarity
        FROM (
          SELECT n.id, n.code, n.distance, n.search_text
          FROM (
            SELECT c.id, c.code, c.ward_id, c.category_id, c.status, c.received_at, c.search_text,
                   111320 * sqrt((c.location_lat - lat)::numeric ^ 2
                     + ((c.location_lng - lng)::numeric * lng_scale::numeric) ^ 2) AS distance
            FROM cases c
            WHERE c.location_lat IS NOT NULL AND c.location_lng IS NOT NULL
              AND point(c.location_lng, c.location_lat) <@ box(
                point(lng - lng_span, lat - lat_span), point(lng + lng_span, lat + lat_span))
            OFFSET 0
          ) n
          WHERE n.ward_id = ward AND n.category_id = category AND n.status <> 'rejected'
            AND n.received_at > now() - make_interval(days => days) AND n.distance <= radius::numeric
          ORDER BY n.distance, n.id DESC
          LIMIT 5
        ) k
      ) m
      WHERE m.similarity >= min_similarity;
      RETURN found;
    END
    $fn$;
  `.execute(db);
}
