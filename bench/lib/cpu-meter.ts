/**
 * Linux CPU accounting from /proc, to tell how busy the machine was with other work while a benchmark
 * ran (a shared machine makes figures noisy; this makes the noise visible).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { statFields } from './proc.ts';

const HZ = 100; // USER_HZ on Linux

function machineJiffies(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest counted inside user)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** utime + stime of one process, in jiffies (0 when it is gone). */
function pidJiffies(pid: number): number {
  const f = statFields(pid);
  return f ? Number(f[11]) + Number(f[12]) : 0;
}

/**
 * CPU of every `postgres` process (server, backends of all databases), per pid, counting reaped
 * children (cutime + cstime) too: a backend that exits mid-measurement shows up in the postmaster's.
 */
function postgresSnapshot(): Map<number, number> {
  const m = new Map<number, number>();
  let seen = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || ++seen > 20_000) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() !== 'postgres') continue;
      const f = statFields(Number(d));
      if (f) m.set(Number(d), Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]));
    } catch {}
  }
  return m;
}

function snapshotDelta(before: Map<number, number>, after: Map<number, number>): number {
  let n = 0;
  for (const [pid, j] of after) n += Math.max(0, j - (before.get(pid) ?? 0));
  return n;
}

export type CpuReading = {
  /** Cores busy on the whole machine, on average. */
  machineCores: number;
  /** Cores used by the listed processes (the server under test). */
  serverCores: number;
  /** The same, per process (pid: cores), e.g. the API process and the worker apart. */
  serverCoresByPid: Record<string, number>;
  /** Cores used by this process (autocannon, the load generator). */
  loadCores: number;
  /** Cores used by the Postgres backends serving the benchmark's database (when their pids are given). */
  dbBackendCores: number | null;
  /** Cores used by every postgres process (all databases, WAL writer, checkpointer...). */
  postgresCores: number;
  /**
   * What is left: other people's work on the machine, their Postgres work included when the
   * benchmark's own backends are known (then only our backends are subtracted).
   */
  otherCores: number;
};

/**
 * Starts a measurement; the returned function ends it. `pids` are the server's processes; `dbPids`
 * the Postgres backends serving the benchmark's database (pg_stat_activity), given again at the end
 * so that backends opened meanwhile count too.
 */
export function startCpuMeter(pids: number[], dbPids?: number[]): (dbPidsAtEnd?: number[]) => CpuReading {
  const t0 = process.hrtime.bigint();
  const m0 = machineJiffies();
  const self0 = process.cpuUsage();
  const p0 = pids.map(pidJiffies);
  const pg0 = postgresSnapshot();
  return (dbPidsAtEnd) => {
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const m1 = machineJiffies();
    const self = process.cpuUsage(self0);
    const perPid = pids.map((pid, i) => [pid, Math.max(0, pidJiffies(pid) - (p0[i] ?? 0)) / HZ] as const);
    const kids = perPid.reduce((a, [, s]) => a + s, 0);
    const pg1 = postgresSnapshot();
    const pgs = snapshotDelta(pg0, pg1) / HZ;
    let db: number | null = null;
    if (dbPids) {
      const own = new Set([...dbPids, ...(dbPidsAtEnd ?? [])]);
      const pick = (m: Map<number, number>) => new Map([...m].filter(([pid]) => own.has(pid)));
      db = snapshotDelta(pick(pg0), pick(pg1)) / HZ / seconds;
    }
    const cores = availableParallelism();
    const machine = ((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * cores;
    const server = kids / seconds;
    const load = (self.user + self.system) / 1e6 / seconds;
    const postgres = pgs / seconds;
    const r = (x: number) => Math.round(x * 100) / 100;
    return {
      machineCores: r(machine),
      serverCores: r(server),
      serverCoresByPid: Object.fromEntries(perPid.map(([pid, s]) => [String(pid), r(s / seconds)])),
      loadCores: r(load),
      dbBackendCores: db === null ? null : r(db),
      postgresCores: r(postgres),
      otherCores: r(Math.max(0, machine - server - load - (db ?? postgres))),
    };
  };
}

/**
 * Waits (at most `maxWaitMs`) until the machine is nearly idle: under `maxBusyCores` busy over a
 * one-second sample. Returns the last sample and whether it got quiet.
 */
export async function waitForQuiet(maxBusyCores: number, maxWaitMs: number) {
  const deadline = Date.now() + maxWaitMs;
  let busy = Number.NaN;
  for (let i = 0; i < 1_000; i++) {
    const a = machineJiffies();
    await sleep(1_000);
    const b = machineJiffies();
    busy = ((b.busy - a.busy) / Math.max(1, b.total - a.total)) * availableParallelism();
    if (busy <= maxBusyCores) return { quiet: true, busyCores: Math.round(busy * 100) / 100 };
    if (Date.now() >= deadline) break;
  }
  return { quiet: false, busyCores: Math.round(busy * 100) / 100 };
}
