/** What the soak prints: a line per window as it closes, and the report at the end. */
import type { SoakResult } from './result.ts';
import { verdictLine } from './verdict.ts';
import { mergedKinds, type WindowRecord } from './windows.ts';

type Say = (line: string) => void;
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const mib = (kb: number) => r1(kb / 1024);
const pad = (x: unknown, n: number) => String(x ?? '-').padStart(n);

/** The live line of a window that just closed (its figures are final only in the report). */
export function windowLine(
  w: WindowRecord,
  o: { windowS: number; disturbedOtherCores: number; cases: number },
): string {
  const all = mergedKinds(w, (k) => k !== 'dropped_client_overload').summary();
  const non2xx = Object.entries(all.statuses)
    .filter(([s]) => !s.startsWith('2'))
    .map(([s, c]) => `${s}:${c}`)
    .join(' ');
  return (
    `[${String(w.fromS).padStart(4)}-${String(w.toS).padEnd(4)} s]${w.warmup ? ' warm-up' : '        '} ` +
    `${all.sent} req (${r1(all.sent / o.windowS)}/s), errors ${all.errors}, unexpected ${all.unexpected}` +
    `${non2xx ? ` (${non2xx})` : ''}, p50 ${all.latencyMs.p50 ?? '-'} ms, p99 ${all.latencyMs.p99 ?? '-'} ms; ` +
    `RSS API ${mib(w.rssKiB?.api ?? 0)} MiB (heap ${w.apiMetrics?.heapUsedMiB}/${w.apiMetrics?.heapTotalMiB}), ` +
    `worker ${mib(w.rssKiB?.worker ?? 0)} MiB; ` +
    `CPU server ${w.cpu?.serverCores} postgres ${w.cpu?.dbBackendCores} ` +
    `(${r2(((w.cpu?.dbBackendCores ?? 0) / Math.max(1, all.sent / o.windowS)) * 1000)} ms/req) others ${w.cpu?.otherCores}` +
    `${(w.cpu?.otherCores ?? 0) > o.disturbedOtherCores ? ' DISTURBED' : ''}; cases ${o.cases}`
  );
}

/** After the grace period: when the due timers settled and whether the deliveries arrived. */
export function settleLine(
  loadEnd: Date,
  settledAt: Date | null,
  pending: { timers: number; deliveries: number },
  o: { graceS: number; webhook: boolean },
): string {
  const drainS = r1((Date.now() - loadEnd.getTime()) / 1000);
  return (
    `after the load: timers due before the end settled ${settledAt ? `${r1((settledAt.getTime() - loadEnd.getTime()) / 1000)} s after it` : `NOT within ${o.graceS} s (${pending.timers} pending)`}` +
    `${o.webhook ? `; deliveries ${pending.deliveries === 0 ? 'all delivered' : `${pending.deliveries} still pending`} ${drainS} s after it` : ''}`
  );
}

function windowTable(r: SoakResult, say: Say) {
  say(
    "per window (final figures; latency in ms, as the client saw it and the server's own time from its log; " +
      'RSS in MiB; escalation steps by due time: fired, or skipped because the case no longer waited; lag in s):',
  );
  say(
    '  window       req/s  err  non-2xx   p50     p99  | server p50  p99 | intake p99 read p99 action p99 | RSS API  worker' +
      ' (full GC -> live heap) | steps due fired skipped lag p99 | pg ms/req others ckpt',
  );
  for (const w of r.windows) {
    const non2xx = Object.entries(w.all.statuses)
      .filter(([c]) => !c.startsWith('2'))
      .reduce((a, [, c]) => a + c, 0);
    const e = w.escalations;
    const gc = (x: { count: number; liveAfterMiB: number | null }) =>
      x.count ? `${x.count}->${x.liveAfterMiB}` : '-';
    say(
      `  ${`${w.fromS}-${w.toS}${w.warmup ? '*' : ''}`.padEnd(10)} ${pad(w.requestsPerSec, 7)} ${pad(w.all.errors + w.dropped, 4)} ` +
        `${pad(non2xx, 8)} ${pad(w.all.latencyMs.p50, 6)} ${pad(w.all.latencyMs.p99, 7)}  | ` +
        `${pad(w.serverSide?.p50, 10)} ${pad(w.serverSide?.p99, 4)} | ` +
        `${pad(w.byGroup.intake.latencyMs.p99, 10)} ${pad(w.byGroup.read.latencyMs.p99, 8)} ${pad(w.byGroup.action.latencyMs.p99, 10)} | ` +
        `${pad(w.rssMiB.api, 7)} ${pad(w.rssMiB.worker, 7)} (${gc(w.fullGc.api)}, ${gc(w.fullGc.worker)}) | ` +
        `${pad(e?.timersDue, 9)} ${pad(e?.fired, 5)} ${pad(e?.cancelled, 7)} ${pad(e?.lagS.p99, 7)} | ` +
        `${pad(r2(((w.cpu?.dbBackendCores ?? 0) / Math.max(1, w.requestsPerSec)) * 1000), 9)} ${pad(w.cpu?.otherCores, 6)} ` +
        `${pad(w.checkpoints?.count, 4)}`,
    );
  }
  say('  (* warm-up, excluded from the comparisons)');
}

