/**
 * The soak's verdict, a pure function of what the run measured (bench/README.md, bench/soak,
 * explains each check and its bounds). Two scopes:
 *
 * - `all` (`--check`): correctness and timing — p99 of the last window against the first after
 *   warm-up, and memory that stops growing.
 * - `correctness` (`--check correctness`, as CI runs it): zero errors, every escalation exactly once,
 *   every webhook delivered, every acknowledged intake in the database, no worker restart, no
 *   error-level log line, a clean shutdown. The timing checks are still computed and reported, for
 *   information: a busy machine breaks them while nothing is wrong.
 */

/** The verdict's bounds. */
export type Bounds = {
  /** p99 of the last window <= p99Ratio x the first after warm-up + p99SlackMs. */
  p99Ratio: number;
  p99SlackMs: number;
  /** Other work on the machine above this many cores in either window: p99 not judged. */
  disturbedOtherCores: number;
  /** RSS and live heap at the end <= rssRatio x their baseline + rssSlackMiB. */
  rssRatio: number;
  rssSlackMiB: number;
};

export const bounds: Bounds = {
  p99Ratio: 1.5,
  p99SlackMs: 10,
  disturbedOtherCores: 0.3,
  rssRatio: 1.25,
  rssSlackMiB: 20,
};

export const checkScopes = ['all', 'correctness'] as const;
export type CheckScope = (typeof checkScopes)[number];

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const mib = (kb: number) => r1(kb / 1024);

/** What a process's memory did during the load. */
export type MemoryFacts = {
  /** Its full GCs: when (s since the load started) and the live heap after each (MiB). */
  fullGcs: { atS: number; afterMiB: number }[];
  /** RSS sampled every second: when (s since the load started), KiB (0 when not read). */
  rss: { t: number; kib: number }[];
  /** RSS at the end of the load and at the end of the warm-up, KiB (0 when not read). */
  endKiB: number;
  afterWarmupKiB: number;
};

/** The run's shape, as far as the memory checks need it. */
export type RunShape = { traceGc: boolean; warmupS: number; durationS: number };

/**
 * Whether a process's memory stopped growing. V8 grows a heap under a load and lets RSS keep that
 * high-water mark (the API went from ~290 to ~440 MiB in its first minute with a flat live heap; the
 * worker's young generation kept growing into the second: 212 -> 290 MiB with a live heap of
 * 31-36 MiB), so RSS is compared against its high-water mark up to the process's first full GC
 * after the warm-up; and the live heap after the last full GC against the first one after warm-up.
 * Either needs such a full GC (judged: false otherwise; without --trace-gc, RSS after warm-up as the
 * baseline).
 */
export function judgeMemory(m: MemoryFacts, run: RunShape, b: Bounds = bounds) {
  const gcs = m.fullGcs.filter((g) => g.atS >= 0 && g.atS <= run.durationS);
  const baselineUntilS = run.traceGc
    ? (gcs.find((g) => g.atS >= run.warmupS)?.atS ?? Number.POSITIVE_INFINITY)
    : run.warmupS;
  const upTo = m.rss.filter((x) => x.t <= baselineUntilS).map((x) => x.kib);
  const baseline = upTo.length ? Math.max(...upTo) : 0;
  const end = m.endKiB;
  const limit = baseline * b.rssRatio + b.rssSlackMiB * 1024;
  const rssJudged = baselineUntilS <= run.durationS && baseline > 0;
  const afterWarmup = gcs.filter((g) => g.atS >= run.warmupS);
  const heapFirst = afterWarmup[0]?.afterMiB ?? null;
  const heapLast = afterWarmup.at(-1)?.afterMiB ?? null;
  const heapLimit = heapFirst === null ? null : r1(heapFirst * b.rssRatio + b.rssSlackMiB);
  const heapJudged = afterWarmup.length >= 2;
  const rssOk = end > 0 && end <= limit;
  const heapOk = heapLast !== null && heapLimit !== null && heapLast <= heapLimit;
  return {
    fullGcs: gcs,
    rss: {
      judged: rssJudged,
      ok: rssOk,
      baselineUntilS: Number.isFinite(baselineUntilS) ? baselineUntilS : null,
      baselineMiB: mib(baseline),
      afterWarmupMiB: mib(m.afterWarmupKiB),
      endMiB: mib(end),
      limitMiB: mib(limit),
    },
    liveHeap: {
      judged: heapJudged,
      ok: heapOk,
      firstMiB: heapFirst,
      lastMiB: heapLast,
      limitMiB: heapLimit,
    },
    judged: rssJudged || heapJudged,
    ok: (!rssJudged || rssOk) && (!heapJudged || heapOk),
  };
}
export type MemoryJudgement = ReturnType<typeof judgeMemory>;

/** Everything the verdict looks at. */
export type VerdictFacts = {
  /** Over the run: network errors and timeouts, answers other than expected, requests dropped because
   * 10 x rate were in flight, and requests still unanswered after the load. */
  requests: { errors: number; unexpected: number; dropped: number; stillInFlight: number };
  /** p99 (ms; null when nothing was answered) and others' cores of the first and last windows after warm-up. */
  latency: {
    first: { p99: number | null; otherCores: number | null };
    last: { p99: number | null; otherCores: number | null };
  };
  memory: { api: MemoryJudgement; worker: MemoryJudgement };
  escalationsOk: boolean;
  /** Webhook deliveries against what the receiver saw; null when the run had no webhook. */
  deliveries: {
    pending: number;
    failed: number;
    deliveredNotSeen: number;
    badSignatures: number;
    malformed: number;
  } | null;
  /** Intake: 201 answers, cases in the database (the smoke case included), the ids answered 201 but
   * not in the database, intake requests that failed on our side. */
  intake: { responses201: number; casesInDb: number; missingCreated: string[]; failedRequests: number };
  server: { workerRestarts: number; errorLogLines: number; exitCode: number | null };
};

