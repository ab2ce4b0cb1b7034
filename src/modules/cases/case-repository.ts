import { type SelectQueryBuilder, sql, type Transaction } from 'kysely';
import type { Conn, Pool } from '../../db/database.ts';
import type { CaseRow, CaseStatus, Channel, Database } from '../../db/types.ts';
import { withoutDiacritics } from '../../shared/vietnamese-text.ts';
import type { Publication } from '../directory/publication.ts';
import type { CitizenMessageData } from '../messages/citizen-templates.ts';
import type { Timer } from '../sla/deadlines.ts';
import type { CaseScope } from './case-scope.ts';

/** A case as the application reads it: every column but the search text (an index helper). */
export type CaseRecord = Omit<CaseRow, 'search_text' | 'tracking_nonce'>;
export type CaseWithCategory = CaseRecord & {
  category_code: string | null;
  category_publication: Publication | null;
};

export type NewEvent = {
  type: string;
  actor_type: 'user' | 'api_client' | 'system';
  actor_user_id: string | null;
  actor_api_client_id: string | null;
  from_status: CaseStatus | null;
  to_status: CaseStatus | null;
  data: Record<string, unknown>;
};

const intakeColumns = [
  'ward_id',
  'channel',
  'external_id',
  'api_client_id',
  'created_by_user_id',
  'status',
  'urgency',
  'category_id',
  'department_id',
  'title',
  'description',
  'reporter_name',
  'reporter_phone',
  'reporter_confidential',
  'location_address',
  'location_residential_group',
  'location_lat',
  'location_lng',
  'attachments',
  'received_at',
  'accept_due_at',
  'assigned_at',
  'due_at',
] as const;

/** A new case as intake writes it: the columns above, and the ward-and-day prefix of its code. */
export type IntakeRow = Pick<CaseRow, Exclude<(typeof intakeColumns)[number], 'attachments'>> & {
  attachments: unknown[];
  codePrefix: string;
};

/**
 * What the database decides for a new case; every other column is what intake wrote (or its default,
 * below). Returning only these spares Postgres formatting and pg parsing some forty columns per case.
 */
type Generated = Pick<
  CaseRow,
  'id' | 'code' | 'version' | 'sla_generation' | 'updated_at' | 'possible_duplicates'
>;

const n = intakeColumns.length;
/** The parameter of an intake column. */
const p = (col: (typeof intakeColumns)[number]) => `$${intakeColumns.indexOf(col) + 1}`;
const intakeSql = `
  WITH c AS (
    INSERT INTO cases (code, ${intakeColumns.join(', ')}, possible_duplicates)
    SELECT $${n + 1}::text || CASE WHEN s.n < 10000 THEN lpad(s.n::text, 4, '0') ELSE s.n::text END,
           ${intakeColumns.map((col, i) => (col === 'attachments' ? `$${i + 1}::jsonb` : `$${i + 1}`)).join(', ')},
           pakn_possible_duplicates(${p('ward_id')}, ${p('category_id')}, ${p('location_lat')}, ${p('location_lng')},
             $${n + 9}::float8, $${n + 10}::float8, $${n + 11}::float8,
             $${n + 8}::text, $${n + 5}::float8, $${n + 6}::int, $${n + 7}::float8)
    FROM nextval('case_code_seq') AS s(n)
    -- Idempotency belongs to its owner (issue 14): an externalId counts within the ward and channel;
    -- staff match any case of their ward, a client its own, and on a channel whose ids the ward office
    -- shares (1022 call ids) also the ward office's (sharedIdChannels).
    WHERE ${p('external_id')}::text IS NULL OR NOT EXISTS (
      SELECT 1 FROM cases x
      WHERE x.ward_id = ${p('ward_id')} AND x.channel = ${p('channel')} AND x.external_id = ${p('external_id')}
        AND (${p('api_client_id')}::bigint IS NULL OR x.api_client_id = ${p('api_client_id')}
             OR (x.api_client_id IS NULL AND ${p('channel')} = ANY($${n + 12}::text[]))))
    ON CONFLICT (ward_id, channel, external_id, (coalesce(api_client_id, 0))) WHERE external_id IS NOT NULL
    DO NOTHING
    RETURNING id, code, received_at, version, sla_generation, updated_at, possible_duplicates
  ), e AS (
    INSERT INTO case_events (
      case_id, type, at, actor_type, actor_user_id, actor_api_client_id, from_status, to_status, data
    )
    SELECT c.id, x.type, c.received_at, x.actor_type, x.actor_user_id, x.actor_api_client_id,
           x.from_status, x.to_status, x.data
    FROM c, ROWS FROM (
      jsonb_to_recordset($${n + 2}::jsonb) AS (
        type text, actor_type text, actor_user_id bigint, actor_api_client_id bigint,
        from_status text, to_status text, data jsonb
      )
    ) WITH ORDINALITY AS x(type, actor_type, actor_user_id, actor_api_client_id, from_status, to_status, data, n)
    ORDER BY x.n
  ), t AS (
    INSERT INTO case_timers (case_id, step, generation, due_at)
    SELECT c.id, x.step, c.sla_generation, x.due_at
    FROM c, jsonb_to_recordset($${n + 3}::jsonb) AS x(step text, due_at timestamptz)
  ), m AS (
    INSERT INTO citizen_messages (id, case_id, kind, event_key, data)
    SELECT gen_random_uuid(), c.id, 'received', 'received:' || c.id, $${n + 4}::jsonb
    FROM c WHERE $${n + 4}::jsonb IS NOT NULL
  )
  SELECT id, code, version, sla_generation, updated_at, possible_duplicates FROM c`;

