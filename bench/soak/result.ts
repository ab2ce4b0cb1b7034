/**
 * The soak's result: its figures, the facts the verdict judges and the verdict, with everything
 * else the run noted, as written to bench/results/soak-<tag>.json and printed by report.ts.
 */
import type { machineInfo } from '../lib/machine.ts';
import { gitState } from '../lib/results.ts';
import { memoryFacts, overallFigures, windowFigures } from './figures.ts';
import type { CaseRef } from './load.ts';
import type { SoakOptions } from './options.ts';
import type { Sampler, ServerWatch } from './sampling.ts';
import type { ServerLog } from './server-log.ts';
import { bounds, judge, judgeMemory } from './verdict.ts';
import type { tableCounts, tableReads, verifyDeliveries, verifyEscalations } from './verify.ts';
import type { startWebhookReceiver } from './webhook-receiver.ts';
import type { Checkpoints, WindowRecord } from './windows.ts';

const r1 = (x: number) => Math.round(x * 10) / 10;
const mib = (kb: number) => r1(kb / 1024);

/** What the run noted, from its start to the server's shutdown. */
export type RunRecord = {
  tag: string;
  opts: SoakOptions;
  machine: ReturnType<typeof machineInfo>;
  postgres: { version: string; settings: Record<string, string> };
  quietBefore: { quiet: boolean; busyCores: number } | null;
  windows: WindowRecord[];
  sampler: Sampler;
  server: ServerWatch;
  checkpointsBeforeLoad: Checkpoints | null;
  loadEnd: Date;
  endRss: { api: number | null; worker: number | null };
  stillInFlight: number;
  workload: { cases: CaseRef[]; firstErrors: string[]; errorCounts: Record<string, number> };
  pendingDeliveries: number;
  escalations: Awaited<ReturnType<typeof verifyEscalations>>;
  deliveries: Awaited<ReturnType<typeof verifyDeliveries>> | null;
  receiverStats: ReturnType<Awaited<ReturnType<typeof startWebhookReceiver>>['stats']> | null;
  counts: Awaited<ReturnType<typeof tableCounts>>;
  reads: Awaited<ReturnType<typeof tableReads>>;
  missingCreated: string[];
  idleProbeMs: { before: Record<string, number | null>; after: Record<string, number | null> };
  exitCode: number | null;
  stderr: string;
  log: ServerLog;
};

export function soakResult(r: RunRecord) {
  const { opts, windows, sampler, server, log } = r;
  const loadStartMs = sampler.loadStartWall.getTime();
  const figures = windowFigures({
    windows,
    windowS: opts.windowS,
    loadStartMs,
    log,
    roleOf: server.roleOf,
    checkpointsBeforeLoad: r.checkpointsBeforeLoad,
    escalations: r.escalations,
  });
  const measured = figures.filter((w) => !w.warmup);
  const first = measured[0] as (typeof figures)[number];
  const last = measured[measured.length - 1] as (typeof figures)[number];
  const { overall, byKind } = overallFigures(windows);
  const overallSummary = overall.summary();

  const memorySources = {
    log,
    roleOf: server.roleOf,
    loadStartMs,
    rssSamples: sampler.rssSamples,
    endRss: r.endRss,
    windows,
    warmupS: opts.warmupS,
    windowS: opts.windowS,
  };
  const memory = {
    api: judgeMemory(memoryFacts('api', memorySources), opts),
    worker: judgeMemory(memoryFacts('worker', memorySources), opts),
    atLoadStartMiB: { api: mib(sampler.startRss.api ?? 0), worker: mib(sampler.startRss.worker ?? 0) },
  };
  const failed = (k: string) => (byKind[k]?.errors ?? 0) + (byKind[k]?.unexpected ?? 0);
  const { verdict, met } = judge(
    {
      requests: {
        errors: overallSummary.errors,
        unexpected: overallSummary.unexpected,
        dropped: figures.reduce((a, w) => a + w.dropped, 0),
        stillInFlight: r.stillInFlight,
      },
      latency: {
        first: { p99: first.all.latencyMs.p99, otherCores: first.cpu?.otherCores ?? null },
        last: { p99: last.all.latencyMs.p99, otherCores: last.cpu?.otherCores ?? null },
      },
      memory,
      escalationsOk: r.escalations.ok,
      deliveries:
        r.deliveries && r.receiverStats
          ? {
              pending: r.pendingDeliveries,
              failed: r.deliveries.byStatus.failed ?? 0,
              deliveredNotSeen: r.deliveries.deliveredNotSeen,
              badSignatures: r.receiverStats.badSignatures,
              malformed: r.receiverStats.malformed,
            }
          : null,
      intake: {
        responses201: overall.statuses['201'] ?? 0,
        casesInDb: r.counts.cases ?? 0,
        missingCreated: r.missingCreated,
        failedRequests: failed('intake_app') + failed('intake_staff'),
      },
      server: { workerRestarts: server.restarts.length, errorLogLines: log.errorLines, exitCode: r.exitCode },
    },
    opts.checkScope,
  );

  return {
    benchmark: 'soak',
    tag: r.tag,
    at: new Date().toISOString(),
    command: `npm run bench:soak -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: r.machine,
    postgres: r.postgres,
    git: gitState(),
    options: opts,
    bounds,
    quietBefore: r.quietBefore,
    loadStart: sampler.loadStartWall.toISOString(),
    loadEnd: r.loadEnd.toISOString(),
    overall: { ...overallSummary, requestsPerSec: r1(overall.sent / opts.durationS) },
    byKind,
    windows: figures,
    memory,
    rssSamples: sampler.rssSamples,
    workerPids: [...server.workerPids],
    workerRestarts: server.restarts,
    escalations: r.escalations,
    webhooks: r.deliveries
      ? { deliveries: r.deliveries, receiver: r.receiverStats, pendingAtEnd: r.pendingDeliveries }
      : null,
    tables: r.counts,
    tableReads: r.reads,
    idleProbeMs: r.idleProbeMs,
    casesLeftAlone: r.workload.cases.filter((c) => !c.touched).length,
    firstErrors: r.workload.firstErrors,
    errorCounts: r.workload.errorCounts,
    server: { exitCode: r.exitCode, stderr: r.stderr, log },
    verdict,
    met,
  };
}
export type SoakResult = ReturnType<typeof soakResult>;
