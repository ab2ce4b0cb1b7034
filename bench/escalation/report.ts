/** bench/escalation's summary: each phase's lag, duplicates, CPU and Redis memory, and the goal. */
import type { CpuReading } from '../lib/cpu-meter.ts';
import type { BareResult } from './bare.ts';
import type { EngineResult } from './engine.ts';
import type { LagStats } from './measure.ts';
import { type interference, log } from './sampling.ts';

function printLag(label: string, s: LagStats) {
  log(
    `${label.padEnd(8)} n=${s.count} p50 ${s.p50} ms  p90 ${s.p90} ms  p99 ${s.p99} ms  p99.9 ${s.p999} ms  max ${s.max} ms  (early ${s.early})`,
  );
}

const cpuLine = (c: CpuReading, i: ReturnType<typeof interference>) =>
  `machine ${c.machineCores} cores busy: workers ${c.serverCores}, our postgres ${c.dbBackendCores ?? '-'}, all postgres ${c.postgresCores}, bench ${c.loadCores}; ` +
  `others' work ${i.meanOthersCores} cores on average (max ${i.maxOthersCores}, ${i.secondsOthersOver0_5} s above 0.5)`;

export function printSummary(o: {
  heading: string;
  bare: BareResult | undefined;
  engine: EngineResult | undefined;
  farCount: number;
  ratio: number | null;
  goal: Record<string, boolean | null> | undefined;
  met: boolean | null;
  resultsFile: string;
}) {
  const { bare, engine } = o;
  process.stdout.write('\n');
  log(o.heading);
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
      `redis    our prefix: far=0 ${r.horizonFar0.MiB} MiB / ${r.horizonFar0.jobs} jobs; far=${o.farCount} ${r.horizonFarN.MiB} MiB / ${r.horizonFarN.jobs} jobs ` +
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
  if (o.ratio !== null) log(`ratio    engine p99 / bare p99 = ${o.ratio}`);
  if (o.goal) log(`goal     ${o.met ? 'MET' : 'NOT MET'} ${JSON.stringify(o.goal)}`);
  log(`results  ${o.resultsFile}`);
}
