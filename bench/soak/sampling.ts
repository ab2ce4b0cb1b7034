/**
 * What the soak samples while the load runs: RSS of the API and of the worker every second (noting a
 * worker restart), the Postgres backends serving the run's database every 5 s, and at each window's
 * end the CPU of the server, of those backends and of everything else on the machine, the API's own
 * gauges (GET /metrics) and the checkpoints Postgres made.
 */
import type pg from 'pg';
import { startCpuMeter } from '../lib/cpu-meter.ts';
import { backendPids } from '../lib/pg-admin.ts';
import { processStartMs, processTree, rssKiB } from '../lib/proc.ts';
import type { Checkpoints, WindowRecord } from './windows.ts';

const r1 = (x: number) => Math.round(x * 10) / 10;

/** The application name of the runner's own connections (left out of "our backends"). */
export const RUNNER_APPLICATION = 'pakn-soak-runner';

/** Queries the runner makes on the run's database while it samples. */
export function runnerQueries(db: pg.Pool) {
  return {
    /** The Postgres backends serving the server under test (not this runner's). */
    backendPids: backendPids(db, RUNNER_APPLICATION),
    /**
     * A checkpoint flushes every dirty page to disk; on a shared disk (other sessions' databases are
     * created and dropped, which forces one) our commits wait for it meanwhile: worth seeing per window.
     */
    checkpointsNow: (): Promise<Checkpoints | null> =>
      db
        .query<{ n: string; ms: string }>(
          `SELECT checkpoints_timed + checkpoints_req AS n, checkpoint_write_time + checkpoint_sync_time AS ms
           FROM pg_stat_bgwriter`,
        )
        .then((r) => ({
          count: Number(r.rows[0]?.n ?? 0),
          writeSyncMs: Math.round(Number(r.rows[0]?.ms ?? 0)),
        }))
        .catch(() => null),
  };
}

