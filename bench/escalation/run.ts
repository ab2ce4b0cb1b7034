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
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.ts';
import { createDb, type Db } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { escalationJobOptions } from '../../src/modules/sla/scheduler.ts';
import { type NodeChild, startNode } from '../lib/child.ts';
import { intArg, printUsage } from '../lib/cli.ts';
import { type CpuReading, processTree, startCpuMeter, waitForQuiet } from '../lib/cpu-meter.ts';
import { summarizeProfile } from '../lib/cpu-profile.ts';
import { machineInfo } from '../lib/machine.ts';
import { createDatabase, databaseUrl, dropDatabase, serverSettings, serverVersion } from '../lib/pg-admin.ts';
import { deletePrefix } from '../lib/redis-prefix.ts';
import { type LagStats, lagBySecond, lagHistogram, lagStats, prefixUsage, usedMemory } from './measure.ts';
import { type BenchWard, insertCases, NOTIFIED_PER_ESCALATION, seedWard } from './seed.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const resultsDir = path.join(root, 'bench/results');

// ---- options ---------------------------------------------------------------------------------------

const { values: args } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    window: { type: 'string', default: '60' },
    lead: { type: 'string', default: '90' },
    workers: { type: 'string', default: '1' },
    far: { type: 'string', default: '100000' },
    'bare-lead': { type: 'string', default: '20' },
    grace: { type: 'string', default: '60' },
    order: { type: 'string', default: 'bare-first' },
    only: { type: 'string', default: 'both' },
    'redis-db': { type: 'string', default: '13' },
    'quiet-wait': { type: 'string', default: '20' },
    'keep-db': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    'project-dir': { type: 'string', default: '' },
    check: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (args.help) {
  printUsage(import.meta.url);
}

function enumArg<T extends string>(name: string, raw: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(raw)) {
    process.stderr.write(`--${name} must be one of ${allowed.join(', ')} (got ${raw})\n`);
    process.exit(2);
  }
  return raw as T;
}

const N = intArg('cases', args.cases, 1, 1_000_000);
const windowMs = intArg('window', args.window, 1, 3_600) * 1000;
const leadMs = intArg('lead', args.lead, 5, 3_600) * 1000;
const bareLeadMs = intArg('bare-lead', args['bare-lead'], 2, 3_600) * 1000;
const workerCount = intArg('workers', args.workers, 1, 8);
const farCount = intArg('far', args.far, 0, 2_000_000);
const graceMs = intArg('grace', args.grace, 1, 3_600) * 1000;
const quietWaitMs = intArg('quiet-wait', args['quiet-wait'], 0, 600) * 1000;
const redisDb = intArg('redis-db', args['redis-db'], 1, 15);
const order = enumArg('order', args.order, ['bare-first', 'engine-first'] as const);
const only = enumArg('only', args.only, ['both', 'engine', 'bare'] as const);

const stamp = `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}${randomBytes(2).toString('hex')}`;
const basePgUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = (() => {
  const u = new URL(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379');
  u.pathname = `/${redisDb}`;
  return u.toString();
})();
const dbName = `pakn_bench_esc_${stamp}`;
const dbUrl = databaseUrl(basePgUrl, dbName);
const enginePrefix = `bench-esc-${stamp}`;
const barePrefix = `bench-bare-${stamp}`;
const QUEUE = 'escalations';
const profDir = path.join(resultsDir, `escalation-${stamp}-prof`);
const projectDir = args['project-dir'] ? path.resolve(args['project-dir']) : root;

// What the worker children will run with: this environment (ESCALATION_* may be set by the caller)
// plus the bench's database, Redis and prefix.
const workerEnv: Record<string, string> = {
  ...(process.env as Record<string, string>),
  NODE_ENV: 'production',
  DATABASE_URL: dbUrl,
  REDIS_URL: redisUrl,
  REDIS_PREFIX: enginePrefix,
  LOG_LEVEL: 'warn',
};
const config = loadConfig(workerEnv);
const concurrency = config.ESCALATION_CONCURRENCY;

// ---- small helpers ---------------------------------------------------------------------------------

const log = (msg: string) => process.stdout.write(`[${new Date().toISOString().slice(11, 23)}] ${msg}\n`);
const MiB = (b: number) => Math.round((b / 2 ** 20) * 100) / 100;

/** The window's due offsets (ms from its start): evenly spaced, shuffled (seeded) across cases. */
function dueOffsets(n: number, spanMs: number): number[] {
  const offsets = Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5) * spanMs) / n));
  let seed = 0x9e3779b9;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [offsets[i], offsets[j]] = [offsets[j] as number, offsets[i] as number];
  }
  return offsets;
}
const offsets = dueOffsets(N, windowMs);

