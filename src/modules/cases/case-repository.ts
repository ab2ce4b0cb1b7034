import { type SelectQueryBuilder, sql, type Transaction } from 'kysely';
import type { Conn } from '../../db/database.ts';
import type { CaseRow, CaseStatus, Channel, Database } from '../../db/types.ts';
import type { Publication } from '../directory/publication.ts';
import type { CaseScope } from './case-scope.ts';
import { intakeColumns } from './intake-statement.ts';

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

/** The officer's answer proposal waiting for the head (the workflow writes them), as a case shows it. */
export async function pendingAnswerProposal(db: Conn, caseId: string) {
  const p = await db
    .selectFrom('answer_proposals as p')
    .innerJoin('users as u', 'u.id', 'p.proposed_by_user_id')
    .select(['p.id', 'p.answer', 'p.attachments', 'p.created_at', 'p.proposed_by_user_id', 'u.full_name'])
    .where('p.case_id', '=', caseId)
    .where('p.status', '=', 'proposed')
    .executeTakeFirst();
  return p
    ? {
        id: p.id,
        answer: p.answer,
        attachments: p.attachments,
        proposedBy: { id: p.proposed_by_user_id, name: p.full_name },
        proposedAt: p.created_at.toISOString(),
      }
    : null;
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
