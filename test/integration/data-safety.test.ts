import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { postCase } from '../support/cases.ts';
import { createCategory, createWard, type Ward } from '../support/fixtures.ts';

// A failure injected inside the database: inserting a timer for the step `fail_here` raises. Only
// this file's ward has that step in its ladder, so other test files sharing the database never hit it.
const FAIL_STEP = 'fail_here';

let t: TestApp;
let ward: Ward;
let lighting: { code: string };

const counts = async (caseId?: string) => {
  const db = t.container.db;
  const where = caseId ? sql`WHERE case_id = ${caseId}` : sql``;
  const row = await sql<{ events: string; timers: string; cases: string }>`
    SELECT (SELECT count(*) FROM case_events ${where}) AS events,
           (SELECT count(*) FROM case_timers ${where}) AS timers,
           (SELECT count(*) FROM cases) AS cases`.execute(db);
  const r = row.rows[0] as { events: string; timers: string; cases: string };
  return { events: Number(r.events), timers: Number(r.timers), cases: Number(r.cases) };
};

beforeAll(async () => {
  t = await createTestApp();
  ward = await createWard(t);
  lighting = await createCategory(t, { defaultDepartmentCode: 'ktht' });
  await sql`
    CREATE OR REPLACE FUNCTION pakn_test_fail_timer() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.step = ${sql.lit(FAIL_STEP)} THEN RAISE EXCEPTION 'injected failure'; END IF;
      RETURN NEW;
    END $$`.execute(t.container.db);
  await sql`
    CREATE OR REPLACE TRIGGER pakn_test_fail_timer BEFORE INSERT ON case_timers
      FOR EACH ROW EXECUTE FUNCTION pakn_test_fail_timer()`.execute(t.container.db);

  // The ward's ladder gains a last step anchored to the answer deadline: writing it fails.
  const policy = (
    await call(
      t.app,
      { method: 'GET', url: `/api/v1/wards/${ward.id}/escalation-policy`, headers: bearer(t.adminToken) },
      200,
    )
  ).json();
  policy.steps.push({
    key: FAIL_STEP,
    anchor: 'dueAt',
    offset: 'P2D',
    clock: 'working',
    notify: ['chairman'],
  });
  await call(
    t.app,
    {
      method: 'PUT',
      url: `/api/v1/wards/${ward.id}/escalation-policy`,
      headers: bearer(t.adminToken),
      payload: policy,
    },
    200,
  );
});

afterAll(async () => {
  await sql`DROP TRIGGER IF EXISTS pakn_test_fail_timer ON case_timers`.execute(t.container.db);
  await sql`DROP FUNCTION IF EXISTS pakn_test_fail_timer()`.execute(t.container.db);
  await t.close();
});

