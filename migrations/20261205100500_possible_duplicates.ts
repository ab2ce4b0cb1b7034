import { type Kysely, sql } from 'kysely';

// Likely duplicates found at intake (cases of the same ward and category, nearby, recent, with
// similar text), kept on the new case as they were found then: [{ id, code, distanceMeters, similarity }].
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE cases ADD COLUMN possible_duplicates jsonb NOT NULL DEFAULT '[]'
      CONSTRAINT cases_possible_duplicates_is_array CHECK (jsonb_typeof(possible_duplicates) = 'array');

    -- The nearby lookup: the cases with a map point inside a small box around the new one's.
    CREATE INDEX cases_location_idx ON cases USING gist (point(location_lng, location_lat))
      WHERE location_lat IS NOT NULL AND location_lng IS NOT NULL;

    -- Of the five cases nearest to (lat, lng) within radius metres, of the same ward and category,
    -- received in the last days and not refused, those whose text is at least min_similarity alike
    -- (pg_trgm), most alike first. The text compared is the start of the title, description and
    -- address, normalised as search_text is (lower case, no accents): the new case's comes so from
    -- the caller, cut to 120 characters; an earlier case's is cut out of its search_text (which
    -- starts with the code and a space), for the five nearest only.
    --
    -- A function, for its plan: the connections plan every statement afresh
    -- (plan_cache_mode = force_custom_plan, for the searches), and planning this lookup over the cases
    -- table and its indexes cost more than running it. Here it keeps one generic plan per connection:
    -- the box comes from the parameters, so the plan is the GiST index whatever the values.
    --
    -- The caller works out the box (lat_span, lng_span: the radius in degrees) and lng_scale (the
    -- cosine of the latitude), and distances are reckoned in numeric: float8 arithmetic in Postgres
    -- raises an error when a product underflows, as it does for coordinates a hair apart or next to 0.
    CREATE FUNCTION pakn_possible_duplicates(
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
            OFFSET 0 -- the GiST index, not the ward's history
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

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP FUNCTION IF EXISTS pakn_possible_duplicates(
      bigint, bigint, float8, float8, float8, float8, float8, text, float8, integer, float8);
    DROP INDEX IF EXISTS cases_location_idx;
    ALTER TABLE cases DROP COLUMN IF EXISTS possible_duplicates;
  `.execute(db);
}
