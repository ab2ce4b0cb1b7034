import { type Kysely, sql } from 'kysely';

// Migrations import nothing from src/: they are the schema's history, not the application's.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE EXTENSION IF NOT EXISTS unaccent;
    CREATE EXTENSION IF NOT EXISTS pg_trgm;

    -- unaccent() is only STABLE (its dictionary could change); this wrapper pins the dictionary so it
    -- can back a generated column and an index. Accents first, then lower(): lower() on plain ASCII
    -- works under every database locale, including C.
    CREATE FUNCTION pakn_search_normalize(text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

    CREATE TABLE app_secrets (
      name text PRIMARY KEY,
      value text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE wards (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      code text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9_]{2,20}$'),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE departments (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      ward_id bigint NOT NULL REFERENCES wards (id),
      code text NOT NULL CHECK (code ~ '^[a-z0-9_]{2,50}$'),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (ward_id, code),
      UNIQUE (id, ward_id)
    );

    CREATE TABLE categories (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      code text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9_]{2,50}$'),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      default_department_code text CHECK (default_department_code ~ '^[a-z0-9_]{2,50}$'),
      sla_normal_duration text NOT NULL,
      sla_normal_clock text NOT NULL CHECK (sla_normal_clock IN ('working', 'continuous')),
      sla_urgent_duration text NOT NULL,
      sla_urgent_clock text NOT NULL CHECK (sla_urgent_clock IN ('working', 'continuous')),
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE users (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._-]{3,64}$'),
      password_hash text NOT NULL,
      full_name text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
      role text NOT NULL CHECK (role IN ('admin', 'intake', 'department_head', 'department_officer', 'chairman')),
      ward_id bigint REFERENCES wards (id),
      department_id bigint,
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (department_id, ward_id) REFERENCES departments (id, ward_id),
      CONSTRAINT users_role_binding CHECK (
        (role = 'admin' AND ward_id IS NULL AND department_id IS NULL)
        OR (role IN ('intake', 'chairman') AND ward_id IS NOT NULL AND department_id IS NULL)
        OR (role IN ('department_head', 'department_officer') AND ward_id IS NOT NULL AND department_id IS NOT NULL)
      )
    );
    CREATE INDEX users_ward_id_idx ON users (ward_id);
    CREATE INDEX users_department_id_idx ON users (department_id, ward_id);

    CREATE TABLE api_clients (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      channel text NOT NULL CHECK (channel IN ('hotline_1022', 'smart_haiphong', 'walk_in', 'web', 'email')),
      key_prefix text NOT NULL,
      key_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz
    );

    CREATE TABLE ward_calendars (
      ward_id bigint PRIMARY KEY REFERENCES wards (id),
      calendar jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE escalation_policies (
      ward_id bigint PRIMARY KEY REFERENCES wards (id),
      policy jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    -- Case codes draw from one sequence: nextval() takes no row lock, so intake never queues on a
    -- per-ward or per-day counter row.
    CREATE SEQUENCE case_code_seq;

    CREATE TABLE cases (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      code text NOT NULL UNIQUE,
      ward_id bigint NOT NULL REFERENCES wards (id),
      channel text NOT NULL CHECK (channel IN ('hotline_1022', 'smart_haiphong', 'walk_in', 'web', 'email')),
      external_id text CHECK (length(external_id) BETWEEN 1 AND 100),
      api_client_id bigint REFERENCES api_clients (id),
      created_by_user_id bigint REFERENCES users (id),
      status text NOT NULL CHECK (status IN ('received', 'assigned', 'in_progress', 'awaiting_info', 'answered', 'closed', 'rejected')),
      urgency text NOT NULL CHECK (urgency IN ('normal', 'urgent')),
      category_id bigint REFERENCES categories (id),
      department_id bigint,
      title text,
      description text NOT NULL,
      reporter_name text,
      reporter_phone text NOT NULL,
      reporter_confidential boolean NOT NULL DEFAULT false,
      location_address text,
      location_residential_group text,
      location_lat double precision CHECK (location_lat BETWEEN -90 AND 90),
      location_lng double precision CHECK (location_lng BETWEEN -180 AND 180),
      attachments jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(attachments) = 'array'),
      received_at timestamptz NOT NULL DEFAULT now(),
      accept_due_at timestamptz,
      assigned_at timestamptz,
      due_at timestamptz,
      paused_at timestamptz,
      answered_at timestamptz,
      closed_at timestamptz,
      answer_text text,
      rating_score smallint CHECK (rating_score BETWEEN 1 AND 5),
      rating_comment text,
      reject_reason text CHECK (reject_reason IN ('missing_contact', 'unclear', 'offensive', 'out_of_scope', 'duplicate', 'complaint_procedure')),
      duplicate_of bigint REFERENCES cases (id),
      version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
      sla_generation integer NOT NULL DEFAULT 1 CHECK (sla_generation >= 1),
      search_text text GENERATED ALWAYS AS (
        pakn_search_normalize(code || ' ' || coalesce(title, '') || ' ' || description || ' ' || coalesce(location_address, ''))
      ) STORED,
      updated_at timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (department_id, ward_id) REFERENCES departments (id, ward_id),
      CONSTRAINT cases_assigned_has_department CHECK (
        status IN ('received', 'rejected') OR department_id IS NOT NULL
      ),
      CONSTRAINT cases_location_pair CHECK ((location_lat IS NULL) = (location_lng IS NULL))
    );
    CREATE UNIQUE INDEX cases_channel_external_id_key ON cases (channel, external_id) WHERE external_id IS NOT NULL;
    CREATE INDEX cases_ward_id_idx ON cases (ward_id, id DESC);
    CREATE INDEX cases_ward_status_idx ON cases (ward_id, status, id DESC);
    CREATE INDEX cases_department_idx ON cases (department_id, ward_id, id DESC);
    CREATE INDEX cases_api_client_idx ON cases (api_client_id, id DESC) WHERE api_client_id IS NOT NULL;
    CREATE INDEX cases_created_by_idx ON cases (created_by_user_id) WHERE created_by_user_id IS NOT NULL;
    CREATE INDEX cases_category_idx ON cases (category_id);
    CREATE INDEX cases_duplicate_of_idx ON cases (duplicate_of) WHERE duplicate_of IS NOT NULL;
    CREATE INDEX cases_search_trgm_idx ON cases USING gin (search_text gin_trgm_ops);

    CREATE TABLE case_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      case_id bigint NOT NULL REFERENCES cases (id),
      type text NOT NULL,
      at timestamptz NOT NULL DEFAULT now(),
      actor_type text NOT NULL CHECK (actor_type IN ('user', 'api_client', 'system')),
      actor_user_id bigint REFERENCES users (id),
      actor_api_client_id bigint REFERENCES api_clients (id),
      from_status text,
      to_status text,
      data jsonb NOT NULL DEFAULT '{}'::jsonb,
      CONSTRAINT case_events_actor CHECK (
        (actor_type = 'user' AND actor_user_id IS NOT NULL AND actor_api_client_id IS NULL)
        OR (actor_type = 'api_client' AND actor_api_client_id IS NOT NULL AND actor_user_id IS NULL)
        OR (actor_type = 'system' AND actor_user_id IS NULL AND actor_api_client_id IS NULL)
      )
    );
    CREATE INDEX case_events_case_idx ON case_events (case_id, id);
    CREATE INDEX case_events_actor_user_idx ON case_events (actor_user_id) WHERE actor_user_id IS NOT NULL;
    CREATE INDEX case_events_actor_client_idx ON case_events (actor_api_client_id) WHERE actor_api_client_id IS NOT NULL;

    -- History is append-only: the case row is the present, the events are the past.
    CREATE FUNCTION case_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'case_events is append-only';
    END $$;
    CREATE TRIGGER case_events_no_update BEFORE UPDATE OR DELETE ON case_events
      FOR EACH ROW EXECUTE FUNCTION case_events_append_only();

    -- Durable timers (design.md §5): the outbox of deadline steps, written with the case change.
    CREATE TABLE case_timers (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      case_id bigint NOT NULL REFERENCES cases (id),
      step text NOT NULL,
      generation integer NOT NULL,
      due_at timestamptz NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'fired', 'cancelled')),
      enqueued_at timestamptz,
      fired_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (case_id, step, generation)
    );
    CREATE INDEX case_timers_pending_due_idx ON case_timers (due_at) WHERE status = 'pending';

    CREATE TABLE escalations (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      case_id bigint NOT NULL REFERENCES cases (id),
      step text NOT NULL,
      generation integer NOT NULL,
      due_at timestamptz NOT NULL,
      fired_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (case_id, step, generation)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS escalations, case_timers, case_events, cases, escalation_policies, ward_calendars,
      api_clients, users, categories, departments, wards, app_secrets;
    DROP FUNCTION IF EXISTS case_events_append_only();
    DROP SEQUENCE IF EXISTS case_code_seq;
    DROP FUNCTION IF EXISTS pakn_search_normalize(text);
  `.execute(db);
}
