/**
 * The floor for bench/intake: a bare Fastify 5 app (no logger, no validation, no auth, no hooks) with
 * one route that writes what POST /api/v1/cases writes for an auto-assigned case: the case row (same
 * table and columns, code from nextval('case_code_seq')), its event rows and its three timer rows, in
 * ONE named prepared statement (a data-modifying CTE). It answers 201 with the case id.
 *
 * Deadlines are plain offsets from now (no working-time calendar): the floor prices the HTTP and
 * database work, not the SLA arithmetic. The code's number is zero-padded to at least four digits and
 * never truncated (the app's lpad(n, 4, '0') cuts n >= 10000 to four digits: see bench/HISTORY.md).
 *
 * FLOOR_KIND=minimal is the other floor (issue 19): the least a case can cost — one prepared statement
 * inserting a case with its text and the request's JSON body, one event and two timer rows, into
 * tables of their own (bench_minimal_cases, _events, _timers, created at start) with a primary key and
 * nothing else: no other index, no constraint, no generated column.
 *
 * Env: DATABASE_URL, PORT, HOST (127.0.0.1), DATABASE_POOL_SIZE (20, as the app), FLOOR_CONTEXT (JSON:
 * ward, api client and categories made by run.ts), FLOOR_EVENTS (2 = as the app writes for an
 * auto-assigned case: received + assigned; 1 = the received event only), FLOOR_KIND (schema, the
 * default: the app's tables; minimal).
 */
import Fastify from 'fastify';
import pg from 'pg';

type FloorContext = {
  wardId: string;
  wardCode: string;
  apiClientId: string;
  categories: Record<string, { id: string; departmentId: string; normalMs: number; urgentMs: number }>;
};
type Body = {
  channel: string;
  externalId?: string;
  categoryCode: string;
  urgency?: 'normal' | 'urgent';
  title?: string;
  description: string;
  reporter: { name?: string; phone: string; confidential?: boolean };
  location?: { address?: string; residentialGroup?: string; lat?: number; lng?: number };
  attachments?: unknown[];
};

const env = process.env;
const ctx = JSON.parse(env.FLOOR_CONTEXT ?? '') as FloorContext;
const events = env.FLOOR_EVENTS === '1' ? 1 : 2;
const pool = new pg.Pool({
  connectionString: env.DATABASE_URL,
  max: Number(env.DATABASE_POOL_SIZE ?? 20),
  application_name: 'pakn-bench-floor',
});
pool.on('error', () => {});

const DAY = 86_400_000;
const HOUR = 3_600_000;
// The app's code prefix is WARD-yyMMdd- in Vietnam's time zone.
const ymd = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Ho_Chi_Minh',
  year: '2-digit',
  month: '2-digit',
  day: '2-digit',
})
  .format(new Date())
  .replaceAll('-', '');
const codePrefix = `${ctx.wardCode}-${ymd}-`;

// $1..$24 always; $25 (the assigned event's data) only when the floor writes two events.
const assignedEvent = `
    UNION ALL
    SELECT c.id, 'assigned', c.received_at, 'system', NULL::bigint, NULL::bigint, 'received', 'assigned', $25::jsonb
    FROM c`;

const text = `
  WITH c AS (
    INSERT INTO cases (
      code, ward_id, channel, external_id, api_client_id, created_by_user_id, status, urgency,
      category_id, department_id, title, description, reporter_name, reporter_phone,
      reporter_confidential, location_address, location_residential_group, location_lat, location_lng,
      attachments, received_at, accept_due_at, assigned_at, due_at
    )
    SELECT
      $1 || CASE WHEN s.n < 10000 THEN lpad(s.n::text, 4, '0') ELSE s.n::text END, $2, $3, $4, $5, NULL,
      'assigned', $6, $7, $8, $9, $10, $11, $12,
      $13, $14, $15, $16, $17,
      $18::jsonb, $19, $20, $19, $21
    FROM nextval('case_code_seq') AS s(n)
    ON CONFLICT (ward_id, channel, external_id, (coalesce(api_client_id, 0))) WHERE external_id IS NOT NULL
    DO NOTHING
    RETURNING id, received_at, sla_generation
  ), e AS (
    INSERT INTO case_events (
      case_id, type, at, actor_type, actor_user_id, actor_api_client_id, from_status, to_status, data
    )
    SELECT c.id, 'received', c.received_at, 'api_client', NULL::bigint, $5::bigint, NULL, 'received', $22::jsonb
    FROM c${events === 2 ? assignedEvent : ''}
  ), t AS (
    INSERT INTO case_timers (case_id, step, generation, due_at)
    SELECT c.id, x.step, c.sla_generation, x.due_at
    FROM c, (VALUES ('reminder', $23::timestamptz), ('overdue', $21::timestamptz), ('chairman', $24::timestamptz))
      AS x(step, due_at)
  )
  SELECT id FROM c`;
