import { type Kysely, sql } from 'kysely';

// The 1022 call form shows the caller's earlier cases as the phone is typed, and the ward office's
// search finds a case by its reporter's phone. Phones are stored as given (0912345678 or
// +84912345678), so both look a number up by one form of it, as phoneKey in
// src/modules/cases/personal-data.ts writes it: the digits, a leading 0 read as 84. Migrations import
// nothing from src/.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION pakn_phone_key(text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      AS $$ SELECT CASE WHEN d LIKE '0%' THEN '84' || substr(d, 2) ELSE d END
            FROM (SELECT regexp_replace($1, '[^0-9]', '', 'g') AS d) AS digits $$;

    -- A ward's cases of one caller, newest first: a probe, not a walk of the ward's history.
    CREATE INDEX cases_ward_phone_idx ON cases (ward_id, pakn_phone_key(reporter_phone), id DESC)
      WHERE reporter_phone IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX IF EXISTS cases_ward_phone_idx;
    DROP FUNCTION IF EXISTS pakn_phone_key(text);
  `.execute(db);
}
