import { type Kysely, sql } from 'kysely';

// The chairman's periodic digest (issue 5, item 7). `digests` holds one row per ward and scheduled
// time: the unique key is what makes the digest go out once however many workers tick, crash or
// catch up, and the row keeps what was reported. Its notifications and e-mails are written in the
// same transaction. `email_deliveries` is an outbox like webhook_deliveries: each row is rendered
// once (so every try sends the same bytes and the same Message-ID) and keeps its tries.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE users ADD COLUMN email text CHECK (email IS NULL OR email ~ '^[^@\\s]+@[^@\\s]+$');

    CREATE TABLE digests (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      ward_id bigint NOT NULL REFERENCES wards (id),
      scheduled_for timestamptz NOT NULL,
      content jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (ward_id, scheduled_for)
    );

    ALTER TABLE notifications ADD COLUMN digest_id bigint REFERENCES digests (id);
    ALTER TABLE notifications ADD CONSTRAINT notifications_digest_user_key UNIQUE (digest_id, user_id);

    CREATE TABLE email_deliveries (
      id uuid PRIMARY KEY,
      digest_id bigint REFERENCES digests (id),
      user_id bigint REFERENCES users (id),
      to_address text NOT NULL,
      message_id text NOT NULL UNIQUE,
      subject text NOT NULL,
      body_text text NOT NULL,
      body_html text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      last_status_code integer,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_attempt_at timestamptz,
      delivered_at timestamptz,
      CONSTRAINT email_deliveries_delivered_at_matches_status
        CHECK ((status = 'delivered') = (delivered_at IS NOT NULL)),
      UNIQUE (digest_id, user_id)
    );
    CREATE INDEX email_deliveries_pending_idx ON email_deliveries (created_at, id) WHERE status = 'pending';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS email_deliveries;
    ALTER TABLE notifications DROP COLUMN IF EXISTS digest_id;
    DROP TABLE IF EXISTS digests;
    ALTER TABLE users DROP COLUMN IF EXISTS email;
  `.execute(db);
}
