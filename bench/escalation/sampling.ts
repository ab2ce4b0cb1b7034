/**
 * What bench/escalation samples during a phase's window (every second: Redis memory, our queue's
 * jobs, the CPU of our processes, of our Postgres backends and of everyone else), its summaries,
 * and the small waits of a phase.
 */
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { NodeChild } from '../lib/child.ts';
import { startCpuMeter, waitForQuiet } from '../lib/cpu-meter.ts';
import { usedMemory } from './measure.ts';

export const log = (msg: string) =>
  process.stdout.write(`[${new Date().toISOString().slice(11, 23)}] ${msg}\n`);
export const MiB = (b: number) => Math.round((b / 2 ** 20) * 100) / 100;

export type Sample = {
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
export async function sampleWhile(
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

export function memorySummary(samples: Sample[]) {
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
export function interference(samples: Sample[]) {
  const o = samples.slice(1).map((s) => s.cpu.others);
  const mean = o.length ? o.reduce((a, b) => a + b, 0) / o.length : 0;
  return {
    meanOthersCores: Math.round(mean * 100) / 100,
    maxOthersCores: Math.max(0, ...o),
    secondsOthersOver0_5: o.filter((x) => x > 0.5).length,
  };
}

/** Waits until `file` contains `text` (a child's "ready"), failing if the child exits first. */
export async function waitForFile(file: string, text: string, child: NodeChild, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    if (child.proc.exitCode !== null) throw new Error(`${child.name} exited:\n${child.stderrTail()}`);
    if (existsSync(file) && readFileSync(file, 'utf8').includes(text)) return;
    await sleep(100);
  }
  throw new Error(`${child.name} not ready after ${timeoutMs} ms:\n${child.stderrTail()}`);
}

/** Before a phase: waits (at most `quietWaitMs`) for a quiet machine, and says how busy it was. */
export async function quiet(label: string, quietWaitMs: number) {
  if (quietWaitMs === 0) return { quiet: true, busyCores: Number.NaN, skipped: true };
  const q = await waitForQuiet(0.5, quietWaitMs);
  log(`${label}: machine ${q.quiet ? 'quiet' : 'still busy'} (${q.busyCores} cores busy)`);
  return q;
}