/** The API process's memory gauges and the escalation backlog, from its Prometheus text. */
export async function scrapeMetrics(base: string, token: string): Promise<Record<string, number> | null> {
  const wanted: Record<string, string> = {
    pakn_nodejs_heap_size_used_bytes: 'heapUsedMiB',
    pakn_nodejs_heap_size_total_bytes: 'heapTotalMiB',
    pakn_nodejs_external_memory_bytes: 'externalMiB',
    pakn_escalation_oldest_due_seconds: 'oldestDueTimerS',
  };
  try {
    const res = await fetch(`${base}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    const out: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const [name, value] = line.split(' ');
      const key = name ? wanted[name] : undefined;
      if (key && value !== undefined)
        out[key] = key.endsWith('MiB') ? Math.round((Number(value) / 2 ** 20) * 10) / 10 : Number(value);
    }
    return out;
  } catch {
    return null;
  }
}

/** The API process (node src/main/start.ts serves the API itself) and the worker it forks. */
function serverPids(apiPid: number): { api: number; worker: number | null } {
  const tree = processTree(apiPid);
  return { api: apiPid, worker: tree.find((p) => p !== apiPid) ?? null };
}

export type RssSample = { t: number; api: number | null; worker: number | null };

/**
 * The server's processes: the API and the worker it forks, each worker it ever had, when each started
 * (V8 stamps its GC trace in ms since its process started), and the worker's restarts.
 */
export function watchServer(apiPid: number) {
  let pids = serverPids(apiPid);
  const workerPids = new Set<number>(pids.worker ? [pids.worker] : []);
  const startMs = new Map<number, number>();
  const restarts: { at: number; from: number | null; to: number | null }[] = [];
  const noteStart = (pid: number | null) => {
    const t = pid ? processStartMs(pid) : null;
    if (pid && t) startMs.set(pid, t);
  };
  noteStart(apiPid);
  noteStart(pids.worker);
  return {
    apiPid,
    workerPids,
    startMs,
    restarts,
    worker: () => pids.worker,
    roleOf: (pid: number) => (pid === apiPid ? 'api' : workerPids.has(pid) ? 'worker' : 'other'),
    /** RSS of both (KiB); when the worker is gone, looks for the one that replaced it first. */
    rss(elapsedS: () => number): RssSample {
      let worker = pids.worker ? rssKiB(pids.worker) : null;
      if (worker === null) {
        const now = serverPids(apiPid);
        if (now.worker !== pids.worker) {
          restarts.push({ at: r1(elapsedS()), from: pids.worker, to: now.worker });
          if (now.worker) workerPids.add(now.worker);
          noteStart(now.worker);
          pids = now;
        }
        worker = pids.worker ? rssKiB(pids.worker) : null;
      }
      return { t: r1(elapsedS()), api: rssKiB(apiPid), worker };
    },
  };
}
export type ServerWatch = ReturnType<typeof watchServer>;

/**
 * Starts sampling, with the load about to start (its clock, `t0`, starts here): RSS every second into
 * the current window, our backends every 5 s, and per window at its close CPU, RSS, requests in
 * flight, the API's gauges and checkpoints (`onClosed` then sees it).
 */
export async function startSampling(o: {
  server: ServerWatch;
  windows: WindowRecord[];
  backendPids: () => Promise<number[]>;
  checkpointsNow: () => Promise<Checkpoints | null>;
  apiMetrics: () => Promise<Record<string, number> | null>;
  inFlight: () => number;
  onClosed: (w: WindowRecord) => void;
}) {
  const { server, windows } = o;
  let dbPids = await o.backendPids();
  const rssSamples: RssSample[] = [];
  let currentWindow = 0;
  const loadStartWall = new Date();
  const t0 = performance.now();
  const elapsedS = () => (performance.now() - t0) / 1000;
  const sampleRss = () => {
    const sample = server.rss(elapsedS);
    rssSamples.push(sample);
    const w = windows[Math.min(currentWindow, windows.length - 1)] as WindowRecord;
    w.rssMaxKiB.api = Math.max(w.rssMaxKiB.api, sample.api ?? 0);
    w.rssMaxKiB.worker = Math.max(w.rssMaxKiB.worker, sample.worker ?? 0);
    return sample;
  };
  const startRss = sampleRss();
  const rssTimer = setInterval(sampleRss, 1_000);
  const pidTimer = setInterval(() => {
    void o
      .backendPids()
      .then((p) => {
        dbPids = p;
      })
      .catch(() => {});
  }, 5_000);
  const meterPids = () => {
    const worker = server.worker();
    return [server.apiPid, ...(worker ? [worker] : [])];
  };
  let meter = startCpuMeter(meterPids(), dbPids);
  const closeWindow = (i: number) => {
    const w = windows[i] as WindowRecord;
    w.cpu = meter(dbPids);
    meter = startCpuMeter(meterPids(), dbPids);
    const s = sampleRss();
    w.rssKiB = { api: s.api, worker: s.worker };
    w.inFlightAtEnd = o.inFlight();
    return Promise.all([o.apiMetrics(), o.checkpointsNow()]).then(([m, c]) => {
      w.apiMetrics = m;
      w.checkpoints = c;
      o.onClosed(w);
    });
  };
  return {
    t0,
    loadStartWall,
    startRss,
    rssSamples,
    /** The load entered window `wi`: closes the windows before it. */
    reach(wi: number) {
      while (currentWindow < wi) void closeWindow(currentWindow++);
    },
    /** The load is over: closes the last window; returns its RSS, the RSS at the end of the load. */
    async finish() {
      currentWindow = windows.length;
      await closeWindow(windows.length - 1);
      return windows[windows.length - 1]?.rssKiB ?? { api: null, worker: null };
    },
    stopRss: () => clearInterval(rssTimer),
    stop() {
      clearInterval(rssTimer);
      clearInterval(pidTimer);
    },
  };
}
export type Sampler = Awaited<ReturnType<typeof startSampling>>;
