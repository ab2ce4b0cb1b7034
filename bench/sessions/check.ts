/**
 * The session check alone, in this process (this checkout's src/modules/auth/sessions.ts on the after
 * database): what a request pays when its session is in the cache (hash of the id and a cache look-up),
 * and what a read of the session costs when it is not (Node's CPU and the round trip to Postgres).
 * Microseconds, measured back to back, so far less at the mercy of a busy machine than the HTTP
 * rounds; bench/sessions multiplies them by the reads per request it counted.
 */
import { createDb } from '../../src/db/database.ts';
import { createSessionStore } from '../../src/modules/auth/sessions.ts';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};
const r3 = (n: number) => Math.round(n * 1000) / 1000;

export async function measureCheck(url: string, username: string, o: { hits: number; reads: number }) {
  const db = createDb({ url, poolSize: 1, applicationName: 'pakn-bench-sessions-check' });
  try {
    const user = await db
      .selectFrom('users')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirstOrThrow();
    const settings = { db, idleMinutes: 120, maxHours: 12 };
    // Hits: a store that trusts what it read for a second (the most AUTH_CACHE_TTL_MS allows); batches
    // short enough to stay within it, each after one read that fills the cache.
    const cached = createSessionStore({ ...settings, cacheTtlMs: 1_000 });
    const sid = await cached.start(user.id, null);
    const batch = 5_000;
    const hitNs: number[] = [];
    let misses = 0;
    for (let done = 0; done < o.hits; done += batch) {
      await cached.isLive(sid, user.id);
      const t = process.hrtime.bigint();
      for (let i = 0; i < batch; i++) if (cached.isLive(sid, user.id) !== true) misses++;
      hitNs.push(Number(process.hrtime.bigint() - t) / batch);
    }
    // Reads: a store that trusts nothing (AUTH_CACHE_TTL_MS=0), one read at a time.
    const uncached = createSessionStore({ ...settings, cacheTtlMs: 0 });
    for (let i = 0; i < 20; i++) await uncached.isLive(sid, user.id);
    const cpu0 = process.cpuUsage();
    const wallMs: number[] = [];
    for (let i = 0; i < o.reads; i++) {
      const t = performance.now();
      if ((await uncached.isLive(sid, user.id)) !== true) throw new Error('session not live');
      wallMs.push(performance.now() - t);
    }
    const cpu = process.cpuUsage(cpu0);
    return {
      hitUs: r3(median(hitNs) / 1000),
      hitBatches: hitNs.length,
      hitMisses: misses,
      readWallMs: { p50: r3(median(wallMs)), mean: r3(wallMs.reduce((a, b) => a + b, 0) / wallMs.length) },
      readNodeCpuMs: r3((cpu.user + cpu.system) / 1000 / o.reads),
      reads: o.reads,
    };
  } finally {
    await db.destroy();
  }
}
export type CheckCost = Awaited<ReturnType<typeof measureCheck>>;
