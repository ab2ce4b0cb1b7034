/**
 * The soak's figures, from what the load counted per window, what was sampled, the server's log and
 * the escalation audit: per window (latency overall, per group and per kind, RSS, full GCs, CPU,
 * checkpoints, escalation steps by due time), over the run, and the memory facts the verdict judges.
 */
import { KindStats, type KindSummary } from './client.ts';
import type { RssSample } from './sampling.ts';
import type { ServerLog } from './server-log.ts';
import type { MemoryFacts } from './verdict.ts';
import type { verifyEscalations } from './verify.ts';
import {
  type Checkpoints,
  type Kind,
  type KindGroup,
  kindGroup,
  mergedKinds,
  type WindowRecord,
} from './windows.ts';

const r1 = (x: number) => Math.round(x * 10) / 10;
const mib = (kb: number) => r1(kb / 1024);

type Role = 'api' | 'worker';

/** What the figures are computed from. */
export type FigureSources = {
  windows: WindowRecord[];
  windowS: number;
  loadStartMs: number;
  log: ServerLog;
  roleOf: (pid: number) => string;
  checkpointsBeforeLoad: Checkpoints | null;
  escalations: Awaited<ReturnType<typeof verifyEscalations>>;
};

/** Full GCs of a process in [fromS, toS) s of the load: how many, and the live heap after the last. */
function fullGcsIn(s: FigureSources, role: Role, fromS: number, toS: number) {
  const gcs = s.log.fullGcs.filter((g) => {
    const at = (g.atMs - s.loadStartMs) / 1000;
    return s.roleOf(g.pid) === role && at >= fromS && at < toS;
  });
  return { count: gcs.length, liveAfterMiB: gcs.at(-1)?.afterMiB ?? null };
}

/** Checkpoints Postgres made during window `w` (null when either end was not read). */
function checkpointsIn(s: FigureSources, w: WindowRecord) {
  const before = w.index === 0 ? s.checkpointsBeforeLoad : s.windows[w.index - 1]?.checkpoints;
  return w.checkpoints && before
    ? {
        count: w.checkpoints.count - before.count,
        writeSyncMs: w.checkpoints.writeSyncMs - before.writeSyncMs,
      }
    : null;
}

const answered = (k: Kind) => kindGroup(k) !== 'dropped';

/** Each window's figures. */
export function windowFigures(s: FigureSources) {
  const groupOf = (w: WindowRecord, g: KindGroup) => mergedKinds(w, (k) => kindGroup(k) === g).summary();
  return s.windows.map((w) => {
    const all = mergedKinds(w, answered);
    return {
      window: w.index,
      fromS: w.fromS,
      toS: w.toS,
      warmup: w.warmup,
      all: all.summary(),
      requestsPerSec: r1(all.sent / s.windowS),
      dropped: w.kinds.get('dropped_client_overload')?.sent ?? 0,
      byGroup: { intake: groupOf(w, 'intake'), read: groupOf(w, 'read'), action: groupOf(w, 'action') },
      byKind: Object.fromEntries([...w.kinds.entries()].map(([k, st]) => [k, st.summary()])) as Record<
        string,
        KindSummary
      >,
      rssMiB: { api: mib(w.rssKiB?.api ?? 0), worker: mib(w.rssKiB?.worker ?? 0) },
      rssMaxMiB: { api: mib(w.rssMaxKiB.api), worker: mib(w.rssMaxKiB.worker) },
      cpu: w.cpu,
      sendLateMsMax: r1(w.sendLateMsMax),
      apiMetrics: w.apiMetrics,
      /** The API's own time per request (its log), against `all` as the client saw it (queueing included). */
      serverSide: s.log.serverSide[w.index] ?? null,
      checkpoints: checkpointsIn(s, w),
      fullGc: { api: fullGcsIn(s, 'api', w.fromS, w.toS), worker: fullGcsIn(s, 'worker', w.fromS, w.toS) },
      escalations: s.escalations.perWindow.find((e) => e.window === w.index) ?? null,
    };
  });
}
export type WindowFigures = ReturnType<typeof windowFigures>[number];

/** Every answered (not dropped) request of the run, merged; and the summary of each kind over the run. */
export function overallFigures(windows: WindowRecord[]) {
  const overall = KindStats.merge(
    windows.flatMap((w) => [...w.kinds.entries()].filter(([k]) => answered(k)).map(([, st]) => st)),
  );
  const byKind = Object.fromEntries(
    [...new Set(windows.flatMap((w) => [...w.kinds.keys()]))].map((k) => [
      k,
      KindStats.merge(windows.map((w) => w.kinds.get(k)).filter((st): st is KindStats => !!st)).summary(),
    ]),
  );
  return { overall, byKind };
}

/** What a process's memory did during the load (see judgeMemory). */
export function memoryFacts(
  role: Role,
  o: {
    log: ServerLog;
    roleOf: (pid: number) => string;
    loadStartMs: number;
    rssSamples: RssSample[];
    endRss: { api: number | null; worker: number | null };
    windows: WindowRecord[];
    warmupS: number;
    windowS: number;
  },
): MemoryFacts {
  return {
    fullGcs: o.log.fullGcs
      .filter((g) => o.roleOf(g.pid) === role)
      .map((g) => ({ atS: r1((g.atMs - o.loadStartMs) / 1000), afterMiB: g.afterMiB })),
    rss: o.rssSamples.map((x) => ({ t: x.t, kib: x[role] ?? 0 })),
    endKiB: o.endRss[role] ?? 0,
    afterWarmupKiB: o.windows[o.warmupS / o.windowS - 1]?.rssKiB?.[role] ?? 0,
  };
}
