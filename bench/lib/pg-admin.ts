import pg from 'pg';

/** The URL of database `name` on the server of `baseUrl` (whose own database part is ignored). */
export function databaseUrl(baseUrl: string, name: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function withAdmin<T>(baseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl(baseUrl, 'postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty UTF-8 database; fails if it already exists (benchmarks never reuse one). */
export const createDatabase = (baseUrl: string, name: string) =>
  withAdmin(baseUrl, async (c) => {
    await c.query(`CREATE DATABASE ${quoteIdent(name)} ENCODING 'UTF8' TEMPLATE template0`);
  });

/**
 * Creates `name` as a copy of `template` (CREATE DATABASE … TEMPLATE: a file-level copy; nobody may be
 * connected to the template meanwhile).
 */
export const copyDatabase = (baseUrl: string, name: string, template: string) =>
  withAdmin(baseUrl, async (c) => {
    await c.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`);
  });

/**
 * Transactions committed and rolled back in each of `names` so far (pg_stat_database; each backend
 * reports what it did at most once a second while busy, and within about 10 s of going idle).
 */
export const transactionCounts = (baseUrl: string, names: string[]) =>
  withAdmin(baseUrl, async (c) => {
    const r = await c.query<{ datname: string; n: string }>(
      'SELECT datname, (xact_commit + xact_rollback)::text AS n FROM pg_stat_database WHERE datname = ANY($1)',
      [names],
    );
    return Object.fromEntries(r.rows.map((x) => [x.datname, Number(x.n)]));
  });

/** Drops the database, disconnecting anyone still in it. */
export const dropDatabase = (baseUrl: string, name: string) =>
  withAdmin(baseUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  });

export const serverVersion = (baseUrl: string) =>
  withAdmin(baseUrl, async (c) => {
    const r = await c.query<{ v: string }>('SELECT version() AS v');
    return r.rows[0]?.v ?? 'unknown';
  });

/** Settings that shape write throughput, for the record. */
export const serverSettings = (baseUrl: string) =>
  withAdmin(baseUrl, async (c) => {
    const names = [
      'max_connections',
      'shared_buffers',
      'synchronous_commit',
      'fsync',
      'wal_level',
      'autovacuum',
    ];
    const r = await c.query<{ name: string; setting: string; unit: string | null }>(
      'SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1) ORDER BY name',
      [names],
    );
    return Object.fromEntries(r.rows.map((x) => [x.name, x.unit ? `${x.setting} ${x.unit}` : x.setting]));
  });

/**
 * Autovacuum on for the length of a benchmark, as every production server runs it. A CI server may
 * turn it off (this machine's conf.d/90-ci.conf does): then a table that grows from nothing during a
 * run is planned on an empty table's statistics and keeps every dead row version, and reads that
 * walk an index degrade with the run (bench/soak found this). Returns how to put the setting back,
 * or null when it was on already. `autovacuum` takes effect on a configuration reload.
 */
export const ensureAutovacuum = (baseUrl: string) =>
  withAdmin(baseUrl, async (c) => {
    const r = await c.query<{ setting: string; sourcefile: string | null }>(
      `SELECT setting, sourcefile FROM pg_settings WHERE name = 'autovacuum'`,
    );
    if (r.rows[0]?.setting === 'on') return null;
    const fromAlterSystem = r.rows[0]?.sourcefile?.endsWith('postgresql.auto.conf') ?? false;
    await c.query('ALTER SYSTEM SET autovacuum = on');
    await c.query('SELECT pg_reload_conf()');
    return () =>
      withAdmin(baseUrl, async (c2) => {
        await c2.query(
          fromAlterSystem ? 'ALTER SYSTEM SET autovacuum = off' : 'ALTER SYSTEM RESET autovacuum',
        );
        await c2.query('SELECT pg_reload_conf()');
      });
  });

/**
 * The Postgres backends serving `db`'s database, except the runner's own connections (those whose
 * application_name is `runner`): the server under test's, for its CPU.
 */
export function backendPids(db: pg.Pool, runner: string): () => Promise<number[]> {
  return async () =>
    (
      await db.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name <> $1',
        [runner],
      )
    ).rows.map((r) => r.pid);
}