/** The verdict: each check with what it compared, and whether the run met it in `scope`. */
export function judge(f: VerdictFacts, scope: CheckScope, b: Bounds = bounds) {
  const q = f.requests;
  const errorsOk = q.errors === 0 && q.unexpected === 0 && q.dropped === 0 && q.stillInFlight === 0;
  // A window none of whose requests was answered has no p99: that fails (Infinity).
  const p99First = f.latency.first.p99 ?? Number.POSITIVE_INFINITY;
  const p99Last = f.latency.last.p99 ?? Number.POSITIVE_INFINITY;
  const p99Limit = r1(p99First * b.p99Ratio + b.p99SlackMs);
  const disturbed = [f.latency.first, f.latency.last].some(
    (w) => (w.otherCores ?? 0) > b.disturbedOtherCores,
  );
  const latencyOk = Number.isFinite(p99Last) && p99Last <= p99Limit;
  const memoryOk = f.memory.api.ok && f.memory.worker.ok;
  // Each 201 is a case in the database (none lost); a case without a 201 is the smoke case or one
  // whose request failed on our side (a client timeout: the server may still have written it).
  const casesWithout201 = f.intake.casesInDb - f.intake.responses201 - 1;
  const intakeOk =
    f.intake.missingCreated.length === 0 &&
    casesWithout201 >= 0 &&
    casesWithout201 <= f.intake.failedRequests;
  const d = f.deliveries;
  const deliveriesOk =
    !d ||
    (d.pending === 0 &&
      d.failed === 0 &&
      d.deliveredNotSeen === 0 &&
      d.badSignatures === 0 &&
      d.malformed === 0);
  const s = f.server;
  const serverOk = s.workerRestarts === 0 && s.errorLogLines === 0 && s.exitCode === 0;
  const verdict = {
    errors: { ok: errorsOk, ...q },
    latency: {
      ok: latencyOk,
      judged: !disturbed,
      firstWindowP99: p99First,
      lastWindowP99: p99Last,
      limit: p99Limit,
      ratio: p99First > 0 ? r2(p99Last / p99First) : null,
      otherCores: { first: f.latency.first.otherCores, last: f.latency.last.otherCores },
    },
    memory: {
      ok: memoryOk,
      judged: { api: f.memory.api.judged, worker: f.memory.worker.judged },
    },
    escalations: { ok: f.escalationsOk },
    deliveries: { ok: deliveriesOk },
    intake: {
      ok: intakeOk,
      responses201: f.intake.responses201,
      casesInDb: f.intake.casesInDb,
      created201NotInDb: f.intake.missingCreated.length,
      casesWithout201,
      intakeRequestsFailed: f.intake.failedRequests,
      firstMissing: f.intake.missingCreated.slice(0, 20),
    },
    server: {
      ok: serverOk,
      workerRestarts: s.workerRestarts,
      errorLogLines: s.errorLogLines,
      exitCode: s.exitCode,
    },
    /** What was judged: `all`, or `correctness` (the timing checks then only reported). */
    scope,
  };
  const correct = errorsOk && f.escalationsOk && deliveriesOk && intakeOk && serverOk;
  const timely = (latencyOk || disturbed) && memoryOk;
  return { verdict, met: correct && (scope === 'correctness' || timely) };
}
export type Verdict = ReturnType<typeof judge>['verdict'];

const mark = (ok: boolean) => (ok ? 'ok' : 'FAILED');

/** The verdict in one line, as the report ends (without where the results went). */
export function verdictLine(v: Verdict, met: boolean): string {
  const outcome = met ? 'MET' : 'NOT MET';
  const memoryJudged = v.memory.judged.api || v.memory.judged.worker;
  const correctness =
    `errors ${mark(v.errors.ok)}, escalations ${mark(v.escalations.ok)}, deliveries ${mark(v.deliveries.ok)}, ` +
    `intake ${mark(v.intake.ok)}, server ${mark(v.server.ok)}`;
  if (v.scope === 'correctness') {
    const bound = (ok: boolean) => (ok ? 'within its bound' : 'OVER its bound');
    return (
      `verdict (correctness): ${correctness} -> ${outcome}; timing, reported and not judged: ` +
      `p99 ${bound(v.latency.ok)}${v.latency.judged ? '' : ' (machine busy with other work)'}, ` +
      `memory ${memoryJudged ? bound(v.memory.ok) : 'not measured (no full GC)'}`
    );
  }
  return (
    `verdict: errors ${mark(v.errors.ok)}, p99 ${v.latency.judged ? mark(v.latency.ok) : `not judged (${mark(v.latency.ok)} as measured)`}, ` +
    `memory ${memoryJudged ? mark(v.memory.ok) : 'not judged'}, escalations ${mark(v.escalations.ok)}, ` +
    `deliveries ${mark(v.deliveries.ok)}, intake ${mark(v.intake.ok)}, server ${mark(v.server.ok)} -> ${outcome}`
  );
}
