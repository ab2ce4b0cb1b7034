import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './types.ts';

// DATE columns stay 'YYYY-MM-DD' strings: a calendar day has no time zone to be shifted into.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type Db = Kysely<Database>;
export type Pool = pg.Pool;

type PoolOptions = { url: string; poolSize: number; applicationName?: string };

export function createPool(options: PoolOptions): Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    application_name: options.applicationName ?? 'pakn',
    // Fail fast when Postgres is down instead of queueing requests behind a dead pool.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client that loses its connection emits 'error'; the pool replaces it. Without a listener
  // the process would crash on a Postgres restart.
  pool.on('error', () => {});
  // A checked-out client emits 'error' too when its connection drops (Postgres restarting terminates
  // it, or a reset), and the pool listens on idle clients only: unheard, that error crashed the API and
  // the worker on a Postgres restart. The query in progress still fails with it (a 503), and the pool
  // discards the broken client when it is released.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** Kysely over a pool; the pool is shared with the few hot statements run as named prepared statements. */
export const dbOnPool = (pool: Pool): Db => new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });

export const createDb = (options: PoolOptions): Db => dbOnPool(createPool(options));
