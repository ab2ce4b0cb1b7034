import { Redis } from 'ioredis';

/**
 * The API's Redis connection fails fast when Redis is away (no offline queue, few retries), so a
 * request never waits on it; workers need `maxRetriesPerRequest: null` for BullMQ's blocking calls.
 */
export function createRedis(
  url: string,
  role: 'api' | 'worker',
  options: { lazyConnect?: boolean } = {},
): Redis {
  const redis = new Redis(url, {
    lazyConnect: options.lazyConnect ?? false,
    connectionName: `pakn-${role}`,
    ...(role === 'worker'
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 }),
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  // Connection errors are retried by ioredis and reported by /ready; they must not crash the process.
  redis.on('error', () => {});
  return redis;
}