/**
 * What pakn_possible_duplicates compares of a new case: the start of its title, description and
 * address as search_text holds them after the code (lower case, without accents).
 */
export const duplicateText = (c: Pick<IntakeRow, 'title' | 'description' | 'location_address'>) =>
  // Cut first, then fold (one character stays one): the description may run to 5,000 characters.
  withoutDiacritics(
    `${c.title ?? ''} ${c.description} ${c.location_address ?? ''}`.slice(0, 120),
  ).toLowerCase();

const metresPerDegree = 111_320;

/**
 * The lookup's box around a point, in degrees of latitude and longitude, and the scale of a degree of
 * longitude there (worked out here: Postgres's float8 arithmetic errs on underflow near 0).
 */
function duplicateBox(
  check: DuplicateCheck | null,
  lat: number | null,
): [number | null, number | null, number | null] {
  if (!check || lat === null) return [null, null, null];
  const scale = Math.cos((lat * Math.PI) / 180);
  return [
    check.radiusMeters / metresPerDegree,
    check.radiusMeters / (metresPerDegree * Math.max(scale, 1e-6)),
    scale,
  ];
}

/** How intake looks for likely duplicates (DUPLICATE_* settings); null: it does not. */
export type DuplicateCheck = { radiusMeters: number; windowDays: number; similarity: number };

/**
 * Inserts the case, its events, its timers and the reporter's receipt message (unless `message` is
 * null) in ONE statement, with the likely duplicates it found on the way (a case with a category and
 * a map point only) (data-modifying CTEs are atomic), so
 * intake costs one round trip; as a named prepared statement, Postgres parses and plans it once per
 * connection. Returns undefined when (channel, externalId) already exists: the conflicting insert
 * does nothing and neither do the event and timer inserts that read from it. Codes take their
 * number from a sequence, padded to at least four digits (never cut: lpad truncates longer text).
 */
export async function insertIntake(
  pool: Pool,
  c: IntakeRow,
  events: NewEvent[],
  timers: Timer[],
  message: CitizenMessageData | null,
  duplicates: DuplicateCheck | null,
): Promise<CaseRecord | undefined> {
  const values: unknown[] = intakeColumns.map((col) =>
    col === 'attachments' ? JSON.stringify(c.attachments) : c[col],
  );
  values.push(
    c.codePrefix,
    JSON.stringify(events),
    JSON.stringify(timers.map((x) => ({ step: x.step, due_at: x.dueAt }))),
    message && JSON.stringify(message),
    duplicates?.radiusMeters ?? null,
    duplicates?.windowDays ?? 1,
    duplicates?.similarity ?? 1,
    duplicates ? duplicateText(c) : null,
    ...duplicateBox(duplicates, c.location_lat),
    sharedIdChannels,
  );
  const result = await pool.query<Generated>({ name: 'pakn_intake', text: intakeSql, values });
  const generated = result.rows[0];
  if (!generated) return undefined;
  const { codePrefix: _, ...written } = c;
  return {
    ...written,
    ...generated,
    paused_at: null,
    answered_at: null,
    closed_at: null,
    answer_text: null,
    answer_published: null,
    public_answer: null,
    answer_attachments: [],
    rating_score: null,
    rating_comment: null,
    reject_reason: null,
    duplicate_of: null,
    sla_remaining_seconds: null,
  } as CaseRecord;
}

/**
 * The columns of a CaseRecord. `cases.*` would also carry search_text, a normalised copy of the
 * code, title, description and address (about as long as the description): fetched, sent and parsed
 * for every case of every list and action, and never read.
 */
export const caseColumns = [
  'id',
  'code',
  ...intakeColumns,
  'paused_at',
  'answered_at',
  'closed_at',
  'answer_text',
  'answer_published',
  'public_answer',
  'rating_score',
  'rating_comment',
  'reject_reason',
  'duplicate_of',
  'possible_duplicates',
  'version',
  'sla_generation',
  'sla_remaining_seconds',
  'answer_attachments',
  'updated_at',
] as const satisfies readonly (keyof CaseRecord)[];

// Every CaseRecord column is listed (a new column that is not fails type checking here).
const allListed: Record<Exclude<keyof CaseRecord, (typeof caseColumns)[number]>, never> = {};
void allListed;

const qualifiedCaseColumns = caseColumns.map((c) => `cases.${c}` as const);

