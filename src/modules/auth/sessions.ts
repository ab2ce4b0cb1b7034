import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Conn, Db } from '../../db/database.ts';
import type { SessionEndReason } from '../../db/types.ts';

const hashOf = (sid: string) => createHash('sha256').update(sid).digest('base64url');

/** last_seen_at is written at most this often per session: the idle limit counts in minutes anyway. */
const SEEN_EVERY_SECONDS = 60;

type Known = { userId: string; live: boolean };

export type SessionStore = ReturnType<typeof createSessionStore>;

/**
 * Server-side sessions (the `sessions` table; the token carries the session id, Postgres only its
 * hash). A session is live until it is ended (logout, its user's password, role, ward or department
 * changed, the user deactivated), until SESSION_IDLE_MINUTES pass without a request, or
 * SESSION_MAX_HOURS after sign-in.
 *
 * Every request checks its session, so the check must not wait on Postgres each time: what this
 * process last read of a session is trusted for `cacheTtlMs` (at most a second), so a session ended
 * anywhere is refused by every process within that, and a busy session costs one read per period (requests that miss together share it).
 */
export function createSessionStore(deps: {
  db: Db;
  idleMinutes: number;
  maxHours: number;
  cacheTtlMs: number;
}) {
  const { db } = deps;
  const known = new LRUCache<string, Known>({ max: 50_000, ttl: Math.max(deps.cacheTtlMs, 1) });
  /** Reads in flight, by session: the requests that miss the cache together share one read. */
  const reading = new Map<string, Promise<Known>>();

  async function read(hash: string): Promise<Known> {
    const row = await db
      .selectFrom('sessions')
      .select([
        'id',
        'user_id',
        sql<boolean>`ended_at IS NULL AND expires_at > now()
          AND last_seen_at > now() - make_interval(mins => ${deps.idleMinutes})`.as('live'),
        sql<boolean>`last_seen_at < now() - make_interval(secs => ${SEEN_EVERY_SECONDS})`.as('stale'),
      ])
      .where('sid_hash', '=', hash)
      .executeTakeFirst();
    if (row?.live && row.stale)
      await db.updateTable('sessions').set({ last_seen_at: sql`now()` }).where('id', '=', row.id).execute();
    // What the session is, whoever asked: each request that shared the read compares its own user.
    const entry: Known = row ? { userId: row.user_id, live: row.live } : { userId: '', live: false };
    if (deps.cacheTtlMs > 0) known.set(hash, entry);
    return entry;
  }

  return {
    /** Starts a session for a user who just signed in; the id goes into the token, never into a log. */
    async start(userId: string, address: string | null): Promise<string> {
      const sid = randomBytes(24).toString('base64url');
      await db
        .insertInto('sessions')
        .values({
          sid_hash: hashOf(sid),
          user_id: userId,
          address: address?.slice(0, 100) ?? null,
          expires_at: sql<Date>`now() + make_interval(hours => ${deps.maxHours})`,
        })
        .execute();
      return sid;
    },

    /** Whether the session is live: at once from what this process read lately, or after asking Postgres. */
    isLive(sid: string, userId: string): boolean | Promise<boolean> {
      const hash = hashOf(sid);
      const hit = known.get(hash);
      if (hit) return hit.live && hit.userId === userId;
      let pending = reading.get(hash);
      if (!pending) {
        pending = read(hash).finally(() => reading.delete(hash));
        reading.set(hash, pending);
      }
      return pending.then((k) => k.live && k.userId === userId);
    },

    async end(sid: string, reason: SessionEndReason): Promise<void> {
      const hash = hashOf(sid);
      known.delete(hash);
      await db
        .updateTable('sessions')
        .set({ ended_at: sql`now()`, end_reason: reason })
        .where('sid_hash', '=', hash)
        .where('ended_at', 'is', null)
        .execute();
    },

    /**
     * Ends every open session of a user, inside the caller's transaction (the change that ends them
     * and the ending commit together); `except` keeps the caller's own (a password changed by its
     * owner). Other processes stop trusting them within `cacheTtlMs`; this one at once.
     */
    async endAllFor(conn: Conn, userId: string, reason: SessionEndReason, except?: string): Promise<number> {
      for (const [hash, entry] of known.entries()) if (entry.userId === userId) known.delete(hash);
      let q = conn
        .updateTable('sessions')
        .set({ ended_at: sql`now()`, end_reason: reason })
        .where('user_id', '=', userId)
        .where('ended_at', 'is', null);
      if (except !== undefined) q = q.where('sid_hash', '<>', hashOf(except));
      const result = await q.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
