/** Lag statistics and Redis memory probes for bench/escalation. */
import type { Redis } from 'ioredis';

export type LagStats = {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  /** Values below zero: fired before the due time. */
  early: number;
};

/** Nearest-rank percentiles over `values` (ms); all zeros when empty. */
export function lagStats(values: ArrayLike<number>): LagStats {
  const v = Float64Array.from(values).sort();
  const n = v.length;
  const at = (q: number) => (n === 0 ? 0 : (v[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))] ?? 0));
  let sum = 0;
  let early = 0;
  for (const x of v) {
    sum += x;
    if (x < 0) early++;
  }
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    count: n,
    min: r(n ? (v[0] ?? 0) : 0),
    p50: r(at(0.5)),
    p90: r(at(0.9)),
    p99: r(at(0.99)),
    p999: r(at(0.999)),
    max: r(n ? (v[n - 1] ?? 0) : 0),
    mean: r(n ? sum / n : 0),
    early,
  };
}

/** A coarse histogram of lags for the report: how many fell under each bound (ms). */
export function lagHistogram(values: ArrayLike<number>, bounds = [5, 10, 25, 50, 100, 250, 500, 1000, 5000]) {
  const counts = new Array<number>(bounds.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const x = values[i] ?? 0;
    let b = bounds.findIndex((limit) => x < limit);
    if (b < 0) b = bounds.length;
    counts[b] = (counts[b] ?? 0) + 1;
  }
  return Object.fromEntries(
    counts.map((c, i) => [i < bounds.length ? `<${bounds[i]}ms` : `>=${bounds.at(-1)}ms`, c]),
  );
}

/** The server's `used_memory` (bytes): every database and client on this Redis, ours and others'. */
export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const m = /^used_memory:(\d+)/m.exec(info);
  return m ? Number(m[1]) : Number.NaN;
}

/**
 * The keys under `prefix:` and the bytes they take (MEMORY USAGE … SAMPLES 0, exact), found with a
 * bounded SCAN. This is our own footprint, unaffected by what other clients keep on the same server.
 * It reads every key, so it is taken only at quiet checkpoints, not while jobs fall due.
 */
export async function prefixUsage(redis: Redis, prefix: string, maxKeys = 2_000_000) {
  const keys: string[] = [];
  let cursor = '0';
  for (let i = 0; i < 100_000; i++) {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 2000);
    keys.push(...batch);
    cursor = next;
    if (cursor === '0' || keys.length >= maxKeys) break;
  }
  let bytes = 0;
  for (let i = 0; i < keys.length; i += 1000) {
    const pipe = redis.pipeline();
    for (const k of keys.slice(i, i + 1000)) pipe.memory('USAGE', k, 'SAMPLES', 0);
    for (const [err, n] of (await pipe.exec()) ?? []) if (!err && typeof n === 'number') bytes += n;
  }
  return { keys: keys.length, bytes };
}

/** Lag percentiles per second of due time (offset from the window's start), to see when lag builds. */
export function lagBySecond(dueOffsetMs: ArrayLike<number>, lagMs: ArrayLike<number>) {
  const buckets = new Map<number, number[]>();
  for (let i = 0; i < lagMs.length; i++) {
    const s = Math.floor((dueOffsetMs[i] ?? Number.NaN) / 1000);
    if (!Number.isFinite(s)) continue;
    const b = buckets.get(s) ?? [];
    if (b.length === 0) buckets.set(s, b);
    b.push(lagMs[i] ?? 0);
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([second, v]) => {
      const st = lagStats(v);
      return { second, n: st.count, p50: st.p50, p99: st.p99, max: st.max };
    });
}
