/**
 * Writing the city: the directory through Kysely (a few thousand rows), the cases and everything they
 * left behind through one server-side statement per batch — json_to_recordset() over one JSON array
 * per table feeding data-modifying CTEs, so a batch of cases, their events, timers, escalations and
 * notifications is one round trip and one transaction, with check constraints, unique keys and
 * triggers in force (run.ts takes the plain indexes and foreign keys off for the load and puts them
 * back, checked, at the end).
 */
import { sql } from 'kysely';
import type pg from 'pg';
import type { Db } from '../../src/db/database.ts';
import type { Channel } from '../../src/db/types.ts';
import { generateApiKey } from '../../src/modules/auth/api-keys.ts';
import { defaultCalendar } from '../../src/modules/sla/calendar.ts';
import { defaultEscalationPolicy } from '../../src/modules/sla/escalation-policy.ts';
import { categories as standardCategories } from '../../src/seed/viet-hoa.ts';
import { type CityWard, cityApiClients, departmentsOf, staffOf } from './city.ts';
import type {
  CaseRow,
  Directory,
  EscalationRow,
  EventRow,
  NotificationRow,
  SeedDepartment,
  SeedWard,
  TimerRow,
} from './generator.ts';
import { createRng } from './random.ts';

/** Wards, departments, categories, staff, channel clients, calendars and ladders. */
export async function seedDirectory(
  db: Db,
  city: CityWard[],
  opts: { passwordHash: string; seed: number },
): Promise<Directory & { users: number }> {
  const rng = createRng(opts.seed ^ 0x0ff1ce);
  const calendar = defaultCalendar();
  const policy = defaultEscalationPolicy();
  const wardRows = await db
    .insertInto('wards')
    .values(city.map((w) => ({ code: w.code, name: w.name })))
    .returning(['id', 'code'])
    .execute();
  const wardIds = new Map(wardRows.map((w) => [w.code, w.id]));
  const idOf = (w: CityWard) => wardIds.get(w.code) as string;

  const deptRows = await db
    .insertInto('departments')
    .values(
      city.flatMap((w) => departmentsOf(w).map((d) => ({ ward_id: idOf(w), code: d.code, name: d.name }))),
    )
    .returning(['id', 'ward_id', 'code', 'name'])
    .execute();
  await db
    .insertInto('ward_calendars')
    .values(
      city.map((w) => ({
        ward_id: idOf(w),
        calendar: JSON.stringify({ timezone: calendar.timezone, businessHours: calendar.businessHours }),
      })),
    )
    .execute();
  await db
    .insertInto('escalation_policies')
    .values(city.map((w) => ({ ward_id: idOf(w), policy: JSON.stringify(policy) })))
    .execute();

  const categoryRows = await db
    .insertInto('categories')
    .values(
      standardCategories.map((c) => ({
        code: c.code,
        name: c.name,
        default_department_code: c.defaultDepartmentCode ?? null,
        sla_normal_duration: c.sla.normal.duration,
        sla_normal_clock: c.sla.normal.clock ?? 'working',
        sla_urgent_duration: c.sla.urgent.duration,
        sla_urgent_clock: c.sla.urgent.clock ?? 'working',
      })),
    )
    .returningAll()
    .execute();

  const staff = city.flatMap((w) =>
    staffOf(w, rng).map((u) => ({
      ward: w,
      username: u.username,
      full_name: u.fullName,
      role: u.role,
      department: u.department,
    })),
  );
  const deptId = (wardId: string, code: string) =>
    deptRows.find((d) => d.ward_id === wardId && d.code === code)?.id ?? null;
  const userRows = await db
    .insertInto('users')
    .values([
      { username: 'admin', full_name: 'Quản trị hệ thống', role: 'admin', password_hash: opts.passwordHash },
      ...staff.map((u) => ({
        username: u.username,
        full_name: u.full_name,
        role: u.role,
        password_hash: opts.passwordHash,
        ward_id: idOf(u.ward),
        department_id: u.department ? deptId(idOf(u.ward), u.department) : null,
      })),
    ])
    .returning(['id', 'username'])
    .execute();
  const userId = new Map(userRows.map((u) => [u.username, u.id]));

  const clients = new Map<Channel, string>();
  for (const c of cityApiClients) {
    const key = generateApiKey();
    const row = await db
      .insertInto('api_clients')
      .values({ name: c.name, channel: c.channel, key_prefix: key.prefix, key_hash: key.hash })
      .returning('id')
      .executeTakeFirstOrThrow();
    clients.set(c.channel, row.id);
  }

  const wards: SeedWard[] = city.map((w) => {
    const id = idOf(w);
    const slug = w.code.toLowerCase();
    const u = (name: string) => userId.get(`${slug}.${name}`) as string;
    const departments = new Map<string, SeedDepartment>();
    for (const d of deptRows.filter((x) => x.ward_id === id))
      departments.set(d.code, {
        id: d.id,
        code: d.code,
        name: d.name,
        head: u(`${d.code}.truongphong`),
        officer: u(`${d.code}.canbo`),
      });
    return { id, city: w, intake: [u('tiepnhan'), u('tiepnhan2')], chairman: u('chutich'), departments };
  });
  const categories = new Map(
    categoryRows.map((c) => [
      c.code,
      {
        id: c.id,
        code: c.code,
        defaultDepartmentCode: c.default_department_code,
        sla: {
          normal: { duration: c.sla_normal_duration, clock: c.sla_normal_clock },
          urgent: { duration: c.sla_urgent_duration, clock: c.sla_urgent_clock },
        },
      },
    ]),
  );
  return { wards, categories, clients, calendar, policy, users: userRows.length };
}

