import { type Kysely, sql } from 'kysely';

// Open311 reports may reach the reporter by e-mail instead of by phone (issue 16 §5): a case keeps
// the reporter's e-mail address beside the phone, and needs at least one of the two. Directory codes
// need no rewrite here: the initial migration's CHECKs already hold every stored code in its canonical
// case (ward codes upper, department and category codes lower), and the API folds input to it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE cases ADD COLUMN reporter_email text
      CONSTRAINT cases_reporter_email_shape
      CHECK (reporter_email IS NULL OR (length(reporter_email) <= 254 AND reporter_email ~ '^[^@\\s]+@[^@\\s]+$'));
    ALTER TABLE cases ALTER COLUMN reporter_phone DROP NOT NULL;
    -- NOT VALID, then VALIDATE: every existing case has a phone, and validating apart does not block
    -- writes to cases while the table is read.
    ALTER TABLE cases ADD CONSTRAINT cases_reporter_contact
      CHECK (reporter_phone IS NOT NULL OR reporter_email IS NOT NULL) NOT VALID;
    ALTER TABLE cases VALIDATE CONSTRAINT cases_reporter_contact;
  `.execute(db);
}

/** Fails while a case has no phone (it could not be stored as before): decide about those first. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE cases DROP CONSTRAINT IF EXISTS cases_reporter_contact;
    ALTER TABLE cases ALTER COLUMN reporter_phone SET NOT NULL;
    ALTER TABLE cases DROP COLUMN IF EXISTS reporter_email;
  `.execute(db);
}
