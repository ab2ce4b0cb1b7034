/**
 * bench/escalation's engine phase: N cases with one due timer each in a fresh database, fired by
 * `--workers` real workers (`node src/main/worker.ts`); Redis memory with the near window in the
 * queue and again with `--far` timers days away; then Postgres is audited (audit.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import { type NodeChild, startNode } from '../lib/child.ts';
import { startCpuMeter } from '../lib/cpu-meter.ts';
import { summarizeProfile } from '../lib/cpu-profile.ts';
import { processTree } from '../lib/proc.ts';
import { deletePrefix } from '../lib/redis-prefix.ts';
import { resultsDir, root } from '../lib/results.ts';
import { auditEngine, countTimers } from './audit.ts';
import { lagHistogram, lagStats, prefixUsage, usedMemory } from './measure.ts';
import type { EscalationRun } from './options.ts';
import { interference, log, MiB, memorySummary, quiet, sampleWhile } from './sampling.ts';
import { type BenchWard, insertCases, NOTIFIED_PER_ESCALATION } from './seed.ts';

/** Our prefix's footprint, the jobs in our queue and the server's memory, now. */
async function horizonNow(redis: Redis, queue: Queue, prefix: string) {
  return {
    ...(await prefixUsage(redis, prefix)),
    jobs: await queue.getJobCountByTypes('delayed', 'waiting', 'active', 'prioritized'),
    usedMemory: await usedMemory(redis),
  };
}

