import { type Kysely, sql } from 'kysely';

// What may be published (issue 13).
// - categories.publication: `public` (description, answer and location may be shown without sign-in)
//   or `status_only` (status, dates, category and department only). Categories whose code or name
//   speaks of security, public order, the police, complaints or denunciations become status_only
//   (the same rule as defaultPublication in src/modules/directory/publication.ts, copied: a
//   migration imports nothing from src/). "Trật tự đô thị" (urban order: pavements, building) is
//   not public order and stays public.
// - cases.answer_published / public_answer: the ward office's decision at closing, and the public
//   text when it edited the answer (null: the answer as given). Null decision: the category's default.
// - cases.tracking_nonce: the reporter's own tracking link is an HMAC of it under a server key; the
//   link itself is stored nowhere. Existing cases keep none (their messages went out without one).
// - citizen_messages 'held': what the per-number limit kept from being sent.
// Every ALTER here is metadata only on a large `cases` (no default to write into existing rows).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE categories ADD COLUMN publication text NOT NULL DEFAULT 'public'
      CHECK (publication IN ('public', 'status_only'));
    UPDATE categories SET publication = 'status_only'
      WHERE pakn_search_normalize(replace(code, '_', ' ') || ' ' || name)
        ~ '(an ninh|security|public order|trat tu cong cong|trat tu xa hoi|cong an|police|khieu nai|complaint|to cao|denunciation)';

    ALTER TABLE cases ADD COLUMN answer_published boolean;
    ALTER TABLE cases ADD COLUMN public_answer text CHECK (length(public_answer) <= 10000);
    ALTER TABLE cases ADD COLUMN tracking_nonce uuid;
    ALTER TABLE cases ALTER COLUMN tracking_nonce SET DEFAULT gen_random_uuid();

    ALTER TABLE citizen_messages DROP CONSTRAINT citizen_messages_status_check;
    ALTER TABLE citizen_messages ADD CONSTRAINT citizen_messages_status_check
      CHECK (status IN ('pending', 'delivered', 'failed', 'held'));
    -- The per-number limit counts what was tried in the last window.
    CREATE INDEX citizen_messages_tried_idx ON citizen_messages (last_attempt_at) WHERE attempts > 0;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX IF EXISTS citizen_messages_tried_idx;
    UPDATE citizen_messages SET status = 'failed' WHERE status = 'held';
    ALTER TABLE citizen_messages DROP CONSTRAINT citizen_messages_status_check;
    ALTER TABLE citizen_messages ADD CONSTRAINT citizen_messages_status_check
      CHECK (status IN ('pending', 'delivered', 'failed'));
    ALTER TABLE cases DROP COLUMN IF EXISTS tracking_nonce;
    ALTER TABLE cases DROP COLUMN IF EXISTS public_answer;
    ALTER TABLE cases DROP COLUMN IF EXISTS answer_published;
    ALTER TABLE categories DROP COLUMN IF EXISTS publication;
  `.execute(db);
}
