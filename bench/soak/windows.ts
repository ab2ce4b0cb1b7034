/** The soak's windows: what each counts per kind of request and samples while the load runs. */
import type { CpuReading } from '../lib/cpu-meter.ts';
import { KindStats } from './client.ts';
import type { ReadKind } from './workload.ts';

export type Kind =
  | 'intake_app'
  | 'intake_staff'
  | ReadKind
  | 'assign'
  | 'accept'
  | 'respond'
  | 'close'
  | 'dropped_client_overload';

export type KindGroup = 'intake' | 'read' | 'action' | 'dropped';

export const kindGroup = (k: Kind): KindGroup =>
  k.startsWith('intake')
    ? 'intake'
    : k === 'assign' || k === 'accept' || k === 'respond' || k === 'close'
      ? 'action'
      : k === 'dropped_client_overload'
        ? 'dropped'
        : 'read';

export type Checkpoints = { count: number; writeSyncMs: number };

export type WindowRecord = {
  index: number;
  fromS: number;
  toS: number;
  warmup: boolean;
  kinds: Map<Kind, KindStats>;
  /** How late the pacer sent requests (runner starved of CPU), ms. */
  sendLateMsMax: number;
  rssKiB: { api: number | null; worker: number | null } | null;
  rssMaxKiB: { api: number; worker: number };
  cpu: CpuReading | null;
  inFlightAtEnd: number;
  /** The API's own gauges at the window's end (GET /metrics): V8 heap, external memory, timer backlog. */
  apiMetrics: Record<string, number> | null;
  /** Checkpoints Postgres completed by the window's end (server-wide: other databases' work too). */
  checkpoints: Checkpoints | null;
};

/** `durationS / windowS` empty windows; those ending by `warmupS` are warm-up. */
export function createWindows(o: { durationS: number; windowS: number; warmupS: number }): WindowRecord[] {
  return Array.from({ length: o.durationS / o.windowS }, (_, i) => ({
    index: i,
    fromS: i * o.windowS,
    toS: (i + 1) * o.windowS,
    warmup: (i + 1) * o.windowS <= o.warmupS,
    kinds: new Map(),
    sendLateMsMax: 0,
    rssKiB: null,
    rssMaxKiB: { api: 0, worker: 0 },
    cpu: null,
    inFlightAtEnd: 0,
    apiMetrics: null,
    checkpoints: null,
  }));
}

/** The counters of kind `k` in window `w` (created on first use). */
export function statsOf(w: WindowRecord, k: Kind): KindStats {
  let s = w.kinds.get(k);
  if (!s) {
    s = new KindStats();
    w.kinds.set(k, s);
  }
  return s;
}

/** The window's counters of the kinds for which `keep` holds, merged. */
export function mergedKinds(w: WindowRecord, keep: (k: Kind) => boolean): KindStats {
  return KindStats.merge([...w.kinds.entries()].filter(([k]) => keep(k)).map(([, s]) => s));
}