type Sample = {
  tMs: number;
  usedMemory: number;
  jobs: number;
  delayed: number;
  waiting: number;
  active: number;
  /**
   * Cores busy over the second before this sample: the whole machine, our children (workers), the
   * Postgres backends of our database (engine only), and the rest: other people's work (their
   * Postgres included) — interference.
   */
  cpu: { machine: number; ours: number; ourPostgres: number | null; others: number };
};

/** Every `everyMs` until `until()` says stop (or `maxMs` passes): server memory and our queue's jobs. */
async function sampleWhile(
  redis: Redis,
  queue: Queue,
  pids: number[],
  dbPids: (() => Promise<number[]>) | undefined,
  t0: number,
  everyMs: number,
  maxMs: number,
  until: () => Promise<boolean>,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  const deadline = Date.now() + maxMs;
  let pgPids = dbPids ? await dbPids() : undefined;
  let meter = startCpuMeter(pids, pgPids);
  for (let i = 0; i < 100_000 && Date.now() < deadline; i++) {
    const next = Date.now() + everyMs;
    const [mem, c] = await Promise.all([
      usedMemory(redis),
      queue.getJobCounts('delayed', 'waiting', 'active', 'prioritized'),
    ]);
    const nextPgPids = dbPids ? await dbPids() : undefined;
    const r = meter(nextPgPids);
    pgPids = nextPgPids;
    meter = startCpuMeter(pids, pgPids);
    const others = r.machineCores - r.serverCores - r.loadCores - (r.dbBackendCores ?? 0);
    const delayed = c.delayed ?? 0;
    const waiting = (c.waiting ?? 0) + (c.prioritized ?? 0);
    const active = c.active ?? 0;
    samples.push({
      tMs: Date.now() - t0,
      usedMemory: mem,
      jobs: delayed + waiting + active,
      delayed,
      waiting,
      active,
      cpu: {
        machine: r.machineCores,
        ours: r.serverCores,
        ourPostgres: r.dbBackendCores,
        others: Math.max(0, Math.round(others * 100) / 100),
      },
    });
    if (await until()) break;
    await sleep(Math.max(0, next - Date.now()));
  }
  return samples;
}

function memorySummary(samples: Sample[]) {
  const used = samples.map((s) => s.usedMemory).filter(Number.isFinite);
  return {
    usedMemoryMiB: {
      min: MiB(Math.min(...used)),
      max: MiB(Math.max(...used)),
      last: MiB(used.at(-1) ?? Number.NaN),
    },
    maxJobsInQueue: Math.max(0, ...samples.map((s) => s.jobs)),
  };
}

/** How much other people's work ran beside ours during the window (cores, per-second samples). */
function interference(samples: Sample[]) {
  const o = samples.slice(1).map((s) => s.cpu.others);
  const mean = o.length ? o.reduce((a, b) => a + b, 0) / o.length : 0;
  return {
    meanOthersCores: Math.round(mean * 100) / 100,
    maxOthersCores: Math.max(0, ...o),
    secondsOthersOver0_5: o.filter((x) => x > 0.5).length,
  };
}

async function waitForFile(file: string, text: string, child: NodeChild, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    if (child.proc.exitCode !== null) throw new Error(`${child.name} exited:\n${child.stderrTail()}`);
    if (existsSync(file) && readFileSync(file, 'utf8').includes(text)) return;
    await sleep(100);
  }
  throw new Error(`${child.name} not ready after ${timeoutMs} ms:\n${child.stderrTail()}`);
}

async function quiet(label: string) {
  if (quietWaitMs === 0) return { quiet: true, busyCores: Number.NaN, skipped: true };
  const q = await waitForQuiet(0.5, quietWaitMs);
  log(`${label}: machine ${q.quiet ? 'quiet' : 'still busy'} (${q.busyCores} cores busy)`);
  return q;
}