type CaseQuery = SelectQueryBuilder<
  Database & { categories: Database['categories'] },
  'cases' | 'categories',
  CaseWithCategory
>;

export function selectCases(db: Conn): CaseQuery {
  return db
    .selectFrom('cases')
    .leftJoin('categories', 'categories.id', 'cases.category_id')
    .select(qualifiedCaseColumns)
    .select([
      'categories.code as category_code',
      'categories.publication as category_publication',
    ]) as unknown as CaseQuery;
}

export function scoped(q: CaseQuery, scope: CaseScope): CaseQuery {
  switch (scope.kind) {
    case 'all':
      return q;
    case 'ward':
      return q.where('cases.ward_id', '=', scope.wardId);
    case 'department':
      return q
        .where('cases.department_id', '=', scope.departmentId)
        .where('cases.ward_id', '=', scope.wardId);
    case 'api_client':
      return q.where('cases.api_client_id', '=', scope.clientId);
    case 'none':
      return q.where(sql<boolean>`false`);
  }
}

export const findCase = (db: Conn, id: string, scope: CaseScope) =>
  scoped(selectCases(db), scope).where('cases.id', '=', id).executeTakeFirst();

/**
 * Channels whose externalIds the ward office shares with the channel's client: a 1022 call is typed
 * in by the switchboard and, when a clerk takes it, by the ward office, under the same call id — one
 * case. The app's ids are the app's alone: a clerk who files one first does not take the app's report.
 */
export const sharedIdChannels: readonly Channel[] = ['hotline_1022'];

/**
 * The case an intake with this externalId repeats, as intake's SQL matches it: in the ward and
 * channel, any (staff), or the client's own first, then the ward office's on a shared channel — which
 * the client then follows as its own (the switchboard reads back the call a clerk also typed in).
 */
export async function findIdempotent(
  db: Conn,
  key: { wardId: string; channel: Channel; externalId: string; apiClientId: string | null },
) {
  let q = selectCases(db)
    .where('cases.ward_id', '=', key.wardId)
    .where('cases.channel', '=', key.channel)
    .where('cases.external_id', '=', key.externalId);
  const client = key.apiClientId;
  if (client !== null)
    q = q
      .where((eb) =>
        sharedIdChannels.includes(key.channel)
          ? eb.or([eb('cases.api_client_id', '=', client), eb('cases.api_client_id', 'is', null)])
          : eb('cases.api_client_id', '=', client),
      )
      .orderBy(sql`cases.api_client_id IS NULL`);
  const found = await q.limit(1).executeTakeFirst();
  if (!found || client === null || found.api_client_id !== null) return found;
  const linked = await db
    .updateTable('cases')
    .set({ api_client_id: client, version: sql`version + 1`, updated_at: new Date() })
    .where('id', '=', found.id)
    .where('api_client_id', 'is', null)
    .returning(['version', 'updated_at'])
    .executeTakeFirst();
  if (!linked) return found;
  await insertEvent(db, found.id, {
    type: 'filed_again',
    actor_type: 'api_client',
    actor_user_id: null,
    actor_api_client_id: client,
    from_status: found.status,
    to_status: found.status,
    data: { channel: key.channel, externalId: key.externalId },
  });
  return { ...found, ...linked, api_client_id: client };
}

export function listEvents(db: Conn, caseId: string, afterId: string | undefined, limit: number) {
  let q = db
    .selectFrom('case_events as e')
    .leftJoin('users as u', 'u.id', 'e.actor_user_id')
    .leftJoin('api_clients as a', 'a.id', 'e.actor_api_client_id')
    .select([
      'e.id',
      'e.type',
      'e.at',
      'e.actor_type',
      'e.actor_user_id',
      'e.actor_api_client_id',
      'e.from_status',
      'e.to_status',
      'e.data',
      'u.full_name as user_name',
      'a.name as client_name',
    ])
    .where('e.case_id', '=', caseId)
    .orderBy('e.id')
    .limit(limit);
  if (afterId) q = q.where('e.id', '>', afterId);
  return q.execute();
}

/** The case, locked for the rest of the transaction, with its ward's code for the SLA context. */
export function findCaseForUpdate(trx: Transaction<Database>, id: string, scope: CaseScope) {
  return scoped(selectCases(trx), scope)
    .innerJoin('wards', 'wards.id', 'cases.ward_id')
    .select('wards.code as ward_code')
    .where('cases.id', '=', id)
    .forUpdate('cases')
    .executeTakeFirst();
}

export function insertEvent(db: Conn, caseId: string, event: NewEvent): Promise<void> {
  return insertEvents(db, [{ caseId, event }]);
}

/** Appends events to many cases' timelines in one statement. */
export async function insertEvents(db: Conn, events: { caseId: string; event: NewEvent }[]): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto('case_events')
    .values(
      events.map(({ caseId, event }) => ({ case_id: caseId, ...event, data: JSON.stringify(event.data) })),
    )
    .execute();
}
