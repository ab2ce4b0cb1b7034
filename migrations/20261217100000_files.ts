import { type Kysely, sql } from 'kysely';

// Uploaded attachments (issue 17): a department's signed reply as a PDF or images, stored in Postgres
// so that every API replica serves them (no shared disk). `media_type` is what the bytes are (sniffed
// from their first bytes), never what the client claimed. A file is served to its uploader and to
// whoever may see a case that refers to it: `case_files` links a file to each case whose answer or
// answer proposal names it, written in the same transaction as the answer.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE files (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      ward_id bigint REFERENCES wards (id),
      uploaded_by_user_id bigint NOT NULL REFERENCES users (id),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
      media_type text NOT NULL
        CHECK (media_type IN ('application/pdf', 'image/jpeg', 'image/png', 'image/webp')),
      size integer NOT NULL CHECK (size > 0 AND size <= 10485760),
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      bytes bytea NOT NULL CHECK (octet_length(bytes) = size),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX files_uploaded_by_idx ON files (uploaded_by_user_id);
    CREATE INDEX files_ward_idx ON files (ward_id) WHERE ward_id IS NOT NULL;

    CREATE TABLE case_files (
      file_id bigint NOT NULL REFERENCES files (id),
      case_id bigint NOT NULL REFERENCES cases (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (file_id, case_id)
    );
    CREATE INDEX case_files_case_idx ON case_files (case_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS case_files;
    DROP TABLE IF EXISTS files;
  `.execute(db);
}
