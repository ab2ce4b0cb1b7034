import { sql, type Transaction } from 'kysely';
import type { Conn } from '../../db/database.ts';
import type { Database, Role } from '../../db/types.ts';

const columns = [
  'n.id',
  'n.type',
  'n.case_id',
  'c.code as case_code',
  'n.step',
  'n.created_at',
  'n.read_at',
  'n.title',
  'n.body',
] as const;

const withCase = (db: Conn) =>
  db.selectFrom('notifications as n').leftJoin('cases as c', 'c.id', 'n.case_id').select(columns);

/** A user's notifications, newest first, ids below `beforeId` (keyset page). */
export function listInbox(
  db: Conn,
  userId: string,
  opts: { beforeId: string | undefined; limit: number; unreadOnly: boolean },
) {
  let q = withCase(db).where('n.user_id', '=', userId).orderBy('n.id', 'desc').limit(opts.limit);
  if (opts.beforeId) q = q.where('n.id', '<', opts.beforeId);
  if (opts.unreadOnly) q = q.where('n.read_at', 'is', null);
  return q.execute();
}

/**
 * How many of the user's notifications are unread, counted up to `cap` (a badge shows "99+"): ids only,
 * from the unread notifications' own partial index, without their cases or texts.
 */
export async function countUnread(db: Conn, userId: string, cap: number): Promise<number> {
  const unread = db
    .selectFrom('notifications')
    .select('id')
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .limit(cap)
    .as('u');
  const row = await db
    .selectFrom(unread)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Marks the user's notification read (the first reading time stays); undefined when not theirs. */
export async function markRead(db: Conn, userId: string, id: string) {
  const updated = await db
    .updateTable('notifications')
    .set({ read_at: sql`coalesce(read_at, now())` })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returning('id')
    .executeTakeFirst();
  if (!updated) return undefined;
  return withCase(db).where('n.id', '=', id).executeTakeFirst();
}

export type NotificationRow = NonNullable<Awaited<ReturnType<typeof markRead>>>;

/**
 * Notifies every active user holding one of `roles` for the case — the ward's office roles (intake,
 * chairman) in its ward, the department's roles in its department — in one statement. Returns how
 * many were notified; (escalation, user) is unique, so a repeat adds nobody.
 */
export async function notifyRoles(
  trx: Transaction<Database>,
  kase: { id: string; ward_id: string; department_id: string | null },
  roles: readonly Role[],
  n: { escalationId: string; step: string; title: string; body: string },
): Promise<number> {
  const wardRoles = roles.filter((r) => r === 'intake' || r === 'chairman');
  const departmentRoles = roles.filter((r) => r === 'department_head' || r === 'department_officer');
  const departmentId = kase.department_id;
  const recipients = trx
    .selectFrom('users')
    .select([
      'users.id as user_id',
      sql<string>`${kase.id}::bigint`.as('case_id'),
      sql<string>`${n.escalationId}::bigint`.as('escalation_id'),
      sql<string>`'escalation'`.as('type'),
      sql<string>`${n.step}::text`.as('step'),
      sql<string>`${n.title}::text`.as('title'),
      sql<string>`${n.body}::text`.as('body'),
    ])
    .where('active', '=', true)
    .where((eb) =>
      eb.or([
        ...(wardRoles.length
          ? [eb.and([eb('role', 'in', wardRoles), eb('ward_id', '=', kase.ward_id)])]
          : []),
        ...(departmentRoles.length && departmentId
          ? [eb.and([eb('role', 'in', departmentRoles), eb('department_id', '=', departmentId)])]
          : []),
        sql<boolean>`false`,
      ]),
    );
  const inserted = await trx
    .insertInto('notifications')
    .columns(['user_id', 'case_id', 'escalation_id', 'type', 'step', 'title', 'body'])
    .expression(recipients)
    .onConflict((oc) => oc.columns(['escalation_id', 'user_id']).doNothing())
    .returning('id')
    .execute();
  return inserted.length;
}

/**
 * One notification about a case to every active user holding `role` in its department (the heads,
 * told of an officer's answer proposal), in the caller's transaction. Returns how many were told.
 */
export async function notifyDepartment(
  db: Conn,
  kase: { id: string; department_id: string | null },
  role: Role,
  n: { type: string; title: string; body: string },
): Promise<number> {
  if (kase.department_id === null) return 0;
  const recipients = db
    .selectFrom('users')
    .select([
      'users.id as user_id',
      sql<string>`${kase.id}::bigint`.as('case_id'),
      sql<string>`${n.type}::text`.as('type'),
      sql<string>`${n.title}::text`.as('title'),
      sql<string>`${n.body}::text`.as('body'),
    ])
    .where('active', '=', true)
    .where('role', '=', role)
    .where('department_id', '=', kase.department_id);
  const inserted = await db
    .insertInto('notifications')
    .columns(['user_id', 'case_id', 'type', 'title', 'body'])
    .expression(recipients)
    .returning('id')
    .execute();
  return inserted.length;
}

/** One notification to each user, written in the caller's transaction (digests, calendar warnings). */
export async function notifyUsers(
  db: Conn,
  userIds: string[],
  n: { type: string; title: string; body: string; digestId?: string; caseId?: string },
): Promise<void> {
  if (userIds.length === 0) return;
  await db
    .insertInto('notifications')
    .values(
      userIds.map((userId) => ({
        user_id: userId,
        case_id: n.caseId ?? null,
        escalation_id: null,
        digest_id: n.digestId ?? null,
        type: n.type,
        step: null,
        title: n.title,
        body: n.body,
      })),
    )
    .execute();
}
