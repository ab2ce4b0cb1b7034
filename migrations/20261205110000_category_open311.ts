import { type Kysely, sql } from 'kysely';

// What Open311 GeoReport v2 tells of a service (a category): a description, keywords and a group
// that clusters services in the app's menu (e.g. "Hạ tầng đô thị").
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE categories
      ADD COLUMN description text,
      ADD COLUMN keywords text[] NOT NULL DEFAULT '{}',
      ADD COLUMN group_name text;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE categories DROP COLUMN IF EXISTS description, DROP COLUMN IF EXISTS keywords,
      DROP COLUMN IF EXISTS group_name;
  `.execute(db);
}