function timingLines(r: SoakResult, say: Say) {
  const { overall, verdict: v, memory } = r;
  say('per kind over the run (p50 / p99 ms, requests):');
  for (const [k, x] of Object.entries(r.byKind))
    say(
      `  ${k.padEnd(24)} ${pad(x.latencyMs.p50, 7)} / ${pad(x.latencyMs.p99, 7)}  ${x.sent}` +
        `${x.errors + x.unexpected ? `  errors ${x.errors}, unexpected ${x.unexpected} ${JSON.stringify(x.statuses)}` : ''}`,
    );
  say(
    `overall: ${overall.sent} requests (${overall.requestsPerSec}/s), errors ${overall.errors}, ` +
      `unexpected ${overall.unexpected}, dropped ${v.errors.dropped}; statuses ${JSON.stringify(overall.statuses)}`,
  );
  say(
    `p99: first window after warm-up ${v.latency.firstWindowP99} ms, last ${v.latency.lastWindowP99} ms (limit ${v.latency.limit} ms)` +
      `${v.latency.judged ? '' : ' — NOT JUDGED: the machine was busy with other work in one of them'}`,
  );
  for (const k of ['api', 'worker'] as const) {
    const m = memory[k];
    say(
      `memory ${k}: RSS ${memory.atLoadStartMiB[k]} MiB at the start, ${m.rss.afterWarmupMiB} after warm-up, ` +
        `${m.rss.baselineMiB} high-water until ${m.rss.baselineUntilS ?? '-'} s (first full GC after warm-up), ` +
        `${m.rss.endMiB} at the end (limit ${m.rss.limitMiB}${m.rss.judged ? '' : ', not judged: no full GC during the load'}); ` +
        `live heap after full GCs ${m.fullGcs.map((g) => `${g.afterMiB}@${g.atS}s`).join(' ') || 'none'}` +
        `${m.liveHeap.judged ? ` (last ${m.liveHeap.lastMiB} vs limit ${m.liveHeap.limitMiB})` : ' (not judged: < 2 after warm-up)'}`,
    );
  }
}

function correctnessLines(r: SoakResult, say: Say) {
  const { escalations: e, verdict: v, tables: counts } = r;
  say(
    `escalations: ${e.timersDue} timers due during the run (${JSON.stringify(e.timersDueByStatus)}), ` +
      `fired ${JSON.stringify(e.escalationsFiredBySteps)}; cases left alone: ${e.untouchedTimersFired}` +
      `/${e.untouchedTimersDue} due steps fired; duplicates ${JSON.stringify(e.duplicates)}; ` +
      `fired without escalation ${e.firedWithoutEscalation}, escalation without fired timer ` +
      `${e.escalationWithoutFiredTimer}, without notification ${e.withoutNotification}, ` +
      `after the answer ${e.firedAfterAnswer}; lag p50 ${e.lag.lagS.p50} s, ` +
      `p99 ${e.lag.lagS.p99} s, max ${e.lag.lagS.max} s`,
  );
  if (r.webhooks) {
    const d = r.webhooks.deliveries;
    say(
      `webhooks: ${d.total} deliveries ${JSON.stringify(d.byStatus)}, retried ${d.retried}; ` +
        `receiver ${JSON.stringify(r.webhooks.receiver)}`,
    );
  }
  say(`tables: ${JSON.stringify(counts)}`);
  say(
    `reads on the idle server, median of 9 (ms): before the load (1 case) -> after (${counts.cases} cases):`,
  );
  for (const name of Object.keys(r.idleProbeMs.before))
    say(`  ${name.padEnd(34)} ${pad(r.idleProbeMs.before[name], 6)} -> ${pad(r.idleProbeMs.after[name], 6)}`);
  const i = v.intake;
  say(
    `intake: ${i.responses201} answered 201, ${counts.cases} cases in the database (the smoke case, and ` +
      `${i.casesWithout201} whose request failed on our side, of ${i.intakeRequestsFailed} failed)` +
      `${i.created201NotInDb ? `; ${i.created201NotInDb} answered 201 but NOT in the database: ${i.firstMissing.slice(0, 10).join(', ')}` : ''}`,
  );
  if (Object.keys(r.errorCounts).length) say(`failures by cause: ${JSON.stringify(r.errorCounts)}`);
  say(
    `rows fetched per index scan: ${Object.entries(r.tableReads)
      .map(([t, x]) => `${t} ${x.rowsPerIndexScan}`)
      .join(', ')}`,
  );
  const { exitCode, stderr, log } = r.server;
  say(
    `server: exit ${exitCode}, worker restarts ${r.workerRestarts.length}, error-level log lines ${log.errorLines}` +
      `${log.firstErrors.length ? `\n  ${log.firstErrors.join('\n  ')}` : ''}`,
  );
  if (stderr) say(`server stderr (end):\n  ${stderr.slice(-1_000).replaceAll('\n', '\n  ')}`);
  for (const e of r.firstErrors.slice(0, 5)) say(`  first errors: ${e}`);
}

/** The report at the end of the run, ending with the verdict and where the results went. */
export function printReport(r: SoakResult, resultsFile: string, say: Say) {
  say('');
  say('');
  windowTable(r, say);
  timingLines(r, say);
  correctnessLines(r, say);
  say(`${verdictLine(r.verdict, r.met)}; results in ${resultsFile}`);
}
