import type pg from 'pg';
import type { CaseRow, Channel } from '../../db/types.ts';
import { withoutDiacritics } from '../../shared/vietnamese-text.ts';
import type { CitizenMessageData } from '../messages/citizen-templates.ts';
import type { Timer } from '../sla/deadlines.ts';
import type { CaseRecord, NewEvent } from './case-repository.ts';

/** The columns intake writes; every other column of a new case has its default. */
export const intakeColumns = [
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
  'reporter_email',
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
type IntakeColumn = (typeof intakeColumns)[number];

/** A new case as intake writes it: the columns above, and the ward-and-day prefix of its code. */
type IntakeRow = Pick<CaseRow, Exclude<IntakeColumn, 'attachments'>> & {
  attachments: unknown[];
  codePrefix: string;
};

/** How intake looks for likely duplicates (DUPLICATE_* settings); null: it does not. */
export type DuplicateCheck = { radiusMeters: number; windowDays: number; similarity: number };

/** Everything one intake writes. */
export type Intake = {
  row: IntakeRow;
  events: NewEvent[];
  timers: Timer[];
  /** The reporter's receipt message; null when status messages are off. */
  message: CitizenMessageData | null;
  /** Null: no lookup (no category or no map point, or DUPLICATE_RADIUS_METERS=0). */
  duplicates: DuplicateCheck | null;
  /** Channels whose externalIds the ward office shares with the channel's client (findIdempotent). */
  sharedIdChannels: readonly Channel[];
  /** The `case.created` webhook payload, less what the database decides (id, code, version). */
  created: Record<string, unknown>;
};

/**
 * The statement's parameters, in order: the case's columns, then the rest. Each appears in the SQL
 * by name (`$(name)` below), and `parameters` gives a value for every one of them.
 */
const params = [
  ...intakeColumns,
  'code_prefix',
  'events',
  'timers',
  'message',
  'created',
  'shared_id_channels',
  'dup_radius',
  'dup_window_days',
  'dup_similarity',
  'dup_text',
  'dup_box_lat',
  'dup_box_lng',
  'dup_scale',
] as const;
type Param = (typeof params)[number];
const $ = (name: Param) => `$${params.indexOf(name) + 1}`;

const metresPerDegree = 111_320;

/**
 * What pakn_possible_duplicates compares of a new case: the start of its title, description and
 * address as search_text holds them after the code (lower case, without accents).
 */
export const duplicateText = (c: Pick<IntakeRow, 'title' | 'description' | 'location_address'>) =>
  // Cut first, then fold (one character stays one): the description may run to 5,000 characters.
  withoutDiacritics(
    `${c.title ?? ''} ${c.description} ${c.location_address ?? ''}`.slice(0, 120),
  ).toLowerCase();

/**
 * The lookup's box around a point `radiusMeters` across, in degrees of latitude and longitude, and the
 * scale of a degree of longitude there (worked out here: Postgres's float8 arithmetic errs on underflow
 * near 0).
 */
export function duplicateBox(lat: number, radiusMeters: number) {
  const scale = Math.cos((lat * Math.PI) / 180);
  return {
    latSpan: radiusMeters / metresPerDegree,
    lngSpan: radiusMeters / (metresPerDegree * Math.max(scale, 1e-6)),
    scale,
  };
}

function parameters(intake: Intake): unknown[] {
  const { row, duplicates } = intake;
  const box =
    duplicates && row.location_lat !== null ? duplicateBox(row.location_lat, duplicates.radiusMeters) : null;
  const rest: Record<Exclude<Param, IntakeColumn>, unknown> = {
    code_prefix: row.codePrefix,
    events: JSON.stringify(intake.events),
    timers: JSON.stringify(intake.timers.map((x) => ({ step: x.step, due_at: x.dueAt }))),
    message: intake.message && JSON.stringify(intake.message),
    created: JSON.stringify(intake.created),
    shared_id_channels: intake.sharedIdChannels,
    dup_radius: duplicates?.radiusMeters ?? null,
    dup_window_days: duplicates?.windowDays ?? 1,
    dup_similarity: duplicates?.similarity ?? 1,
    dup_text: duplicates ? duplicateText(row) : null,
    dup_box_lat: box?.latSpan ?? null,
    dup_box_lng: box?.lngSpan ?? null,
    dup_scale: box?.scale ?? null,
  };
  return params.map((name) => {
    if (name === 'attachments') return JSON.stringify(row.attachments);
    return name in rest ? rest[name as keyof typeof rest] : row[name as IntakeColumn];
  });
}

const columnValues = intakeColumns.map((col) => (col === 'attachments' ? `${$(col)}::jsonb` : $(col)));

/**
 * The case, its events, its timers, the reporter's receipt message, the `case.created` webhook
 * deliveries and the likely duplicates, in ONE statement (data-modifying CTEs are atomic): intake
 * costs one round trip. Nothing is written when the externalId was used before by the same filer:
 * the case insert does nothing and so does every insert that reads from it. Codes take their number
 * from a sequence, padded to at least four digits (never cut: lpad truncates longer text).
 *
 * The events, timers, message and deliveries belong to other modules (cases' timeline, sla,
 * messages, notifications); intake writes their rows here because a second round trip per table
 * would cost more than the rest of intake (bench/README.md, intake).
 */
const intakeSql = `
  WITH c AS (
    INSERT INTO cases (code, ${intakeColumns.join(', ')}, possible_duplicates)
    SELECT ${$('code_prefix')}::text || CASE WHEN s.n < 10000 THEN lpad(s.n::text, 4, '0') ELSE s.n::text END,
           ${columnValues.join(', ')},
           pakn_possible_duplicates(${$('ward_id')}, ${$('category_id')}, ${$('location_lat')}, ${$('location_lng')},
             ${$('dup_box_lat')}::float8, ${$('dup_box_lng')}::float8, ${$('dup_scale')}::float8,
             ${$('dup_text')}::text, ${$('dup_radius')}::float8, ${$('dup_window_days')}::int,
             ${$('dup_similarity')}::float8)
    FROM nextval('case_code_seq') AS s(n)
    -- Idempotency belongs to its owner (issue 14): an externalId counts within the ward and channel;
    -- staff match any case of their ward, a client its own, and on a channel whose ids the ward office
    -- shares (1022 call ids) also the ward office's (sharedIdChannels).
    WHERE ${$('external_id')}::text IS NULL OR NOT EXISTS (
      SELECT 1 FROM cases x
      WHERE x.ward_id = ${$('ward_id')} AND x.channel = ${$('channel')} AND x.external_id = ${$('external_id')}
        AND (${$('api_client_id')}::bigint IS NULL OR x.api_client_id = ${$('api_client_id')}
             OR (x.api_client_id IS NULL AND ${$('channel')} = ANY(${$('shared_id_channels')}::text[]))))
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
      jsonb_to_recordset(${$('events')}::jsonb) AS (
        type text, actor_type text, actor_user_id bigint, actor_api_client_id bigint,
        from_status text, to_status text, data jsonb
      )
    ) WITH ORDINALITY AS x(type, actor_type, actor_user_id, actor_api_client_id, from_status, to_status, data, n)
    ORDER BY x.n
  ), t AS (
    INSERT INTO case_timers (case_id, step, generation, due_at)
    SELECT c.id, x.step, c.sla_generation, x.due_at
    FROM c, jsonb_to_recordset(${$('timers')}::jsonb) AS x(step text, due_at timestamptz)
  ), m AS (
    INSERT INTO citizen_messages (id, case_id, kind, event_key, data)
    SELECT gen_random_uuid(), c.id, 'received', 'received:' || c.id, ${$('message')}::jsonb
    FROM c WHERE ${$('message')}::jsonb IS NOT NULL
  ), w AS (
    -- One delivery per active webhook subscribed to case.created (notifications/webhook-outbox.ts).
    INSERT INTO webhook_deliveries (id, webhook_id, event, event_key, payload)
    SELECT gen_random_uuid(), h.id, 'case.created', 'created:' || c.id,
           jsonb_build_object('event', 'case.created', 'caseId', c.id::text, 'caseCode', c.code, 'version', c.version)
             || ${$('created')}::jsonb
    FROM c, webhooks h
    WHERE h.active AND 'case.created' = ANY(h.events)
    ON CONFLICT (webhook_id, event_key) DO NOTHING
    RETURNING id
  )
  SELECT id, code, version, sla_generation, updated_at, possible_duplicates,
         ARRAY(SELECT w.id FROM w) AS delivery_ids
  FROM c`;

/**
 * What the database decides for a new case; every other column is what intake wrote (or its default,
 * below). Returning only these spares Postgres formatting and pg parsing some forty columns per case.
 */
type Generated = Pick<
  CaseRow,
  'id' | 'code' | 'version' | 'sla_generation' | 'updated_at' | 'possible_duplicates'
> & { delivery_ids: string[] };

/**
 * A pg pool, or a client of it inside the caller's BEGIN … COMMIT (to join its transaction). Intake
 * runs on pg directly, not Kysely, to send its statement as a named prepared statement with its
 * parameters as they are: Postgres parses and plans it once per connection, which took intake's
 * Postgres CPU from 2.09 to 1.44 ms per case (bench/HISTORY.md, bench/intake experiments).
 */
type IntakeConn = pg.Pool | pg.PoolClient;

/**
 * Writes an intake (see intakeSql). Returns the case and the ids of its `case.created` deliveries,
 * for the caller to enqueue once committed; undefined when the externalId was used before.
 */
export async function insertIntake(
  conn: IntakeConn,
  intake: Intake,
): Promise<{ case: CaseRecord; deliveryIds: string[] } | undefined> {
  const result = await conn.query<Generated>({
    name: 'pakn_intake',
    text: intakeSql,
    values: parameters(intake),
  });
  const generated = result.rows[0];
  if (!generated) return undefined;
  const { codePrefix: _, ...written } = intake.row;
  const { delivery_ids: deliveryIds, ...decided } = generated;
  const record = {
    ...written,
    ...decided,
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
  return { case: record, deliveryIds };
}
