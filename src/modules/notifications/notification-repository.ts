import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../db/types.ts';

type Conn = Kysely<Database> | Transaction<Database>;

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
