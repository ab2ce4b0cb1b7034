import type { Redis } from 'ioredis';

/** `<prefix>:worker:heartbeat:<id>`: present while the worker `id` is alive. */
const heartbeatKey = (prefix: string, workerId: string) => `${prefix}:worker:heartbeat:${workerId}`;
/** The ids of workers seen recently, so readers find the heartbeat keys without scanning Redis. */
const indexKey = (prefix: string) => `${prefix}:worker:heartbeats`;
/** Index entries not refreshed for this long belong to workers long gone. */
const INDEX_RETENTION_MS = 3_600_000;

type Heartbeat = { stop: () => Promise<void> };

/**
 * Writes the worker's heartbeat key now and every `intervalMs`, with a TTL of three intervals, so the
 * key disappears on its own when the process dies. `stop` removes it at once (graceful shutdown).
 */
export function startHeartbeat(deps: {
  redis: Redis;
  prefix: string;
  workerId: string;
  intervalMs: number;
  info: Record<string, unknown>;
  onError?: (err: unknown) => void;
}): Heartbeat {
  const { redis, prefix, workerId, intervalMs } = deps;
  const key = heartbeatKey(prefix, workerId);
  const ttlMs = intervalMs * 3;
  const beat = async () => {
    const now = Date.now();
    await redis
      .multi()
      .set(key, JSON.stringify({ ...deps.info, at: new Date(now).toISOString() }), 'PX', ttlMs)
      .zadd(indexKey(prefix), now, workerId)
      .zremrangebyscore(indexKey(prefix), '-inf', now - INDEX_RETENTION_MS)
      .exec();
  };
  const report = (err: unknown) => deps.onError?.(err);
  beat().catch(report);
  const timer = setInterval(() => beat().catch(report), intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await redis.multi().del(key).zrem(indexKey(prefix), workerId).exec();
    },
  };
}

/** 'ok' when at least one worker's heartbeat key is alive. */
export async function workerStatus(redis: Redis, prefix: string): Promise<'ok' | 'down'> {
  const ids = await redis.zrevrange(indexKey(prefix), 0, 99);
  if (ids.length === 0) return 'down';
  const alive = await redis.exists(...ids.map((id) => heartbeatKey(prefix, id)));
  return alive > 0 ? 'ok' : 'down';
}
