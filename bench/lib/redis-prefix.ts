import { Redis } from 'ioredis';

/** Removes every key under `prefix:` (bounded SCAN + UNLINK). Returns how many were removed. */
export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  let removed = 0;
  let cursor = '0';
  for (let i = 0; i < 100_000; i++) {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 2000);
    if (batch.length) removed += await redis.unlink(...batch);
    cursor = next;
    if (cursor === '0') break;
  }
  return removed;
}

/** The same on the server at `url`, over a connection of its own (a run's clean-up). */
export async function deletePrefixAt(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    return await deletePrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
