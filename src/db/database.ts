import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './types.ts';

// DATE columns stay 'YYYY-MM-DD' strings: a calendar day has no time zone to be shifted into.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type Db = Kysely<Database>;
/** The database or a transaction on it: repositories take either, so the service owns the transaction. */
export type Conn = Kysely<Database> | Transaction<Database>;
export type Pool = pg.Pool;

type PoolOptions = { url: string; poolSize: number; applicationName?: string };

/** Statements with more parameters than this (bulk inserts, long id lists) are parsed afresh each time. */
const maxPreparedParameters = 32;
const statementNames = new Map<string, string>();

/** A stable name per statement text, so that each connection prepares a statement once. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `k${createHash('sha1').update(text).digest('base64url')}`;
    // The texts are the application's query shapes: a few hundred. The bound guards against a bug.
    if (statementNames.size < 10_000) statementNames.set(text, name);
  }
  return name;
}

/**
 * Every parameterised statement (what Kysely sends: its SQL text with `$n` placeholders) runs as a
 * named prepared statement: Postgres parses and analyses it once per connection instead of on every
 * call (a workflow action is five to eight statements, each cheaper to run than to parse; bench/README.md,
 * bench/soak). It still plans each call with its values (`plan_cache_mode = force_custom_plan`, set
 * on the connection): a generic plan cannot see a search word or a ward's size, and the one Postgres
 * kept for the trigram search read a whole ward (21 → 160 ms at a million cases).
 * Texts without parameters (BEGIN, COMMIT, DDL) are sent as they are.
 */
class PreparingClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query() has a dozen overloads; this only adds a name.
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0) {
      if (values.length <= maxPreparedParameters)
        return super.query({ name: statementName(config), text: config, values }, callback);
    }
    return super.query(config, values, callback);
  }
}

export function createPool(options: PoolOptions): Pool {
  const pool = new pg.Pool({
    Client: PreparingClient,
    options: '-c plan_cache_mode=force_custom_plan',
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
