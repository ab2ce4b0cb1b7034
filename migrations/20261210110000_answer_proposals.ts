import { type Kysely, sql } from 'kysely';

// Officers draft, heads approve (issue 16 §4).
// - A ward decides whether its department officers' answers need their head's approval
//   (`officer_answers_need_approval`, on by default); when off, an officer answers like a head.
// - An officer's answer that needs approval is an answer proposal: the case keeps its status (and its
//   running deadline and escalation timers) until the department head approves it — it then becomes
//   the case's answer, on time or late as of that moment — or sends it back with a note. At most one
//   proposal per case waits for a decision (a partial unique index). A pending proposal is
//   `superseded` when the case leaves the department's hands first (the head answers directly, the
//   ward office transfers, rejects or takes it back).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE wards ADD COLUMN officer_answers_need_approval boolean NOT NULL DEFAULT true;

    CREATE TABLE answer_proposals (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      case_id bigint NOT NULL REFERENCES cases (id),
      ward_id bigint NOT NULL REFERENCES wards (id),
      department_id bigint NOT NULL,
      proposed_by_user_id bigint NOT NULL REFERENCES users (id),
      answer text NOT NULL CHECK (length(answer) > 0),
      attachments jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(attachments) = 'array'),
      status text NOT NULL DEFAULT 'proposed'
        CHECK (status IN ('proposed', 'approved', 'sent_back', 'superseded')),
      note text,
      decided_by_user_id bigint REFERENCES users (id),
      decided_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (department_id, ward_id) REFERENCES departments (id, ward_id),
      CHECK ((status = 'proposed') = (decided_at IS NULL)),
      CHECK (status NOT IN ('approved', 'sent_back') OR decided_by_user_id IS NOT NULL),
      CHECK (status <> 'sent_back' OR note IS NOT NULL)
    );
    CREATE INDEX answer_proposals_case_idx ON answer_proposals (case_id, id);
    -- At most one proposal per case waits for the head.
    CREATE UNIQUE INDEX answer_proposals_one_pending ON answer_proposals (case_id) WHERE status = 'proposed';
    CREATE INDEX answer_proposals_ward_idx ON answer_proposals (ward_id);
    CREATE INDEX answer_proposals_department_idx ON answer_proposals (department_id, ward_id);
    CREATE INDEX answer_proposals_proposed_by_idx ON answer_proposals (proposed_by_user_id);
    CREATE INDEX answer_proposals_decided_by_idx ON answer_proposals (decided_by_user_id)
      WHERE decided_by_user_id IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS answer_proposals;
    ALTER TABLE wards DROP COLUMN IF EXISTS officer_answers_need_approval;
  `.execute(db);
}
