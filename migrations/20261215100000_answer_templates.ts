import { type Kysely, sql } from 'kysely';

// Answer templates (issue 17): a department head keeps the department's stock answers, per category or
// for any category (category_code NULL), and the department's staff insert one into an answer. The
// ward travels with the department (the composite key) so that a ward's intake and chairman read
// their ward's templates without a join. Deactivated, never deleted; versioned for If-Match, as the
// directory's objects are.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE answer_templates (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      ward_id bigint NOT NULL,
      department_id bigint NOT NULL,
      category_code text REFERENCES categories (code),
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
      active boolean NOT NULL DEFAULT true,
      version integer NOT NULL DEFAULT 1,
      updated_by_user_id bigint REFERENCES users (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (department_id, ward_id) REFERENCES departments (id, ward_id)
    );
    CREATE INDEX answer_templates_department_idx ON answer_templates (department_id, ward_id, id);
    CREATE INDEX answer_templates_ward_idx ON answer_templates (ward_id, id);
    CREATE INDEX answer_templates_category_idx ON answer_templates (category_code)
      WHERE category_code IS NOT NULL;
    CREATE INDEX answer_templates_updated_by_idx ON answer_templates (updated_by_user_id)
      WHERE updated_by_user_id IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS answer_templates;`.execute(db);
}
