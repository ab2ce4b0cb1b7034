import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Remaining answer time while the clock is paused (awaiting_info): business seconds for the working
    -- clock, plain seconds for the continuous one; negative when the case was already late.
    ALTER TABLE cases ADD COLUMN sla_remaining_seconds double precision;
    ALTER TABLE cases ADD COLUMN answer_attachments jsonb NOT NULL DEFAULT '[]'::jsonb
      CHECK (jsonb_typeof(answer_attachments) = 'array');
    ALTER TABLE cases ADD CONSTRAINT cases_paused_has_remaining
      CHECK (status <> 'awaiting_info' OR (paused_at IS NOT NULL AND sla_remaining_seconds IS NOT NULL));

    CREATE TABLE extension_requests (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      case_id bigint NOT NULL REFERENCES cases (id),
      extend_by text NOT NULL,
      reason text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'refused')),
      requested_by_user_id bigint NOT NULL REFERENCES users (id),
      decided_by_user_id bigint REFERENCES users (id),
      decision_note text,
      created_at timestamptz NOT NULL DEFAULT now(),
      decided_at timestamptz,
      CHECK ((status = 'pending') = (decided_at IS NULL))
    );
    CREATE INDEX extension_requests_case_idx ON extension_requests (case_id, id);
    -- At most one open request per case.
    CREATE UNIQUE INDEX extension_requests_one_pending ON extension_requests (case_id) WHERE status = 'pending';
    CREATE INDEX extension_requests_requested_by_idx ON extension_requests (requested_by_user_id);
    CREATE INDEX extension_requests_decided_by_idx ON extension_requests (decided_by_user_id)
      WHERE decided_by_user_id IS NOT NULL;

    CREATE INDEX escalations_case_idx ON escalations (case_id, step, due_at);

    CREATE TABLE notifications (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users (id),
      case_id bigint REFERENCES cases (id),
      escalation_id bigint REFERENCES escalations (id),
      type text NOT NULL,
      step text,
      title text NOT NULL,
      body text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz,
      UNIQUE (escalation_id, user_id)
    );
    CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC);
    CREATE INDEX notifications_case_idx ON notifications (case_id) WHERE case_id IS NOT NULL;

    CREATE TABLE webhooks (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      url text NOT NULL CHECK (url ~ '^https?://'),
      events text[] NOT NULL CHECK (cardinality(events) > 0),
      -- The HMAC key must be usable to sign, so it is kept as given (like any webhook provider does).
      secret text NOT NULL CHECK (length(secret) >= 16),
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE webhook_deliveries (
      id uuid PRIMARY KEY,
      webhook_id bigint NOT NULL REFERENCES webhooks (id),
      event text NOT NULL,
      -- What happened (e.g. 'escalation:42'): one delivery per webhook and happening, however often
      -- the producing job runs.
      event_key text NOT NULL,
      payload jsonb NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      last_status_code integer,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_attempt_at timestamptz,
      delivered_at timestamptz,
      UNIQUE (webhook_id, event_key)
    );
    CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (created_at) WHERE status = 'pending';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS webhook_deliveries, webhooks, notifications, extension_requests;
    DROP INDEX IF EXISTS escalations_case_idx;
    ALTER TABLE cases DROP CONSTRAINT IF EXISTS cases_paused_has_remaining;
    ALTER TABLE cases DROP COLUMN IF EXISTS answer_attachments;
    ALTER TABLE cases DROP COLUMN IF EXISTS sla_remaining_seconds;
  `.execute(db);
}
