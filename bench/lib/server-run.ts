/**
 * A run of the project's server on the local Postgres and Redis (bench/intake, bench/soak): its tag
 * and names (database, Redis prefix, server log in bench/results/), the children and closers it
 * opens, and its clean-up, run once (at the end, on Ctrl-C or from the watchdog): stop the children,
 * run the closers, drop the database (once created, unless kept), delete the Redis keys and the
 * server log (unless kept).
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { NodeChild } from './child.ts';
import { cleanupOnce } from './cleanup.ts';
import { createDatabase, databaseUrl, dropDatabase } from './pg-admin.ts';
import { deletePrefixAt } from './redis-prefix.ts';
import { resultsDir, runTag } from './results.ts';

/** Local services only. */
export const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
export const LOCAL_REDIS = 'redis://127.0.0.1:6379';

export function serverRun(o: {
  /** The benchmark's name, which starts its files' names (`<bench>-<tag>-server.log`). */
  bench: string;
  /** Starts the database's name and the Redis prefix (`<names>_<tag>`). */
  names: string;
  keepDb: boolean;
  keepLogs: boolean;
  /** How long each child gets to stop on SIGTERM before SIGKILL. */
  stopGraceMs: number;
  say: (line: string) => void;
}) {
  const tag = runTag();
  const dbName = `${o.names}_${tag}`;
  const redisPrefix = `${o.names}_${tag}`;
  const serverLog = path.join(resultsDir, `${o.bench}-${tag}-server.log`);
  mkdirSync(resultsDir, { recursive: true });
  const children: NodeChild[] = [];
  const closers: (() => unknown)[] = [];
  let dbCreated = false;
  const cleanup = cleanupOnce(async () => {
    await Promise.all(children.map((c) => c.stop(o.stopGraceMs)));
    for (const close of closers) await Promise.resolve(close()).catch(() => {});
    if (dbCreated && !o.keepDb)
      await dropDatabase(LOCAL_POSTGRES, dbName).catch((e) => o.say(`drop failed: ${e}`));
    await deletePrefixAt(LOCAL_REDIS, redisPrefix).catch((e) => o.say(`redis cleanup failed: ${e}`));
    if (!o.keepLogs) rmSync(serverLog, { force: true });
  }, o.say);
  return {
    tag,
    pgBase: LOCAL_POSTGRES,
    redisUrl: LOCAL_REDIS,
    dbName,
    dbUrl: databaseUrl(LOCAL_POSTGRES, dbName),
    redisPrefix,
    serverLog,
    children,
    /** Run at clean-up, after the children have stopped (servers, pools, timers of the runner). */
    closers,
    cleanup,
    /** Creates the run's (empty) database; the clean-up drops it from then on. */
    async createDatabase() {
      await createDatabase(LOCAL_POSTGRES, dbName);
      dbCreated = true;
    },
  };
}
