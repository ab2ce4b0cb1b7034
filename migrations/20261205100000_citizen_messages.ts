import { type Kysely, sql } from 'kysely';

// Status messages to citizens (SMS): an outbox written in the same transaction as the case change
// that calls for the message, and the queue itself: the worker's dispatcher claims due rows in
// batches (next_attempt_at), sends them through the configured provider and settles them, with an
// exponential backoff between tries. The row is the delivery log: what was sent (rendered once, on
// the first try, so every retry sends the same text), in which encoding and how many segments, and
// how each try went. The reporter's phone is not copied here; it is read from the case when sending.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE citizen_messages (
      id uuid PRIMARY KEY,
      case_id bigint NOT NULL REFERENCES cases (id),
      kind text NOT NULL CHECK (kind IN ('received', 'assigned', 'answered', 'closed', 'rejected')),
      -- What happened (e.g. 'received:42', 'status:42:3'): one message per happening, however often
      -- the producer runs. Also sent to the provider as the idempotency key, with the id.
      event_key text NOT NULL UNIQUE,
      -- What the template needs beyond the case (a department's name, a deadline, a reason).
      data jsonb NOT NULL DEFAULT '{}',
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
      provider text,
      body text,
      encoding text CHECK (encoding IN ('gsm7', 'ucs2')),
      segments integer CHECK (segments >= 1),
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      last_status_code integer,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_attempt_at timestamptz,
      -- When a pending message may be tried (again): now at first, the backoff after a failed try,
      -- the end of a claim's lease while a dispatcher sends it (a dispatcher that died is retried then).
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz,
      CONSTRAINT citizen_messages_delivered_at_matches_status
        CHECK ((status = 'delivered') = (delivered_at IS NOT NULL)),
      CONSTRAINT citizen_messages_tried_has_body CHECK (attempts = 0 OR body IS NOT NULL)
    );
    CREATE INDEX citizen_messages_case_idx ON citizen_messages (case_id);
    CREATE INDEX citizen_messages_due_idx ON citizen_messages (next_attempt_at) WHERE status = 'pending';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS citizen_messages`.execute(db);
}