describe('a failed transaction leaves nothing behind', () => {
  it('intake that fails while writing its timers stores no case, no event and no timer', async () => {
    const body = caseBody(ward.code, { categoryCode: lighting.code });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: bearer(ward.tokens.intake),
      payload: body,
    });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).not.toContain('injected failure');

    const stored = await t.container.db
      .selectFrom('cases')
      .select('id')
      .where('channel', '=', 'smart_haiphong')
      .where('external_id', '=', body.externalId)
      .execute();
    expect(stored).toEqual([]);
    // No orphan of this intake either: every event and timer belongs to a case that exists.
    const orphans = await sql<{ n: string }>`
      SELECT (SELECT count(*) FROM case_events e WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = e.case_id))
           + (SELECT count(*) FROM case_timers x WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = x.case_id)) AS n`.execute(
      t.container.db,
    );
    expect(Number(orphans.rows[0]?.n)).toBe(0);
  });

  it('a workflow action that fails half-way keeps the case exactly as it was', async () => {
    // Without a category the case waits in `received`: only the acceptance step is armed.
    const created = await postCase(
      t.app,
      bearer(ward.tokens.intake),
      caseBody(ward.code, { channel: 'hotline_1022' }),
    );
    const before = await counts(created.id);
    const timersBefore = await t.container.db
      .selectFrom('case_timers')
      .selectAll()
      .where('case_id', '=', created.id)
      .execute();

    // Assigning updates the case, appends an event, cancels the acceptance timer and arms the
    // answer-deadline steps, the last of which fails.
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${created.id}/assign`,
      headers: bearer(ward.tokens.intake),
      payload: { departmentId: ward.departments.infra.id, categoryCode: lighting.code },
    });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);

    const after = (
      await call(
        t.app,
        { method: 'GET', url: `/api/v1/cases/${created.id}`, headers: bearer(ward.tokens.intake) },
        200,
      )
    ).json();
    expect(after).toEqual({ ...created, overdue: after.overdue });
    expect(after.status).toBe('received');
    expect(after.version).toBe(1);
    expect(await counts(created.id)).toMatchObject({ events: before.events, timers: before.timers });
    const timersAfter = await t.container.db
      .selectFrom('case_timers')
      .selectAll()
      .where('case_id', '=', created.id)
      .execute();
    expect(timersAfter).toEqual(timersBefore);
  });
});

describe('the schema refuses what the code must never write', () => {
  let caseId: string;
  beforeAll(async () => {
    caseId = (await postCase(t.app, bearer(ward.tokens.intake), caseBody(ward.code, { channel: 'walk_in' })))
      .id;
  });

  const refused = async (statement: ReturnType<typeof sql>, pattern: RegExp) => {
    await expect(statement.execute(t.container.db)).rejects.toThrow(pattern);
  };

  it('a case version goes up on every update, its SLA generation never back, its code, ward and channel never change', async () => {
    await refused(sql`UPDATE cases SET title = 'x' WHERE id = ${caseId}`, /version must increase/);
    await refused(sql`UPDATE cases SET version = 0 WHERE id = ${caseId}`, /version|cases_version_check/);
    await refused(
      sql`UPDATE cases SET version = version + 1, sla_generation = 0 WHERE id = ${caseId}`,
      /sla_generation/,
    );
    await refused(
      sql`UPDATE cases SET version = version + 1, code = 'OTHER-1' WHERE id = ${caseId}`,
      /never change/,
    );
    await sql`UPDATE cases SET version = version + 1, title = 'Tiêu đề mới' WHERE id = ${caseId}`.execute(
      t.container.db,
    );
  });

  it('a status and its timestamps agree', async () => {
    await refused(
      sql`UPDATE cases SET version = version + 1, status = 'closed' WHERE id = ${caseId}`,
      /cases_closed_at_matches_status|cases_answer_matches_status/,
    );
    await refused(
      sql`UPDATE cases SET version = version + 1, status = 'rejected', closed_at = now() WHERE id = ${caseId}`,
      /cases_reject_reason_matches_status/,
    );
    await refused(
      sql`UPDATE cases SET version = version + 1, status = 'answered' WHERE id = ${caseId}`,
      /cases_answer_matches_status|cases_assigned_has_department/,
    );
    await refused(
      sql`UPDATE cases SET version = version + 1, status = 'archived' WHERE id = ${caseId}`,
      /violates check constraint/,
    );
  });

  it('history is append-only and names real statuses; timers and escalations stay unique and consistent', async () => {
    await refused(sql`UPDATE case_events SET type = 'x' WHERE case_id = ${caseId}`, /append-only/);
    await refused(sql`DELETE FROM case_events WHERE case_id = ${caseId}`, /append-only/);
    await refused(
      sql`INSERT INTO case_events (case_id, type, actor_type, to_status) VALUES (${caseId}, 'note', 'system', 'done')`,
      /case_events_statuses/,
    );
    await refused(
      sql`UPDATE case_timers SET status = 'fired' WHERE case_id = ${caseId}`,
      /case_timers_fired_at_matches_status/,
    );
    await sql`INSERT INTO escalations (case_id, step, generation, due_at) VALUES (${caseId}, 'overdue', 1, now())`.execute(
      t.container.db,
    );
    await refused(
      sql`INSERT INTO escalations (case_id, step, generation, due_at) VALUES (${caseId}, 'overdue', 1, now())`,
      /escalations_case_id_step_generation_key/,
    );
    await refused(
      sql`INSERT INTO escalations (case_id, step, generation, due_at) VALUES (${caseId}, 'overdue', 0, now())`,
      /escalations_generation_positive/,
    );
  });
});