// ---- the batch statement ---------------------------------------------------------------------------

const ts = (col: string) => `to_timestamp(${col} / 1000.0)`;

/** Case columns and their SQL types; `time` travels as epoch milliseconds, `jsonb` as a JSON string. */
const caseColumns: [keyof CaseRow, string][] = [
  ['code', 'text'],
  ['ward_id', 'bigint'],
  ['channel', 'text'],
  ['external_id', 'text'],
  ['api_client_id', 'bigint'],
  ['created_by_user_id', 'bigint'],
  ['status', 'text'],
  ['urgency', 'text'],
  ['category_id', 'bigint'],
  ['department_id', 'bigint'],
  ['title', 'text'],
  ['description', 'text'],
  ['reporter_name', 'text'],
  ['reporter_phone', 'text'],
  ['reporter_confidential', 'boolean'],
  ['location_address', 'text'],
  ['location_residential_group', 'text'],
  ['location_lat', 'float8'],
  ['location_lng', 'float8'],
  ['attachments', 'jsonb'],
  ['received_at', 'time'],
  ['accept_due_at', 'time'],
  ['assigned_at', 'time'],
  ['due_at', 'time'],
  ['paused_at', 'time'],
  ['answered_at', 'time'],
  ['closed_at', 'time'],
  ['answer_text', 'text'],
  ['rating_score', 'smallint'],
  ['rating_comment', 'text'],
  ['reject_reason', 'text'],
  ['version', 'integer'],
  ['sla_generation', 'integer'],
  ['sla_remaining_seconds', 'float8'],
  ['updated_at', 'time'],
];
const recordType = (t: string) => (t === 'time' ? 'float8' : t === 'jsonb' ? 'text' : t);
const expr = (t: string, col: string) => (t === 'time' ? ts(col) : t === 'jsonb' ? `${col}::jsonb` : col);
/** `ROWS FROM (json_to_recordset($n) AS (…)) WITH ORDINALITY AS alias(…, ord)` over one JSON array. */
const rows = (n: number, alias: string, cols: [string, string][]) =>
  `ROWS FROM (json_to_recordset($${n}::json) AS (${cols.map(([c, t]) => `${c} ${recordType(t)}`).join(', ')}))
    WITH ORDINALITY AS ${alias}(${cols.map(([c]) => c).join(', ')}, ord)`;

