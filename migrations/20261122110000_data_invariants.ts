import { type Kysely, sql } from 'kysely';

/**
 * Invariants the code relies on, enforced by the database too, so a bug or a hand-written UPDATE
 * cannot leave a case the application would misread:
 * - a case's version only goes up (optimistic concurrency, ETags) and its SLA generation never goes
 *   back (timers of an older generation must stay stale); its identity (code, ward, channel) never
 *   changes;
 * - the lifecycle's timestamps match its status: closed and rejected cases have closed_at, answered
 *   and closed ones an answer, and only rejected ones a reject reason;
 * - events name real statuses; a fired timer says when; a delivered webhook says when.
 * One escalation per case, step and generation was already unique (escalations and case_timers).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION cases_guard_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.version <= OLD.version THEN
        RAISE EXCEPTION 'cases.version must increase on every update (% -> %)', OLD.version, NEW.version
          USING ERRCODE = 'check_violation';
      END IF;
      IF NEW.sla_generation < OLD.sla_generation THEN
        RAISE EXCEPTION 'cases.sla_generation cannot go back (% -> %)', OLD.sla_generation, NEW.sla_generation
          USING ERRCODE = 'check_violation';
      END IF;
      IF NEW.code <> OLD.code OR NEW.ward_id <> OLD.ward_id OR NEW.channel <> OLD.channel THEN
        RAISE EXCEPTION 'a case''s code, ward and channel never change'
          USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER cases_guard_update BEFORE UPDATE ON cases
      FOR EACH ROW EXECUTE FUNCTION cases_guard_update();

    ALTER TABLE cases
      ADD CONSTRAINT cases_closed_at_matches_status
        CHECK ((status IN ('closed', 'rejected')) = (closed_at IS NOT NULL)),
      ADD CONSTRAINT cases_answer_matches_status
        CHECK (status NOT IN ('answered', 'closed') OR (answered_at IS NOT NULL AND answer_text IS NOT NULL)),
      ADD CONSTRAINT cases_reject_reason_matches_status
        CHECK ((status = 'rejected') = (reject_reason IS NOT NULL));

    ALTER TABLE case_events
      ADD CONSTRAINT case_events_type_present CHECK (length(type) > 0),
      ADD CONSTRAINT case_events_statuses CHECK (
        (from_status IS NULL OR from_status IN ('received', 'assigned', 'in_progress', 'awaiting_info', 'answered', 'closed', 'rejected'))
        AND (to_status IS NULL OR to_status IN ('received', 'assigned', 'in_progress', 'awaiting_info', 'answered', 'closed', 'rejected'))
      );

    ALTER TABLE case_timers
      ADD CONSTRAINT case_timers_generation_positive CHECK (generation >= 1),
      ADD CONSTRAINT case_timers_fired_at_matches_status CHECK ((status = 'fired') = (fired_at IS NOT NULL));

    ALTER TABLE escalations
      ADD CONSTRAINT escalations_generation_positive CHECK (generation >= 1);

    ALTER TABLE webhook_deliveries
      ADD CONSTRAINT webhook_deliveries_delivered_at_matches_status
        CHECK ((status = 'delivered') = (delivered_at IS NOT NULL));
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE webhook_deliveries DROP CONSTRAINT IF EXISTS webhook_deliveries_delivered_at_matches_status;
    ALTER TABLE escalations DROP CONSTRAINT IF EXISTS escalations_generation_positive;
    ALTER TABLE case_timers
      DROP CONSTRAINT IF EXISTS case_timers_fired_at_matches_status,
      DROP CONSTRAINT IF EXISTS case_timers_generation_positive;
    ALTER TABLE case_events
      DROP CONSTRAINT IF EXISTS case_events_statuses,
      DROP CONSTRAINT IF EXISTS case_events_type_present;
    ALTER TABLE cases
      DROP CONSTRAINT IF EXISTS cases_reject_reason_matches_status,
      DROP CONSTRAINT IF EXISTS cases_answer_matches_status,
      DROP CONSTRAINT IF EXISTS cases_closed_at_matches_status;
    DROP TRIGGER IF EXISTS cases_guard_update ON cases;
    DROP FUNCTION IF EXISTS cases_guard_update();
  `.execute(db);
}