const name = `bench_floor_intake_${events}`;

const app = Fastify({ logger: false });

/** The minimal floor's tables: a primary key each, nothing else. */
const minimalTables = `
  CREATE TABLE IF NOT EXISTS bench_minimal_cases (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, external_id text, text text, body jsonb,
    received_at timestamptz);
  CREATE TABLE IF NOT EXISTS bench_minimal_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, case_id bigint, type text, at timestamptz, data jsonb);
  CREATE TABLE IF NOT EXISTS bench_minimal_timers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, case_id bigint, step text, due_at timestamptz)`;

const minimalText = `
  WITH c AS (
    INSERT INTO bench_minimal_cases (external_id, text, body, received_at)
    VALUES ($1, $2, $3::jsonb, $4)
    RETURNING id, received_at
  ), e AS (
    INSERT INTO bench_minimal_events (case_id, type, at, data) SELECT c.id, 'received', c.received_at, $5::jsonb FROM c
  ), t AS (
    INSERT INTO bench_minimal_timers (case_id, step, due_at)
    SELECT c.id, x.step, x.due_at FROM c, (VALUES ('overdue', $6::timestamptz), ('chairman', $7::timestamptz)) AS x(step, due_at)
  )
  SELECT id FROM c`;

if (env.FLOOR_KIND === 'minimal') {
  await pool.query(minimalTables);
  app.post('/api/v1/cases', async (req, reply) => {
    const b = req.body as Body;
    const cat = ctx.categories[b.categoryCode];
    if (!cat) return reply.code(400).send({ error: 'unknown category' });
    const now = new Date();
    const due = new Date(now.getTime() + (b.urgency === 'urgent' ? cat.urgentMs : cat.normalMs));
    const r = await pool.query<{ id: string }>({
      name: 'bench_floor_minimal',
      text: minimalText,
      values: [
        b.externalId ?? null,
        `${b.title ?? ''} ${b.description}`,
        JSON.stringify(b),
        now,
        JSON.stringify({ channel: b.channel, externalId: b.externalId ?? null }),
        due,
        new Date(due.getTime() + DAY),
      ],
    });
    return reply.code(201).send({ id: r.rows[0]?.id });
  });
} else
  app.post('/api/v1/cases', async (req, reply) => {
    const b = req.body as Body;
    const cat = ctx.categories[b.categoryCode];
    if (!cat) return reply.code(400).send({ error: 'unknown category' });
    const urgency = b.urgency ?? 'normal';
    const now = new Date();
    const due = new Date(now.getTime() + (urgency === 'urgent' ? cat.urgentMs : cat.normalMs));
    const externalId = b.externalId ?? null;
    const values: unknown[] = [
      codePrefix, // $1
      ctx.wardId,
      b.channel,
      externalId,
      ctx.apiClientId, // $5
      urgency,
      cat.id,
      cat.departmentId,
      b.title ?? null,
      b.description, // $10
      b.reporter.name ?? null,
      b.reporter.phone,
      b.reporter.confidential ?? false,
      b.location?.address ?? null,
      b.location?.residentialGroup ?? null, // $15
      b.location?.lat ?? null,
      b.location?.lng ?? null,
      JSON.stringify(b.attachments ?? []),
      now, // $19 received_at, assigned_at
      new Date(now.getTime() + 8 * HOUR), // $20 accept_due_at
      due, // $21 due_at, the overdue timer
      JSON.stringify({ channel: b.channel, externalId }),
      new Date(due.getTime() - DAY), // $23 reminder
      new Date(due.getTime() + DAY), // $24 chairman
    ];
    if (events === 2)
      values.push(JSON.stringify({ departmentId: cat.departmentId, auto: true, dueAt: due.toISOString() }));
    const r = await pool.query<{ id: string }>({ name, text, values });
    const row = r.rows[0];
    if (!row) return reply.code(409).send({ error: 'duplicate externalId' });
    return reply.code(201).send({ id: row.id });
  });

app.get('/ready', async () => {
  await pool.query('SELECT 1');
  return { status: 'ok' };
});

let closing = false;
async function shutdown() {
  if (closing) return;
  closing = true;
  await app.close();
  await pool.end();
  process.exit(0);
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

await app.listen({ port: Number(env.PORT ?? 0), host: env.HOST ?? '127.0.0.1' });
