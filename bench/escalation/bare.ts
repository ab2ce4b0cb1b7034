/**
 * bench/escalation's baseline phase: bare BullMQ delayed no-op jobs with the engine's due times and
 * job options, consumed by `--workers` plain BullMQ workers (bare-worker.ts) that note each job's lag.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { escalationJobOptions } from '../../src/modules/sla/scheduler.ts';
import { type NodeChild, startNode } from '../lib/child.ts';
import { startCpuMeter } from '../lib/cpu-meter.ts';
import { processTree } from '../lib/proc.ts';
import { deletePrefix } from '../lib/redis-prefix.ts';
import { resultsDir, root } from '../lib/results.ts';
import { lagBySecond, lagHistogram, lagStats, prefixUsage, usedMemory } from './measure.ts';
import type { EscalationRun } from './options.ts';
import { interference, log, MiB, memorySummary, quiet, sampleWhile, waitForFile } from './sampling.ts';

export async function runBare(run: EscalationRun, redis: Redis, children: NodeChild[]) {
  const { N, stamp, barePrefix, concurrency, workerCount, windowMs, offsets } = run;
  log(`baseline: ${N} bare BullMQ delayed no-op jobs, ${workerCount} worker(s) × concurrency ${concurrency}`);
  const quietBefore = await quiet('baseline', run.quietWaitMs);
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
        REDIS_URL: run.redisUrl,
        BARE_PREFIX: barePrefix,
        BARE_QUEUE: run.queue,
        BARE_CONCURRENCY: String(concurrency),
        BARE_OUT: out,
      },
    });
    children.push(child);
    procs.push(child);
    await waitForFile(logFile, 'ready', child, 30_000);
  }

  const queue = new Queue<{ due: number }>(run.queue, { connection: redis, prefix: barePrefix });
  queue.on('error', () => {});
  const windowStart = Date.now() + run.bareLeadMs;
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
    windowMs + run.graceMs,
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
    leadMs: run.bareLeadMs,
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
export type BareResult = Awaited<ReturnType<typeof runBare>>;
