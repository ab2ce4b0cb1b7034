import { type Kysely, sql } from 'kysely';

// The audit trail of administration (issue 16 §3): every change to wards, departments, categories,
// users, API clients, calendars, escalation policies and webhooks, written in the transaction of the
// change itself. Who (the user's id and their username then; null id for a system actor such as the
// seed), when, from which address, what (action, object type and id, the object's ward for the
// chairman's scope), and the object's state before and after as allow-listed views: never a secret.
// Append-only, enforced by a trigger (it holds for the table's owner too).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE audit_entries (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor_id bigint REFERENCES users (id),
      actor_username text NOT NULL CHECK (length(actor_username) BETWEEN 1 AND 200),
      address text CHECK (length(address) <= 100),
      action text NOT NULL CHECK (action ~ '^[a-z_]+\\.[a-z_]+$'),
      object_type text NOT NULL CHECK (object_type ~ '^[a-z_]+$'),
      object_id text NOT NULL CHECK (length(object_id) BETWEEN 1 AND 100),
      ward_id bigint REFERENCES wards (id),
      before jsonb,
      after jsonb,
      CHECK (before IS NOT NULL OR after IS NOT NULL)
    );
    CREATE INDEX audit_entries_object_idx ON audit_entries (object_type, object_id, id);
    CREATE INDEX audit_entries_actor_idx ON audit_entries (actor_id, id);
    CREATE INDEX audit_entries_ward_idx ON audit_entries (ward_id, id);
    CREATE INDEX audit_entries_at_idx ON audit_entries (at);

    CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_entries is append-only';
    END $$;
    CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON audit_entries
      FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
    CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
      FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS audit_entries;
    DROP FUNCTION IF EXISTS audit_entries_append_only();
  `.execute(db);
}