/** Starts the workers and waits until each heartbeat is indexed and the queue was armed from Postgres. */
async function startWorkers(run: EscalationRun, redis: Redis, children: NodeChild[]) {
  const procs: NodeChild[] = [];
  for (let i = 0; i < run.workerCount; i++) {
    const child = startNode({
      name: `worker-${i}`,
      script: 'src/main/worker.ts',
      // --project-dir: workers from another checkout (an engine experiment), same bench and schema.
      cwd: run.projectDir,
      nodeArgs: run.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${run.profDir}`] : [],
      stdoutFile: path.join(resultsDir, `escalation-${run.stamp}-worker-${i}.log`),
      env: run.workerEnv,
    });
    children.push(child);
    procs.push(child);
  }
  for (let i = 0; i < 600; i++) {
    const dead = procs.find((c) => c.proc.exitCode !== null);
    if (dead) throw new Error(`${dead.name} exited:\n${dead.stderrTail()}`);
    const [beats, armed] = await Promise.all([
      redis.zcard(`${run.enginePrefix}:worker:heartbeats`),
      redis.exists(`${run.enginePrefix}:escalations:armed`),
    ]);
    if (beats >= run.workerCount && armed === 1) break;
    if (i === 599) throw new Error('workers not ready after 60 s');
    await sleep(100);
  }
  return procs;
}

/** With --cpu-prof: where the workers' CPU went (the whole run, setup included). */
function workerProfiles(run: EscalationRun) {
  if (!run.cpuProf || !existsSync(run.profDir)) return undefined;
  return readdirSync(run.profDir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => {
      const p = summarizeProfile(path.join(run.profDir, f), 15);
      return {
        file: path.relative(root, path.join(run.profDir, f)),
        busyMs: p.busyMs,
        totalMs: p.totalMs,
        byOwner: p.byOwner,
        topFunctions: p.topFunctions,
      };
    });
}

export async function runEngine(
  run: EscalationRun,
  redis: Redis,
  db: Db,
  ward: BenchWard,
  children: NodeChild[],
) {
  const { N, workerCount, concurrency, farCount, windowMs, enginePrefix, config } = run;
  log(`engine: ${N} timers, ${workerCount} worker(s) × concurrency ${concurrency}, far ${farCount}`);
  const quietBefore = await quiet('engine', run.quietWaitMs);
  const queue = new Queue(run.queue, { connection: redis, prefix: enginePrefix });
  queue.on('error', () => {});

  const windowStart = Date.now() + run.leadMs;
  const windowEnd = windowStart + windowMs;
  const t0 = Date.now();
  await insertCases(db, ward, {
    codePrefix: 'BEN-',
    dueAt: run.offsets.map((o) => new Date(windowStart + o)),
  });
  const insertNearMs = Date.now() - t0;
  log(`engine: ${N} cases + timers inserted in ${insertNearMs} ms`);

  // Before any worker: the server's memory, and nothing under our prefix.
  const usedBefore = await usedMemory(redis);
  const prefixBefore = await prefixUsage(redis, enginePrefix);

  const startedAt = Date.now();
  const procs = await startWorkers(run, redis, children);
  const readyMs = Date.now() - startedAt;
  // The scheduler hands the near window to the queue (MAX_BATCHES_PER_TICK × batch per tick).
  for (let i = 0; i < 100_000; i++) {
    const enqueued = await countTimers(db, sql`enqueued_at IS NOT NULL`);
    if (enqueued >= N) break;
    if (Date.now() > windowStart) break;
    await sleep(250);
  }
  const enqueuedMs = Date.now() - startedAt;
  const enqueuedNear = await countTimers(db, sql`enqueued_at IS NOT NULL`);
  log(
    `engine: workers ready in ${readyMs} ms; ${enqueuedNear}/${N} timers in the queue after ${enqueuedMs} ms`,
  );

  const tickMs = config.ESCALATION_TICK_MS;
  await sleep(tickMs + 200);
  const horizonFar0 = await horizonNow(redis, queue, enginePrefix);
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
  const horizonFarN = await horizonNow(redis, queue, enginePrefix);
  const farEnqueued = await countTimers(
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
    windowMs + run.graceMs,
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
  const profiles = workerProfiles(run);
  const usedAfter = await usedMemory(redis);
  const prefixAfter = await prefixUsage(redis, enginePrefix);

  const audit = await auditEngine(db, windowStart);
  const stats = lagStats(audit.lags);
  log(
    `engine: lag p50 ${stats.p50} ms, p99 ${stats.p99} ms, max ${stats.max} ms; ` +
      `duplicates ${audit.duplicateTotal}, misses ${audit.misses}`,
  );
  await queue.close();
  await deletePrefix(redis, enginePrefix);

  const farDeltaBytes = horizonFarN.bytes - horizonFar0.bytes;
  const horizon = (h: typeof horizonFar0) => ({
    keys: h.keys,
    MiB: MiB(h.bytes),
    jobs: h.jobs,
    usedMemoryMiB: MiB(h.usedMemory),
  });
  return {
    prefix: enginePrefix,
    workers: workerCount,
    concurrency,
    leadMs: run.leadMs,
    insertNearMs,
    insertFarMs,
    vacuumMs,
    workersReadyMs: readyMs,
    allEnqueuedMs: enqueuedMs,
    setupOverran,
    quietBefore,
    lagMs: stats,
    histogram: lagHistogram(audit.lags),
    lagByDueSecond: audit.lagByDueSecond,
    /** CPU per escalation (ms), over the window and its drain: the workers, and our Postgres backends. */
    cpuMsPerEscalation: {
      workers: Math.round(((cpu.serverCores * meteredS * 1000) / N) * 100) / 100,
      postgres: Math.round((((cpu.dbBackendCores ?? 0) * meteredS * 1000) / N) * 100) / 100,
    },
    /** Escalations per second from the first due time to the last firing (capacity when a backlog formed). */
    drainPerS: audit.drainPerS,
    duplicates: audit.duplicates,
    duplicateTotal: audit.duplicateTotal,
    misses: audit.misses,
    escalations: audit.escalations,
    notifications: audit.notifications,
    notificationsExpected: audit.escalations * NOTIFIED_PER_ESCALATION,
    nearTimersByStatus: audit.nearTimersByStatus,
    far: { count: farCount, handedToRedis: audit.farEnqueuedEnd, fired: audit.farFired },
    workerExitCodes: codes,
    profiles,
    redis: {
      usedMemoryBeforeMiB: MiB(usedBefore),
      prefixBeforeWorkers: { keys: prefixBefore.keys, MiB: MiB(prefixBefore.bytes) },
      horizonFar0: horizon(horizonFar0),
      horizonFarN: horizon(horizonFarN),
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
export type EngineResult = Awaited<ReturnType<typeof runEngine>>;