const eventColumns: [string, string][] = [
  ['case_id', 'bigint'],
  ['type', 'text'],
  ['at', 'time'],
  ['actor_type', 'text'],
  ['actor_user_id', 'bigint'],
  ['actor_api_client_id', 'bigint'],
  ['from_status', 'text'],
  ['to_status', 'text'],
  ['data', 'jsonb'],
];
const timerColumns: [string, string][] = [
  ['case_id', 'bigint'],
  ['step', 'text'],
  ['generation', 'integer'],
  ['due', 'time'],
  ['status', 'text'],
  ['enqueued', 'time'],
  ['fired', 'time'],
  ['created', 'time'],
];
const escalationColumns: [string, string][] = [
  ['id', 'bigint'],
  ['case_id', 'bigint'],
  ['step', 'text'],
  ['generation', 'integer'],
  ['due', 'time'],
  ['fired', 'time'],
];
const notificationColumns: [string, string][] = [
  ['case_id', 'bigint'],
  ['escalation_id', 'bigint'],
  ['user_id', 'bigint'],
  ['step', 'text'],
  ['title', 'text'],
  ['body', 'text'],
  ['created', 'time'],
  ['read', 'time'],
];
const select = (alias: string, cols: [string, string][]) =>
  cols.map(([c, t]) => expr(t, `${alias}.${c}`)).join(', ');

/**
 * One batch, one statement: each table's rows arrive as one JSON array, expanded server-side by
 * json_to_recordset. Case and escalation ids are drawn by the seed from the tables' own identity
 * sequences (it is the only writer; run.ts moves the sequences past them at the end), so rows reference
 * each other without joins (OVERRIDING SYSTEM VALUE).
 */
export const batchSql = `
WITH c AS (
  INSERT INTO cases (id, ${caseColumns.map(([c]) => c).join(', ')})
  OVERRIDING SYSTEM VALUE
  SELECT s.id, ${select('s', caseColumns)}
  FROM ${rows(1, 's', [['id', 'bigint'], ...caseColumns])}
  ORDER BY s.ord
  RETURNING 1
), e AS (
  INSERT INTO case_events (case_id, type, at, actor_type, actor_user_id, actor_api_client_id, from_status, to_status, data)
  SELECT ${select('x', eventColumns)}
  FROM ${rows(2, 'x', eventColumns)}
  ORDER BY x.ord
  RETURNING 1
), t AS (
  INSERT INTO case_timers (case_id, step, generation, due_at, status, enqueued_at, fired_at, created_at)
  SELECT ${select('x', timerColumns)}
  FROM ${rows(3, 'x', timerColumns)}
  ORDER BY x.ord
  RETURNING 1
), esc AS (
  INSERT INTO escalations (id, case_id, step, generation, due_at, fired_at)
  OVERRIDING SYSTEM VALUE
  SELECT ${select('x', escalationColumns)}
  FROM ${rows(4, 'x', escalationColumns)}
  ORDER BY x.ord
  RETURNING 1
), n AS (
  INSERT INTO notifications (case_id, escalation_id, user_id, step, title, body, created_at, read_at, type)
  SELECT ${select('x', notificationColumns)}, 'escalation'
  FROM ${rows(5, 'x', notificationColumns)}
  ORDER BY x.ord
  RETURNING 1
)
SELECT (SELECT count(*) FROM c)::int AS cases, (SELECT count(*) FROM e)::int AS events,
       (SELECT count(*) FROM t)::int AS timers, (SELECT count(*) FROM esc)::int AS escalations,
       (SELECT count(*) FROM n)::int AS notifications`;

export type Batch = {
  cases: CaseRow[];
  events: EventRow[];
  timers: TimerRow[];
  escalations: EscalationRow[];
  notifications: NotificationRow[];
};

export type BatchResult = {
  cases: number;
  events: number;
  timers: number;
  escalations: number;
  notifications: number;
};

/**
 * Runs one batch. Case `i` (global, in time order) gets id `caseIdBase + i`; the batch's escalations
 * get ids from `escalationIdBase` on, in order, and their notifications point at them.
 */
