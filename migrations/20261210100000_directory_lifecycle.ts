import { type Kysely, sql } from 'kysely';

// Running a ward for years (issue 16).
// - Every directory object has a version (ETag / If-Match) and is deactivated, never deleted: cases
//   refer to wards, departments, categories, users and API clients. Wards, departments and categories
//   gain `active`; users had it; an API client's `revoked_at` is its deactivation (null: active).
// - An API client's key can be rotated with a grace period: the previous key's hash stays valid until
//   `previous_key_expires_at` (at most a day later; the API enforces it).
// - Sign-in creates a server-side session; the token carries its id, stored here only as a hash.
//   A session ends at logout, when its user's password, role, ward or department changes or the user
//   is deactivated, after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after sign-in.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE wards ADD COLUMN active boolean NOT NULL DEFAULT true;
    ALTER TABLE wards ADD COLUMN version integer NOT NULL DEFAULT 1;
    ALTER TABLE wards ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

    ALTER TABLE departments ADD COLUMN active boolean NOT NULL DEFAULT true;
    ALTER TABLE departments ADD COLUMN version integer NOT NULL DEFAULT 1;
    ALTER TABLE departments ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

    ALTER TABLE categories ADD COLUMN active boolean NOT NULL DEFAULT true;
    ALTER TABLE categories ADD COLUMN version integer NOT NULL DEFAULT 1;
    ALTER TABLE categories ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

    ALTER TABLE users ADD COLUMN version integer NOT NULL DEFAULT 1;
    ALTER TABLE users ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

    ALTER TABLE api_clients ADD COLUMN version integer NOT NULL DEFAULT 1;
    ALTER TABLE api_clients ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
    ALTER TABLE api_clients ADD COLUMN previous_key_hash text UNIQUE;
    ALTER TABLE api_clients ADD COLUMN previous_key_expires_at timestamptz;
    ALTER TABLE api_clients ADD CONSTRAINT api_clients_previous_key
      CHECK ((previous_key_hash IS NULL) = (previous_key_expires_at IS NULL));

    -- Unchanged since created, as far as anyone knows (Open311's changeset reads categories').
    UPDATE wards SET updated_at = created_at;
    UPDATE departments SET updated_at = created_at;
    UPDATE categories SET updated_at = created_at;
    UPDATE users SET updated_at = created_at;
    UPDATE api_clients SET updated_at = created_at;

    CREATE TABLE sessions (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      sid_hash text NOT NULL UNIQUE,
      user_id bigint NOT NULL REFERENCES users (id),
      address text CHECK (length(address) <= 100),
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      ended_at timestamptz,
      end_reason text CHECK (end_reason IN (
        'logout', 'password_changed', 'password_reset', 'deactivated', 'reassigned'
      )),
      CHECK ((ended_at IS NULL) = (end_reason IS NULL))
    );
    CREATE INDEX sessions_user_open_idx ON sessions (user_id) WHERE ended_at IS NULL;
    CREATE INDEX sessions_expires_idx ON sessions (expires_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS sessions;
    ALTER TABLE api_clients DROP CONSTRAINT IF EXISTS api_clients_previous_key;
    ALTER TABLE api_clients DROP COLUMN IF EXISTS previous_key_expires_at;
    ALTER TABLE api_clients DROP COLUMN IF EXISTS previous_key_hash;
    ALTER TABLE api_clients DROP COLUMN IF EXISTS updated_at;
    ALTER TABLE api_clients DROP COLUMN IF EXISTS version;
    ALTER TABLE users DROP COLUMN IF EXISTS updated_at;
    ALTER TABLE users DROP COLUMN IF EXISTS version;
    ALTER TABLE categories DROP COLUMN IF EXISTS updated_at;
    ALTER TABLE categories DROP COLUMN IF EXISTS version;
    ALTER TABLE categories DROP COLUMN IF EXISTS active;
    ALTER TABLE departments DROP COLUMN IF EXISTS updated_at;
    ALTER TABLE departments DROP COLUMN IF EXISTS version;
    ALTER TABLE departments DROP COLUMN IF EXISTS active;
    ALTER TABLE wards DROP COLUMN IF EXISTS updated_at;
    ALTER TABLE wards DROP COLUMN IF EXISTS version;
    ALTER TABLE wards DROP COLUMN IF EXISTS active;
  `.execute(db);
}
