/**
 * bench/escalation: escalation lag of the durable-timer engine (design.md §5) against bare BullMQ
 * delayed jobs with the same due times, in one run.
 *
 *   npm run bench:escalation -- [--cases 10000] [--window 60] [--lead 90] [--workers 1|2]
 *                               [--far 100000] [--bare-lead 20] [--grace 60] [--order bare-first|engine-first]
 *                               [--only both|engine|bare] [--redis-db 13] [--quiet-wait 20] [--keep-db]
 *                               [--cpu-prof] [--project-dir DIR] [--check]
 *
 * Each phase gets a fresh due window: `--cases` due times spread evenly over `--window` seconds (the
 * same offsets, in the same shuffled order, for both phases), starting `--lead` (engine) or
 * `--bare-lead` (baseline) seconds after the phase starts. Phases run one after the other (default:
 * baseline first), each after waiting (bounded) for the shared machine to be quiet.
 *
 * Baseline: `--workers` child processes (bench/escalation/bare-worker.ts), each a plain BullMQ Worker
 * with the engine's concurrency (ESCALATION_CONCURRENCY) and lock settings, on a prefix of its own; the
 * bench adds N delayed jobs (delay = due − now, the engine's job options) and each worker records
 * Date.now() − due when a job starts.
 *
 * Engine: a fresh database pakn_bench_esc_<ts> (migrated, dropped at the end) with one ward, its
 * staff, a continuous-clock ladder and N assigned cases with one `overdue` timer each (generation 1).
 * Redis memory is read, then `--workers` real workers (`node src/main/worker.ts`, LOG_LEVEL=warn, a
 * prefix of their own) start; once the scheduler has handed the whole near window to the queue, our
 * prefix's memory is measured (far = 0), `--far` more cases with timers days away (beyond
 * ESCALATION_HORIZON_MS) are inserted, two ticks pass, and it is measured again (far = --far). After
 * the window (+ up to `--grace` s for stragglers) the workers stop and Postgres is read: lag =
 * escalations.fired_at − case_timers.due_at, duplicates (escalations per key, notifications per
 * (escalation, user) and per (user, case)), misses (near timers without an escalation).
 *
 * used_memory is sampled every second during both windows (it is server-wide: other clients of the
 * same Redis show up in it); our own footprint (keys under the prefix, MEMORY USAGE) is read at quiet
 * checkpoints. Results: printed, and bench/results/escalation-<ts>.json (git-ignored).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createDb, type Db } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import type { NodeChild } from '../lib/child.ts';
import { machineInfo } from '../lib/machine.ts';
import { createDatabase, dropDatabase, serverSettings, serverVersion } from '../lib/pg-admin.ts';
import { deletePrefix } from '../lib/redis-prefix.ts';
import { resultsDir, root, writeResult } from '../lib/results.ts';
import { type BareResult, runBare } from './bare.ts';
import { type EngineResult, runEngine } from './engine.ts';
import { escalationRun } from './options.ts';
import { printSummary } from './report.ts';
import { log } from './sampling.ts';
import { type BenchWard, seedWard } from './seed.ts';

const run = escalationRun(import.meta.url);
const { N, windowMs, workerCount, concurrency, config, basePgUrl, dbName, enginePrefix, barePrefix } = run;

const children: NodeChild[] = [];
async function stopAll(graceMs = 15_000) {
  await Promise.all(children.map((c) => c.stop(graceMs)));
}

async function main() {
  mkdirSync(resultsDir, { recursive: true });
  const redis = new Redis(run.redisUrl, { maxRetriesPerRequest: null, connectionName: 'bench-escalation' });
  redis.on('error', () => {});
  const foreignKeys = await redis.dbsize();
  if (foreignKeys > 0)
    log(`note: Redis db ${run.redisDb} already holds ${foreignKeys} keys (not ours; left alone)`);
  const [pgVersion, pgSettings, redisInfo] = await Promise.all([
    serverVersion(basePgUrl),
    serverSettings(basePgUrl),
    redis.info('server'),
  ]);
  const redisVersion = /^redis_version:(.+)$/m.exec(redisInfo)?.[1]?.trim() ?? 'unknown';
  const maxmemoryPolicy = ((await redis.config('GET', 'maxmemory-policy')) as string[])[1];

  let db: Db | undefined;
  let bare: BareResult | undefined;
  let engine: EngineResult | undefined;
  const started = new Date();
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    log('interrupted: cleaning up');
    void stopAll(5_000)
      .then(() => Promise.all([deletePrefix(redis, enginePrefix), deletePrefix(redis, barePrefix)]))
      .then(() => (run.keepDb ? undefined : dropDatabase(basePgUrl, dbName)))
      .finally(() => process.exit(130));
  });
  try {
    let ward: BenchWard | undefined;
    if (run.only !== 'bare') {
      await createDatabase(basePgUrl, dbName);
      db = createDb({ url: run.dbUrl, poolSize: 4, applicationName: 'bench-escalation' });
      await migrateToLatest(db);
      ward = await seedWard(db);
      log(`database ${dbName} migrated and seeded`);
    }
    const phases: Array<'bare' | 'engine'> =
      run.only === 'both'
        ? run.order === 'bare-first'
          ? ['bare', 'engine']
          : ['engine', 'bare']
        : [run.only];
    for (const phase of phases) {
      if (interrupted) break;
      if (phase === 'bare') bare = await runBare(run, redis, children);
      else if (db && ward) engine = await runEngine(run, redis, db, ward, children);
    }
  } finally {
    await stopAll();
    await deletePrefix(redis, enginePrefix).catch(() => 0);
    await deletePrefix(redis, barePrefix).catch(() => 0);
    await db?.destroy();
    if (db && !run.keepDb) await dropDatabase(basePgUrl, dbName);
  }

  const ratio =
    bare && engine && bare.lagMs.p99 > 0 ? Math.round((engine.lagMs.p99 / bare.lagMs.p99) * 100) / 100 : null;
  const goal = engine && {
    p99Under1s: engine.lagMs.p99 < 1000,
    p99Within1_2xBare: ratio !== null ? ratio <= 1.2 : null,
    noDuplicates: engine.duplicateTotal === 0,
    noMisses: engine.misses === 0,
    memoryFlatInFar: engine.redis.flatInFar,
  };
  const met = goal ? Object.values(goal).every((v) => v === true) : null;

  const options = {
    projectDir: path.relative(root, run.projectDir) || '.',
    cases: N,
    windowS: windowMs / 1000,
    leadS: run.leadMs / 1000,
    bareLeadS: run.bareLeadMs / 1000,
    workers: workerCount,
    far: run.farCount,
    graceS: run.graceMs / 1000,
    order: run.only === 'both' ? run.order : `${run.only} only`,
    redisDb: run.redisDb,
  };
  const result = {
    benchmark: 'escalation',
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    options,
    engineConfig: {
      ESCALATION_TICK_MS: config.ESCALATION_TICK_MS,
      ESCALATION_HORIZON_MS: config.ESCALATION_HORIZON_MS,
      ESCALATION_BATCH_SIZE: config.ESCALATION_BATCH_SIZE,
      ESCALATION_CONCURRENCY: config.ESCALATION_CONCURRENCY,
      DATABASE_POOL_SIZE: config.DATABASE_POOL_SIZE,
    },
    machine: {
      ...machineInfo(),
      postgres: pgVersion,
      postgresSettings: pgSettings,
      redis: redisVersion,
      maxmemoryPolicy,
    },
    ratioEngineP99OverBareP99: ratio,
    goal,
    goalMet: met,
    bare,
    engine,
  };
  // Child logs (workers at LOG_LEVEL=warn; bare workers print only "ready") are kept only when
  // something else was logged.
  for (const f of readdirSync(resultsDir)) {
    const full = path.join(resultsDir, f);
    if (!f.startsWith(`escalation-${run.stamp}-`) || !f.endsWith('.log')) continue;
    if (statSync(full).size === 0 || readFileSync(full, 'utf8').trim() === 'ready') rmSync(full);
  }
  const file = writeResult(`escalation-${run.stamp}.json`, result);
  redis.disconnect();

  printSummary({
    heading: `escalation bench: N=${N} over ${windowMs / 1000} s, ${workerCount} worker(s) × ${concurrency}, order ${options.order}`,
    bare,
    engine,
    farCount: run.farCount,
    ratio,
    goal,
    met,
    resultsFile: path.relative(root, file),
  });
  // --check: a failing exit status when the goal is not met.
  if (run.check && met === false) process.exitCode = 1;
}

await main();