export async function insertBatch(
  client: pg.Client,
  b: Batch,
  ids: { caseIdBase: number; firstCase: number; escalationIdBase: number },
): Promise<BatchResult> {
  const caseId = (i: number) => ids.caseIdBase + i;
  const escalationIds = new Map<string, number>();
  const key = (r: { caseIndex: number; step: string; generation: number }) =>
    `${r.caseIndex}:${r.step}:${r.generation}`;
  b.escalations.forEach((e, k) => {
    escalationIds.set(key(e), ids.escalationIdBase + k);
  });
  const values = [
    JSON.stringify(b.cases.map((r, k) => ({ ...r, id: caseId(ids.firstCase + k) }))),
    JSON.stringify(
      b.events.map((e) => ({
        case_id: caseId(e.caseIndex),
        type: e.type,
        at: e.at,
        actor_type: e.actor_type,
        actor_user_id: e.actor_user_id,
        actor_api_client_id: e.actor_api_client_id,
        from_status: e.from_status,
        to_status: e.to_status,
        data: e.data,
      })),
    ),
    JSON.stringify(b.timers.map(({ caseIndex, ...t }) => ({ ...t, case_id: caseId(caseIndex) }))),
    JSON.stringify(
      b.escalations.map(({ caseIndex, ...e }, k) => ({
        ...e,
        id: ids.escalationIdBase + k,
        case_id: caseId(caseIndex),
      })),
    ),
    JSON.stringify(
      b.notifications.map((n) => {
        const escalationId = escalationIds.get(key(n));
        if (escalationId === undefined) throw new Error(`notification without its escalation (${key(n)})`);
        return {
          case_id: caseId(n.caseIndex),
          escalation_id: escalationId,
          user_id: n.userId,
          step: n.step,
          title: n.title,
          body: n.body,
          created: n.created,
          read: n.read,
        };
      }),
    ),
  ];
  const r = await client.query<BatchResult>(batchSql, values);
  return r.rows[0] as BatchResult;
}

// ---- bulk-load helpers -----------------------------------------------------------------------------

export const loadedTables = ['cases', 'case_events', 'case_timers', 'escalations', 'notifications'];

/**
 * The loaded tables' plain (non-unique) indexes, dropped for the load and built again afterwards
 * from their own definitions: building a trigram GIN index once is far cheaper than maintaining it
 * row by row. Primary keys and unique indexes stay: they are constraints.
 */
export async function plainIndexes(client: pg.Client): Promise<{ name: string; def: string }[]> {
  const r = await client.query<{ name: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
     FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
     WHERE t.relname = ANY($1) AND t.relnamespace = 'public'::regnamespace
       AND NOT i.indisunique AND NOT i.indisprimary
     ORDER BY t.relname, 1`,
    [loadedTables],
  );
  return r.rows;
}

/**
 * The loaded tables' foreign keys, dropped for the load and added back afterwards from their own
 * definitions (as pg_restore does): ADD CONSTRAINT checks every row in one join per key instead of
 * one lookup per row, which halves the load. Check constraints, unique keys and triggers stay.
 */
export async function foreignKeys(
  client: pg.Client,
): Promise<{ table: string; name: string; def: string }[]> {
  const r = await client.query<{ table: string; name: string; def: string }>(
    `SELECT t.relname AS table, c.conname AS name, pg_get_constraintdef(c.oid) AS def
     FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
     WHERE c.contype = 'f' AND t.relname = ANY($1) AND t.relnamespace = 'public'::regnamespace
     ORDER BY t.relname, c.conname`,
    [loadedTables],
  );
  return r.rows;
}

export async function databaseSize(db: Db) {
  const r = await sql<{ table: string; rows: string; total: string; bytes: string }>`
    SELECT c.relname AS table, c.reltuples::bigint::text AS rows,
           pg_size_pretty(pg_total_relation_size(c.oid)) AS total, pg_total_relation_size(c.oid)::text AS bytes
    FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
    ORDER BY pg_total_relation_size(c.oid) DESC`.execute(db);
  const total = await sql<{ size: string; bytes: string }>`
    SELECT pg_size_pretty(pg_database_size(current_database())) AS size,
           pg_database_size(current_database())::text AS bytes`.execute(db);
  return { tables: r.rows, database: total.rows[0] };
}
