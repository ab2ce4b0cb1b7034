/**
 * bench/soak: the real system (API + worker) under a steady mixed workload for minutes, reported per
 * window: latency, errors, memory of both processes, escalations falling due and firing meanwhile.
 *
 *   npm run bench:soak -- [--rate N] [--duration 300] [--window 60|15] [--warmup 60] [--connections 64]
 *                         [--grace 60] [--quiet-wait 15] [--escalations 20] [--log-level info] [--keep-logs] [--no-webhook]
 *                         [--no-trace-gc] [--seed 1] [--pool-size 20] [--keep-db] [--server-autovacuum]
 *                         [--check [all|correctness]]
 *
 * 1. A fresh database pakn_soak_<timestamp> (dropped at the end unless --keep-db) and a Redis prefix
 *    of the same name (keys deleted at the end); a webhook receiver on 127.0.0.1 in this process.
 *    Autovacuum is turned on for the run when the server has it off, as CI servers may (and put
 *    back at the end); --server-autovacuum leaves the server's setting alone.
 * 2. The server as users start it (`node src/main/start.ts`: bootstrap, migrations, first admin, the
 *    worker child, the API), logging at LOG_LEVEL to a file, with `--trace-gc` (one line per GC, to
 *    tell a leak from V8 sizing its heap; --no-trace-gc leaves it out); waits for /ready.
 * 3. Through the HTTP API: admin token; a ward with a continuous-clock escalation ladder (acceptance
 *    30 s; reminder 10 s before the answer deadline, overdue at it, chairman 10 s after); three
 *    departments; an intake officer, a head per department and the chairman; eight categories, five
 *    with working-day SLAs and three with continuous 20-50 s ones (so escalations keep falling
 *    due during the run); the app's API client; a webhook (case.escalated) to the receiver.
 * 4. `--rate` requests/s, open loop (paced by the clock, not by answers) over `--connections`
 *    keep-alive connections, for `--duration` s: due workflow actions first (assign, accept, respond,
 *    close: each case's next action is sent 1-12 s after the previous one's answer, so no two
 *    requests on a case race), the other slots 20 % intake (app API key or intake staff) and 80 %
 *    reads (filtered lists, overdue lists, search q=, one case, its events, notification inboxes).
 *    40 % of cases are left alone: all their escalation steps due during the run must fire. Enough
 *    cases go to the fast categories for about `--escalations` steps to fall due each second.
 * 5. Per window (`--window`, default 60 s, 15 s for runs under 3 min): requests, errors, status codes,
 *    p50/p99 overall and per kind, API and worker RSS (/proc) and full GCs, CPU of the server,
 *    Postgres and the rest of the machine. Then (at most `--grace` s) until every timer due before
 *    the end has settled and every webhook delivery made meanwhile has been delivered, and Postgres
 *    is checked. The first `--warmup` s (60: the longest answer deadline plus the chairman step, after
 *    which the mix is steady) are excluded from the comparisons.
 * 6. Verdict (`--check`: exit 1 when not met): zero errors and unexpected statuses; p99 of the last
 *    window <= 1.5 x the first window after warm-up + 10 ms (not judged when other work on the
 *    machine took > 0.3 cores in either); per process, RSS at the end <= 1.25 x + 20 MiB its
 *    high-water mark until its first full GC after warm-up,
 *    and the live heap after its last full GC <= 1.25 x + 20 MiB that after its first one after
 *    warm-up (each judged once there was such a GC); every due escalation settled, those of
 *    untouched cases fired, once; deliveries delivered; every 201 a case; no worker restart, no
 *    error-level log line, a clean shutdown. `--check correctness` (as CI runs it) judges only what
 *    is not timing: errors, escalations, deliveries, intake and the server; p99 and memory are
 *    reported against their bounds but not judged. Results: bench/results/soak-<timestamp>.json
 *    (git-ignored).
 *
 * --rate defaults to 0.7 x the project req/s of the latest bench/results/intake-*.json (500 without).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { runGuarded } from '../lib/cleanup.ts';
import { waitForQuiet } from '../lib/cpu-meter.ts';
import { runEnvironment } from '../lib/machine.ts';
import { ensureAutovacuum } from '../lib/pg-admin.ts';
import { root, writeResult } from '../lib/results.ts';
import { serverRun } from '../lib/server-run.ts';
import { createHttpClient } from './client.ts';
import { createWorkload, runPaced } from './load.ts';
import { soakOptions } from './options.ts';
import { idleProbes, smokeIntake } from './probes.ts';
import { printReport, settleLine, windowLine } from './report.ts';
import { soakResult } from './result.ts';
import { RUNNER_APPLICATION, runnerQueries, scrapeMetrics, startSampling, watchServer } from './sampling.ts';
import { scanLog } from './server-log.ts';
import { requestHeaders, setUp, startSoakServer } from './setup.ts';
import { bounds } from './verdict.ts';
import {
  missingCases,
  tableCounts,
  tableReads,
  verifyDeliveries,
  verifyEscalations,
  waitUntilSettled,
} from './verify.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';
import { createWindows } from './windows.ts';
import { categories, departments, fastShareFor, intakeBodies, prng } from './workload.ts';

const opts = soakOptions(import.meta.url);
const fastShare = fastShareFor(opts.rate, opts.escalationsPerS);

const say = (line: string) => process.stdout.write(`${line}\n`);
const r1 = (x: number) => Math.round(x * 10) / 10;

// Names, and a clean-up that is bounded, idempotent, also on Ctrl-C and on the watchdog.
const run = serverRun({
  bench: 'soak',
  names: 'pakn_soak',
  keepDb: opts.keepDb,
  keepLogs: opts.keepLogs,
  stopGraceMs: 20_000,
  say,
});
const { tag, pgBase, dbName, dbUrl, children, closers } = run;
const passwords = {
  admin: randomBytes(18).toString('base64url'),
  staff: randomBytes(12).toString('base64url'),
};
const metricsToken = randomBytes(18).toString('base64url');

// ---- the run -----------------------------------------------------------------------------------------

async function main(): Promise<boolean> {
  if (!opts.serverAutovacuum) {
    const restore = await ensureAutovacuum(pgBase);
    if (restore) {
      closers.push(restore);
      say('postgres: autovacuum was off on this server; on for this run (put back at the end)');
    }
  }
  const { machine, postgres, lines } = await runEnvironment(pgBase);
  say(`pakn bench/soak ${tag}`);
  for (const line of lines) say(line);
  say(
    `options: ${opts.rate} req/s (${opts.rateFrom}), ${opts.durationS} s in windows of ${opts.windowS} s ` +
      `(the first ${opts.warmupS} s are warm-up), ${opts.connections} connections, grace ${opts.graceS} s, ` +
      `LOG_LEVEL=${opts.logLevel} to a file, webhook ${opts.webhook ? 'on' : 'off'}, seed ${opts.seed}, ` +
      `~${opts.escalationsPerS} escalation steps due/s (${r1(fastShare * 100)} % of cases in fast categories)` +
      `${opts.check ? `; --check ${opts.checkScope}` : ''}`,
  );

  // Set-up: the database, the webhook receiver, the server, the directory.
  await run.createDatabase();
  const webhookSecret = randomBytes(24).toString('hex');
  const receiver = opts.webhook ? await startWebhookReceiver(webhookSecret) : null;
  if (receiver) closers.push(receiver.close);
  const db = new pg.Pool({ connectionString: dbUrl, max: 2, application_name: RUNNER_APPLICATION });
  closers.push(() => db.end());
  const queries = runnerQueries(db);
  const project = await startSoakServer({
    children,
    serverLog: run.serverLog,
    traceGc: opts.traceGc,
    databaseUrl: dbUrl,
    poolSize: opts.poolSize,
    redisUrl: run.redisUrl,
    redisPrefix: run.redisPrefix,
    logLevel: opts.logLevel,
    adminPassword: passwords.admin,
    metricsToken,
  });
  const server = watchServer(project.child.proc.pid as number);
  say(
    `database ${dbName}; server ready on ${project.base} (API pid ${server.apiPid}, worker pid ${server.worker()})`,
  );
  const setup = await setUp(project.base, passwords, receiver?.url ?? null, webhookSecret);
  say(
    `set up: ward ${setup.wardCode} with a continuous ladder, ${departments.length} departments, ` +
      `${categories.length} categories (${categories.filter((c) => c.fast).length} with 20-50 s SLAs), ` +
      `intake, 3 heads, chairman, API client${receiver ? ', webhook (case.escalated)' : ''}`,
  );

  // Before the load: a smoke intake, the reads timed alone, a quiet machine (bounded).
  const bodies = intakeBodies(setup.wardCode, fastShare);
  const http = createHttpClient({
    base: project.base,
    connections: opts.connections,
    timeoutMs: opts.requestTimeoutMs,
  });
  closers.push(http.close);
  const headers = requestHeaders(setup);
  const probes = idleProbes(http, setup, headers, await smokeIntake(http, headers, bodies, tag));
  await probes.run(); // warms the code paths up (JIT, prepared plans); not kept
  const probeBefore = await probes.run();
  const quietBefore = opts.quietWaitS > 0 ? await waitForQuiet(0.3, opts.quietWaitS * 1000) : null;
  if (quietBefore)
    say(
      `machine before the load: ${quietBefore.busyCores} cores busy${quietBefore.quiet ? '' : ` (not quiet after ${opts.quietWaitS} s)`}`,
    );

  // The load, sampled per window.
  const workload = createWorkload({
    http,
    setup,
    headers,
    bodies,
    rnd: prng(opts.seed),
    tag,
    maxInFlight: Math.max(500, opts.rate * 10),
  });
  const windows = createWindows(opts);
  const sampler = await startSampling({
    server,
    windows,
    backendPids: queries.backendPids,
    checkpointsNow: queries.checkpointsNow,
    apiMetrics: () => scrapeMetrics(project.base, metricsToken),
    inFlight: workload.inFlight,
    onClosed: (w) =>
      say(
        windowLine(w, {
          windowS: opts.windowS,
          disturbedOtherCores: bounds.disturbedOtherCores,
          cases: workload.cases.length,
        }),
      ),
  });
  closers.push(sampler.stop);
  const checkpointsBeforeLoad = await queries.checkpointsNow();
  say(`load: ${opts.rate} req/s for ${opts.durationS} s`);
  await runPaced({ ...opts, windows, t0: sampler.t0, reach: sampler.reach, dispatch: workload.dispatch });
  workload.stop();
  const loadEnd = new Date();
  const endRss = await sampler.finish();
  const stillInFlight = await workload.drain(opts.requestTimeoutMs);
  if (stillInFlight)
    say(`${stillInFlight} requests still in flight ${opts.requestTimeoutMs / 1000 + 2} s after the load`);
  sampler.stopRss();

  // After it: due escalations settle and deliveries arrive (bounded), then Postgres is checked.
  const settled = await waitUntilSettled(db, loadEnd, opts.graceS, receiver !== null);
  say(
    settleLine(loadEnd, settled.settledAt, settled.pending, {
      graceS: opts.graceS,
      webhook: receiver !== null,
    }),
  );
  const probeAfter = await probes.run();
  const escalations = await verifyEscalations(db, {
    loadStart: sampler.loadStartWall,
    loadEnd,
    windowS: opts.windowS,
    untouchedCaseIds: workload.cases.filter((c) => !c.touched).map((c) => c.id),
  });
  const deliveries = receiver ? await verifyDeliveries(db, receiver.seen) : null;
  const receiverStats = receiver?.stats() ?? null;
  const counts = await tableCounts(db);
  // Every case answered 201 is in the database (the ids came back in the 201 bodies).
  const missingCreated = await missingCases(
    db,
    workload.cases.map((c) => c.id),
  );
  const reads = await tableReads(db);

  // Stop the server the way an operator does (SIGTERM), and read its log.
  const exitCode = await project.child.stop(30_000);
  const stderr = project.child.stderrTail().slice(-3_000);
  const log = await scanLog(run.serverLog, server.startMs, {
    loadStartMs: sampler.loadStartWall.getTime(),
    windowS: opts.windowS,
    count: windows.length,
  });

  const result = soakResult({
    tag,
    opts,
    machine,
    postgres,
    quietBefore,
    windows,
    sampler,
    server,
    checkpointsBeforeLoad,
    loadEnd,
    endRss,
    stillInFlight,
    workload,
    pendingDeliveries: settled.pending.deliveries,
    escalations,
    deliveries,
    receiverStats,
    counts,
    reads,
    missingCreated,
    idleProbeMs: { before: probeBefore, after: probeAfter },
    exitCode,
    stderr,
    log,
  });
  const out = writeResult(`soak-${tag}.json`, result);
  printReport(result, path.relative(root, out), say);
  return result.met;
}

await runGuarded(
  {
    what: 'soak',
    budgetMs: (opts.durationS + opts.graceS + opts.quietWaitS + 300) * 1000,
    cleanup: run.cleanup,
    children,
    check: opts.check,
    say,
  },
  main,
);