const children: NodeChild[] = [];
async function stopAll(graceMs = 15_000) {
  await Promise.all(children.map((c) => c.stop(graceMs)));
}

// ---- baseline: bare BullMQ -------------------------------------------------------------------------

async function runBare(redis: Redis) {
  log(`baseline: ${N} bare BullMQ delayed no-op jobs, ${workerCount} worker(s) × concurrency ${concurrency}`);
  const quietBefore = await quiet('baseline');
  const usedBefore = await usedMemory(redis);
  const outs: string[] = [];
  const procs: NodeChild[] = [];
  for (let i = 0; i < workerCount; i++) {
    const out = path.join(resultsDir, `escalation-${stamp}-bare-${i}.json`);
    const logFile = path.join(resultsDir, `escalation-${stamp}-bare-${i}.log`);
    outs.push(out);
    const child = startNode({
      name: `bare-worker-${i}`,
      script: 'bench/escalation/bare-worker.ts',
      cwd: root,
      stdoutFile: logFile,
      env: {
        ...(process.env as Record<string, string>),
        REDIS_URL: redisUrl,
        BARE_PREFIX: barePrefix,
        BARE_QUEUE: QUEUE,
        BARE_CONCURRENCY: String(concurrency),
        BARE_OUT: out,
      },
    });
    children.push(child);
    procs.push(child);
    await waitForFile(logFile, 'ready', child, 30_000);
  }

  const queue = new Queue<{ due: number }>(QUEUE, { connection: redis, prefix: barePrefix });
  queue.on('error', () => {});
  const windowStart = Date.now() + bareLeadMs;
  const addStart = Date.now();
  for (let i = 0; i < N; i += 500) {
    const now = Date.now();
    await queue.addBulk(
      offsets.slice(i, i + 500).map((off, k) => {
        const due = windowStart + off;
        return { name: 'noop', data: { due }, opts: escalationJobOptions(String(i + k + 1), due - now) };
      }),
    );
  }
  const addMs = Date.now() - addStart;
  const setupOverran = Date.now() > windowStart;
  log(
    `baseline: ${N} jobs added in ${addMs} ms${setupOverran ? ' — AFTER the first due time (raise --bare-lead)' : ''}`,
  );
  const horizon = await prefixUsage(redis, barePrefix);
  log(`baseline: prefix holds ${horizon.keys} keys, ${MiB(horizon.bytes)} MiB with all jobs delayed`);

  await sleep(Math.max(0, windowStart - Date.now()));
  const pids = procs.flatMap((c) => processTree(c.proc.pid ?? 0));
  const meter = startCpuMeter(pids);
  const windowEnd = windowStart + windowMs;
  const samples = await sampleWhile(
    redis,
    queue,
    pids,
    undefined,
    windowStart,
    1000,
    windowMs + graceMs,
    async () => {
      if (Date.now() < windowEnd) return false;
      const c = await queue.getJobCounts('delayed', 'waiting', 'active', 'prioritized');
      return (c.delayed ?? 0) + (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) === 0;
    },
  );
  const cpu = meter();
  const meteredS = (Date.now() - windowStart) / 1000;
  await Promise.all(procs.map((c) => c.stop(15_000)));
  const after = await prefixUsage(redis, barePrefix);
  const usedAfter = await usedMemory(redis);
  await queue.close();

  const lags: number[] = [];
  const dueAt: number[] = [];
  const seen = new Map<string, number>();
  for (const out of outs) {
    const r = JSON.parse(readFileSync(out, 'utf8')) as { ids: string[]; lags: number[] };
    lags.push(...r.lags);
    for (const id of r.ids) {
      // Job ids are `t-<i>`, i a 1-based index into the window's offsets.
      dueAt.push(offsets[Number(id.slice(2)) - 1] ?? Number.NaN);
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    rmSync(out, { force: true }); // raw per-job figures; the summary below keeps what matters
  }
  let duplicates = 0;
  for (const n of seen.values()) if (n > 1) duplicates += n - 1;
  const misses = N - seen.size;
  const stats = lagStats(lags);
  log(
    `baseline: lag p50 ${stats.p50} ms, p99 ${stats.p99} ms, max ${stats.max} ms; duplicates ${duplicates}, misses ${misses}`,
  );
  await deletePrefix(redis, barePrefix);
  return {
    prefix: barePrefix,
    workers: workerCount,
    concurrency,
    leadMs: bareLeadMs,
    addMs,
    setupOverran,
    quietBefore,
    lagMs: stats,
    histogram: lagHistogram(lags),
    lagByDueSecond: lagBySecond(dueAt, lags),
    duplicates,
    misses,
    /** CPU of the worker processes per job (ms), over the window and its drain. */
    cpuMsPerJob: Math.round(((cpu.serverCores * meteredS * 1000) / N) * 100) / 100,
    redis: {
      usedMemoryBeforeMiB: MiB(usedBefore),
      during: memorySummary(samples),
      usedMemoryAfterMiB: MiB(usedAfter),
      prefixAllDelayed: { keys: horizon.keys, MiB: MiB(horizon.bytes) },
      prefixAfter: { keys: after.keys, MiB: MiB(after.bytes) },
    },
    cpu,
    interference: interference(samples),
    samples,
  };
}

// ---- engine ----------------------------------------------------------------------------------------

async function countWhere(db: Db, where: ReturnType<typeof sql>) {
  const r = await sql<{ n: string }>`SELECT count(*)::text AS n FROM case_timers WHERE ${where}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

async function runEngine(redis: Redis, db: Db, ward: BenchWard) {
  log(`engine: ${N} timers, ${workerCount} worker(s) × concurrency ${concurrency}, far ${farCount}`);
  const quietBefore = await quiet('engine');
  const queue = new Queue(QUEUE, { connection: redis, prefix: enginePrefix });
  queue.on('error', () => {});

  const windowStart = Date.now() + leadMs;
  const windowEnd = windowStart + windowMs;
  const t0 = Date.now();
  await insertCases(db, ward, {
    codePrefix: 'BEN-',
    dueAt: offsets.map((o) => new Date(windowStart + o)),
  });
  const insertNearMs = Date.now() - t0;
  log(`engine: ${N} cases + timers inserted in ${insertNearMs} ms`);

  // Before any worker: the server's memory, and nothing under our prefix.
  const usedBefore = await usedMemory(redis);
  const prefixBefore = await prefixUsage(redis, enginePrefix);

  const procs: NodeChild[] = [];
  const startedAt = Date.now();
  for (let i = 0; i < workerCount; i++) {
    const child = startNode({
      name: `worker-${i}`,
      script: 'src/main/worker.ts',
      // --project-dir: workers from another checkout (an engine experiment), same bench and schema.
      cwd: projectDir,
      nodeArgs: args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
      stdoutFile: path.join(resultsDir, `escalation-${stamp}-worker-${i}.log`),
      env: workerEnv,
    });
    children.push(child);
    procs.push(child);
  }
  // Ready: every worker's heartbeat is indexed and the queue was armed from Postgres.
  for (let i = 0; i < 600; i++) {
    const dead = procs.find((c) => c.proc.exitCode !== null);
    if (dead) throw new Error(`${dead.name} exited:\n${dead.stderrTail()}`);
    const [beats, armed] = await Promise.all([
      redis.zcard(`${enginePrefix}:worker:heartbeats`),
      redis.exists(`${enginePrefix}:escalations:armed`),
    ]);
    if (beats >= workerCount && armed === 1) break;
    if (i === 599) throw new Error('workers not ready after 60 s');
    await sleep(100);
  }
  const readyMs = Date.now() - startedAt;
  // The scheduler hands the near window to the queue (MAX_BATCHES_PER_TICK × batch per tick).
  for (let i = 0; i < 100_000; i++) {
    const enqueued = await countWhere(db, sql`enqueued_at IS NOT NULL`);
    if (enqueued >= N) break;
    if (Date.now() > windowStart) break;
    await sleep(250);
  }
  const enqueuedMs = Date.now() - startedAt;
  const enqueuedNear = await countWhere(db, sql`enqueued_at IS NOT NULL`);
  log(
    `engine: workers ready in ${readyMs} ms; ${enqueuedNear}/${N} timers in the queue after ${enqueuedMs} ms`,
  );

  const tickMs = config.ESCALATION_TICK_MS;
  await sleep(tickMs + 200);
  const horizonFar0 = {
    ...(await prefixUsage(redis, enginePrefix)),
    jobs: await queue.getJobCountByTypes('delayed', 'waiting', 'active', 'prioritized'),
    usedMemory: await usedMemory(redis),
  };
  log(
    `engine: far=0: prefix ${horizonFar0.keys} keys, ${MiB(horizonFar0.bytes)} MiB, ${horizonFar0.jobs} jobs`,
  );

  const t1 = Date.now();
  if (farCount > 0) {
    const dayMs = 86_400_000;
    await insertCases(db, ward, {
      codePrefix: 'BEF-',
      // 2 to 30 days away: far beyond any horizon the config allows (at most 24 h).
      dueAt: Array.from(
        { length: farCount },
        (_, i) => new Date(Date.now() + 2 * dayMs + ((i * 7919) % (28 * dayMs))),
      ),
    });
  }
  const insertFarMs = Date.now() - t1;
  // Two ticks with the far timers present: the scheduler must leave them in Postgres.
  await sleep(2 * tickMs + 500);
  const horizonFarN = {
    ...(await prefixUsage(redis, enginePrefix)),
    jobs: await queue.getJobCountByTypes('delayed', 'waiting', 'active', 'prioritized'),
    usedMemory: await usedMemory(redis),
  };
  const farEnqueued = await countWhere(
    db,
    sql`due_at > now() + interval '1 day' AND enqueued_at IS NOT NULL`,
  );
  log(
    `engine: far=${farCount} (inserted in ${insertFarMs} ms): prefix ${horizonFarN.keys} keys, ` +
      `${MiB(horizonFarN.bytes)} MiB, ${horizonFarN.jobs} jobs; far timers handed to Redis: ${farEnqueued}`,
  );
  // The bulk inserts and the scheduler's claims (one UPDATE per timer) would otherwise wake
  // autovacuum in the middle of the window; a steady-state database has had its vacuum.
  const tv = Date.now();
  await sql`VACUUM ANALYZE cases, case_timers`.execute(db);
  const vacuumMs = Date.now() - tv;
  log(`engine: VACUUM ANALYZE cases, case_timers in ${vacuumMs} ms`);
  const setupOverran = Date.now() > windowStart - 1000;
  if (setupOverran) log('engine: WARNING setup ran into the due window (raise --lead)');

  await sleep(Math.max(0, windowStart - Date.now()));
  log(`engine: window open (${windowMs / 1000} s)`);
  const pids = procs.flatMap((c) => processTree(c.proc.pid ?? 0));
  // The Postgres backends serving this database (ours alone), to tell our Postgres work from others'.
  const backends = async () =>
    (
      await sql<{ pid: number }>`
        SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
      `.execute(db)
    ).rows.map((r) => r.pid);
  const meter = startCpuMeter(pids, await backends());
  let lastCheck = 0;
  let fired = 0;
  const samples = await sampleWhile(
    redis,
    queue,
    pids,
    backends,
    windowStart,
    1000,
    windowMs + graceMs,
    async () => {
      if (Date.now() - lastCheck >= 5_000 || Date.now() >= windowEnd) {
        lastCheck = Date.now();
        const r = await sql<{ n: string }>`SELECT count(*)::text AS n FROM escalations`.execute(db);
        fired = Number(r.rows[0]?.n ?? 0);
        log(`engine: ${fired}/${N} fired at +${Math.round((Date.now() - windowStart) / 1000)} s`);
      }
      return Date.now() >= windowEnd && fired >= N;
    },
  );
  const cpu = meter(await backends());
  const meteredS = (Date.now() - windowStart) / 1000;
  // A little longer, so that a late duplicate would have time to land.
  await sleep(Math.min(3_000, tickMs * 2));
  const codes = await Promise.all(procs.map((c) => c.stop(15_000)));
  // With --cpu-prof: where the workers' CPU went (the whole run, setup included).
  const profiles =
    args['cpu-prof'] && existsSync(profDir)
      ? readdirSync(profDir)
          .filter((f) => f.endsWith('.cpuprofile'))
          .map((f) => {
            const p = summarizeProfile(path.join(profDir, f), 15);
            return {
              file: path.relative(root, path.join(profDir, f)),
              busyMs: p.busyMs,
              totalMs: p.totalMs,
              byOwner: p.byOwner,
              topFunctions: p.topFunctions,
            };
          })
      : undefined;
  const usedAfter = await usedMemory(redis);
  const prefixAfter = await prefixUsage(redis, enginePrefix);

  // ---- read Postgres
  const near = sql`t.due_at < now() + interval '1 day'`;
  const lagRows = await sql<{ lag: number; due: number }>`
    SELECT (extract(epoch FROM e.fired_at - t.due_at) * 1000)::float8 AS lag,
           (extract(epoch FROM t.due_at) * 1000)::float8 AS due
    FROM case_timers t JOIN escalations e USING (case_id, step, generation)
    WHERE ${near}
  `.execute(db);
  const lags = lagRows.rows.map((r) => r.lag);
  const lagByDueSecond = lagBySecond(
    lagRows.rows.map((r) => r.due - windowStart),
    lags,
  );
  const one = async (q: ReturnType<typeof sql>) =>
    Number((await sql<{ n: string }>`SELECT (${q})::text AS n`.execute(db)).rows[0]?.n ?? 0);
  const duplicates = {
    escalationsPerKey: await one(
      sql`SELECT count(*) FROM (SELECT 1 FROM escalations GROUP BY case_id, step, generation HAVING count(*) > 1) x`,
    ),
    escalationsPerCase: await one(
      sql`SELECT count(*) FROM (SELECT 1 FROM escalations GROUP BY case_id HAVING count(*) > 1) x`,
    ),
    notificationsPerEscalationUser: await one(
      sql`SELECT count(*) FROM (SELECT 1 FROM notifications GROUP BY escalation_id, user_id HAVING count(*) > 1) x`,
    ),
    notificationsPerUserCase: await one(
      sql`SELECT count(*) FROM (SELECT 1 FROM notifications GROUP BY user_id, case_id HAVING count(*) > 1) x`,
    ),
  };
  const notifications = await one(sql`SELECT count(*) FROM notifications`);
  const escalations = await one(sql`SELECT count(*) FROM escalations`);
  const misses = await one(sql`
    SELECT count(*) FROM case_timers t
    WHERE ${near} AND NOT EXISTS (
      SELECT 1 FROM escalations e WHERE (e.case_id, e.step, e.generation) = (t.case_id, t.step, t.generation)
    )`);
  const nearByStatus = await sql<{ status: string; n: string }>`
    SELECT status, count(*)::text AS n FROM case_timers t WHERE ${near} GROUP BY status
  `.execute(db);
  const farFired = await one(
    sql`SELECT count(*) FROM case_timers t WHERE NOT (${near}) AND status <> 'pending'`,
  );
  const farEnqueuedEnd = await one(
    sql`SELECT count(*) FROM case_timers t WHERE NOT (${near}) AND enqueued_at IS NOT NULL`,
  );

  const stats = lagStats(lags);
  const duplicateTotal = Object.values(duplicates).reduce((a, b) => a + b, 0);
  log(
    `engine: lag p50 ${stats.p50} ms, p99 ${stats.p99} ms, max ${stats.max} ms; ` +
      `duplicates ${duplicateTotal}, misses ${misses}`,
  );
  await queue.close();
  await deletePrefix(redis, enginePrefix);

  const farDeltaBytes = horizonFarN.bytes - horizonFar0.bytes;
  return {
    prefix: enginePrefix,
    workers: workerCount,
    concurrency,
    leadMs,
    insertNearMs,
    insertFarMs,
    vacuumMs,
    workersReadyMs: readyMs,
    allEnqueuedMs: enqueuedMs,
    setupOverran,
    quietBefore,
    lagMs: stats,
    histogram: lagHistogram(lags),
    lagByDueSecond,
    /** CPU per escalation (ms), over the window and its drain: the workers, and our Postgres backends. */
    cpuMsPerEscalation: {
      workers: Math.round(((cpu.serverCores * meteredS * 1000) / N) * 100) / 100,
      postgres: Math.round((((cpu.dbBackendCores ?? 0) * meteredS * 1000) / N) * 100) / 100,
    },
    /** Escalations per second from the first due time to the last firing (capacity when a backlog formed). */
    drainPerS: Math.round(
      lags.length /
        Math.max(
          0.001,
          (lagRows.rows.reduce((m, r) => Math.max(m, r.due + r.lag), windowStart) - windowStart) / 1000,
        ),
    ),
    duplicates,
    duplicateTotal,
    misses,
    escalations,
    notifications,
    notificationsExpected: escalations * NOTIFIED_PER_ESCALATION,
    nearTimersByStatus: Object.fromEntries(nearByStatus.rows.map((r) => [r.status, Number(r.n)])),
    far: { count: farCount, handedToRedis: farEnqueuedEnd, fired: farFired },
    workerExitCodes: codes,
    profiles,
    redis: {
      usedMemoryBeforeMiB: MiB(usedBefore),
      prefixBeforeWorkers: { keys: prefixBefore.keys, MiB: MiB(prefixBefore.bytes) },
      horizonFar0: {
        keys: horizonFar0.keys,
        MiB: MiB(horizonFar0.bytes),
        jobs: horizonFar0.jobs,
        usedMemoryMiB: MiB(horizonFar0.usedMemory),
      },
      horizonFarN: {
        keys: horizonFarN.keys,
        MiB: MiB(horizonFarN.bytes),
        jobs: horizonFarN.jobs,
        usedMemoryMiB: MiB(horizonFarN.usedMemory),
      },
      farDeltaBytes,
      bytesPerNearJob: Math.round(horizonFar0.bytes / Math.max(1, horizonFar0.jobs)),
      flatInFar:
        horizonFarN.jobs === horizonFar0.jobs &&
        farEnqueued === 0 &&
        Math.abs(farDeltaBytes) <= Math.max(65_536, horizonFar0.bytes * 0.01),
      during: memorySummary(samples),
      usedMemoryAfterMiB: MiB(usedAfter),
      prefixAfter: { keys: prefixAfter.keys, MiB: MiB(prefixAfter.bytes) },
    },
    cpu,
    interference: interference(samples),
    samples,
  };
}

// ---- main ------------------------------------------------------------------------------------------

type BareResult = Awaited<ReturnType<typeof runBare>>;
type EngineResult = Awaited<ReturnType<typeof runEngine>>;

function printLag(label: string, s: LagStats) {
  log(
    `${label.padEnd(8)} n=${s.count} p50 ${s.p50} ms  p90 ${s.p90} ms  p99 ${s.p99} ms  p99.9 ${s.p999} ms  max ${s.max} ms  (early ${s.early})`,
  );
}
const cpuLine = (c: CpuReading, i: ReturnType<typeof interference>) =>
  `machine ${c.machineCores} cores busy: workers ${c.serverCores}, our postgres ${c.dbBackendCores ?? '-'}, all postgres ${c.postgresCores}, bench ${c.loadCores}; ` +
  `others' work ${i.meanOthersCores} cores on average (max ${i.maxOthersCores}, ${i.secondsOthersOver0_5} s above 0.5)`;

async function main() {
  mkdirSync(resultsDir, { recursive: true });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null, connectionName: 'bench-escalation' });
  redis.on('error', () => {});
  const foreignKeys = await redis.dbsize();
  if (foreignKeys > 0)
    log(`note: Redis db ${redisDb} already holds ${foreignKeys} keys (not ours; left alone)`);
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
      .then(() => (args['keep-db'] ? undefined : dropDatabase(basePgUrl, dbName)))
      .finally(() => process.exit(130));
  });
  try {
    let ward: BenchWard | undefined;
    if (only !== 'bare') {
      await createDatabase(basePgUrl, dbName);
      db = createDb({ url: dbUrl, poolSize: 4, applicationName: 'bench-escalation' });
      await migrateToLatest(db);
      ward = await seedWard(db);
      log(`database ${dbName} migrated and seeded`);
    }
    const phases: Array<'bare' | 'engine'> =
      only === 'both' ? (order === 'bare-first' ? ['bare', 'engine'] : ['engine', 'bare']) : [only];
    for (const phase of phases) {
      if (interrupted) break;
      if (phase === 'bare') bare = await runBare(redis);
      else if (db && ward) engine = await runEngine(redis, db, ward);
    }
  } finally {
    await stopAll();
    await deletePrefix(redis, enginePrefix).catch(() => 0);
    await deletePrefix(redis, barePrefix).catch(() => 0);
    await db?.destroy();
    if (db && !args['keep-db']) await dropDatabase(basePgUrl, dbName);
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

  const result = {
    benchmark: 'escalation',
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    options: {
      projectDir: path.relative(root, projectDir) || '.',
      cases: N,
      windowS: windowMs / 1000,
      leadS: leadMs / 1000,
      bareLeadS: bareLeadMs / 1000,
      workers: workerCount,
      far: farCount,
      graceS: graceMs / 1000,
      order: only === 'both' ? order : `${only} only`,
      redisDb,
    },
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
  const file = path.join(resultsDir, `escalation-${stamp}.json`);
  // Child logs (workers at LOG_LEVEL=warn; bare workers print only "ready") are kept only when
  // something else was logged.
  for (const f of readdirSync(resultsDir)) {
    const full = path.join(resultsDir, f);
    if (!f.startsWith(`escalation-${stamp}-`) || !f.endsWith('.log')) continue;
    if (statSync(full).size === 0 || readFileSync(full, 'utf8').trim() === 'ready') rmSync(full);
  }
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  redis.disconnect();

  process.stdout.write('\n');
  log(
    `escalation bench: N=${N} over ${windowMs / 1000} s, ${workerCount} worker(s) × ${concurrency}, order ${result.options.order}`,
  );
  if (bare) {
    printLag('bare', bare.lagMs);
    log(
      `bare     duplicates ${bare.duplicates}, misses ${bare.misses}; CPU per job ${bare.cpuMsPerJob} ms; ${cpuLine(bare.cpu, bare.interference)}`,
    );
  }
  if (engine) {
    printLag('engine', engine.lagMs);
    log(
      `engine   duplicates ${engine.duplicateTotal} ${JSON.stringify(engine.duplicates)}, misses ${engine.misses}, ` +
        `notifications ${engine.notifications}/${engine.notificationsExpected}; ${cpuLine(engine.cpu, engine.interference)}`,
    );
    log(
      `engine   CPU per escalation: workers ${engine.cpuMsPerEscalation.workers} ms, Postgres ${engine.cpuMsPerEscalation.postgres} ms; ` +
        `${engine.drainPerS} escalations/s from the first due time to the last firing`,
    );
    const r = engine.redis;
    log(
      `redis    used_memory before ${r.usedMemoryBeforeMiB} MiB, during max ${r.during.usedMemoryMiB.max} MiB, after ${r.usedMemoryAfterMiB} MiB (server-wide)`,
    );
    log(
      `redis    our prefix: far=0 ${r.horizonFar0.MiB} MiB / ${r.horizonFar0.jobs} jobs; far=${farCount} ${r.horizonFarN.MiB} MiB / ${r.horizonFarN.jobs} jobs ` +
        `(Δ ${r.farDeltaBytes} B, ${r.bytesPerNearJob} B per job) → ${r.flatInFar ? 'flat' : 'NOT flat'}`,
    );
  }
  for (const [label, r] of [
    ['bare', bare],
    ['engine', engine],
  ] as const) {
    if (!r) continue;
    const worst = [...r.lagByDueSecond].sort((a, b) => b.p99 - a.p99).slice(0, 5);
    const othersAt = (second: number) => r.samples.find((x) => x.tMs >= (second + 1) * 1000)?.cpu.others;
    log(
      `${label.padEnd(8)} worst due-seconds (p99 ms @ s, others' cores then): ${worst
        .map((w) => `${w.p99}@${w.second}(${othersAt(w.second) ?? '?'})`)
        .join(' ')}`,
    );
  }
  if (ratio !== null) log(`ratio    engine p99 / bare p99 = ${ratio}`);
  if (goal) log(`goal     ${met ? 'MET' : 'NOT MET'} ${JSON.stringify(goal)}`);
  log(`results  ${path.relative(root, file)}`);
  // --check: a failing exit status when the goal is not met.
  if (args.check && met === false) process.exitCode = 1;
}

await main();
