/**
 * Rows for the escalation benchmark, written straight into the database (no API): one ward, one
 * department, its head, the ward's intake officer and chairman, one category, a continuous-clock
 * ladder, and cases with one `overdue` timer each, inserted server-side in large batches.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import { hashPassword } from '../../src/modules/auth/passwords.ts';

/** The step every benchmark timer belongs to, and the roles it notifies (2 notifications per case). */
export const BENCH_STEP = 'overdue';
export const NOTIFIED_PER_ESCALATION = 2;

/**
 * Continuous clock throughout, so a timer fires exactly at the due_at we write (no working-time
 * arithmetic anywhere between the row and the firing).
 */
export const benchPolicy = {
  acceptWithin: { duration: 'PT8H', clock: 'continuous' },
  steps: [
    { key: 'accept_overdue', anchor: 'acceptDueAt', offset: 'PT0S', clock: 'continuous', notify: ['intake'] },
    { key: 'reminder', anchor: 'dueAt', offset: '-PT1H', clock: 'continuous', notify: ['department_head'] },
    {
      key: BENCH_STEP,
      anchor: 'dueAt',
      offset: 'PT0S',
      clock: 'continuous',
      notify: ['intake', 'department_head'],
    },
    { key: 'chairman', anchor: 'dueAt', offset: 'P1D', clock: 'continuous', notify: ['chairman'] },
  ],
};

export type BenchWard = { wardId: string; departmentId: string; categoryId: string; userIds: string[] };

export async function seedWard(db: Db): Promise<BenchWard> {
  // Nobody signs in during the benchmark; one real hash serves all three users.
  const passwordHash = await hashPassword(randomUUID());
  const ward = await db
    .insertInto('wards')
    .values({ code: 'BENCH_ESC', name: 'Phường Bench Escalation' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const department = await db
    .insertInto('departments')
    .values({ ward_id: ward.id, code: 'ktht', name: 'Phòng Kinh tế – Hạ tầng – Đô thị' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const users = await db
    .insertInto('users')
    .values(
      (
        [
          { username: 'bench.intake', role: 'intake', department_id: null, full_name: 'Cán bộ tiếp nhận' },
          { username: 'bench.chairman', role: 'chairman', department_id: null, full_name: 'Chủ tịch phường' },
          {
            username: 'bench.head',
            role: 'department_head',
            department_id: department.id,
            full_name: 'Trưởng phòng KTHT',
          },
        ] as const
      ).map((u) => ({ ...u, password_hash: passwordHash, ward_id: ward.id })),
    )
    .returning('id')
    .execute();
  const category = await db
    .insertInto('categories')
    .values({
      code: 'chieu_sang',
      name: 'Chiếu sáng công cộng',
      default_department_code: 'ktht',
      sla_normal_duration: 'P10D',
      sla_normal_clock: 'continuous',
      sla_urgent_duration: 'P3D',
      sla_urgent_clock: 'continuous',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('escalation_policies')
    .values({ ward_id: ward.id, policy: JSON.stringify(benchPolicy) })
    .execute();
  return {
    wardId: ward.id,
    departmentId: department.id,
    categoryId: category.id,
    userIds: users.map((u) => u.id),
  };
}

/**
 * Inserts one assigned case per due time, each with its `overdue` timer (generation = the case's
 * sla_generation, due_at = the case's due_at), `batch` cases per statement (a data-modifying CTE,
 * generated server-side from an array of due times). Returns the number inserted.
 */
export async function insertCases(
  db: Db,
  ward: BenchWard,
  opts: { codePrefix: string; dueAt: Date[]; batch?: number },
): Promise<number> {
  const batch = opts.batch ?? 5_000;
  let inserted = 0;
  for (let i = 0; i < opts.dueAt.length; i += batch) {
    const due = opts.dueAt.slice(i, i + batch).map((d) => d.toISOString());
    const r = await sql<{ n: string }>`
      WITH d AS (
        SELECT u.due, u.ord FROM unnest(${due}::timestamptz[]) WITH ORDINALITY AS u(due, ord)
      ), c AS (
        INSERT INTO cases (
          code, ward_id, channel, status, urgency, category_id, department_id, title, description,
          reporter_name, reporter_phone, location_address, received_at, accept_due_at, assigned_at, due_at
        )
        SELECT ${opts.codePrefix} || lpad(nextval('case_code_seq')::text, 7, '0'), ${ward.wardId}, 'web',
               'assigned', 'normal', ${ward.categoryId}, ${ward.departmentId}, 'Đèn đường không sáng',
               'Đèn chiếu sáng trên tuyến đường trước nhà số ' || d.ord || ' tổ dân phố 4 bị hỏng nhiều ngày.',
               'Nguyễn Văn An', '0912000111', 'Ngõ 12, tổ dân phố 4', now(), now() + interval '8 hours',
               now(), d.due
        FROM d ORDER BY d.ord
        RETURNING id, sla_generation, due_at
      ), t AS (
        INSERT INTO case_timers (case_id, step, generation, due_at)
        SELECT id, ${BENCH_STEP}, sla_generation, due_at FROM c
        RETURNING 1
      )
      SELECT count(*)::text AS n FROM t
    `.execute(db);
    inserted += Number(r.rows[0]?.n ?? 0);
  }
  return inserted;
}
