/**
 * bench/sessions: what the server-side session check costs GET /api/v1/cases, before and after, in
 * one run.
 *
 *   npm run bench:sessions -- [--quick] [--rounds 10] [--duration 5] [--warmup 3] [--connections 10]
 *                             [--cases 5000] [--days 365] [--before-ref 727d03e | --before-dir DIR]
 *                             [--after-dir DIR] [--uncached] [--concurrent] [--set NAME=VALUE …]
 *                             [--quiet-wait 10] [--log-level info] [--keep-logs] [--keep-db] [--check]
 *
 * "Before" is the code before sessions (commit `--before-ref`, exported with `git archive` into a
 * temporary directory whose node_modules is this checkout's, or the checkout at `--before-dir`);
 * "after" is this checkout, or a copy of the app at `--after-dir` (for experiments: a proposed change
 * measured without touching this checkout's src/).
 *
 * 1. Creates pakn_sessions_<tag>_before and migrates it with the before code's migrator
 *    (`node src/main/migrate.ts latest` in its directory); seeds it with bench/seed's busiest ward
 *    (directory, staff, categories, calendar, ladder) and `--cases` cases received over `--days` days,
 *    played through the workflow by bench/seed's generator (bench/sessions/seed.ts).
 * 2. Copies it (CREATE DATABASE … TEMPLATE) to pakn_sessions_<tag>_after (and, with `--uncached`, to
 *    …_uncached) and migrates the copies with this checkout's migrator: the same rows in both.
 * 3. Starts each version's API as users do (`node src/main/api.ts` from its directory, NODE_ENV
 *    production, its own PORT, DATABASE_URL and REDIS_PREFIX, LOG_LEVEL `--log-level` to a file). The
 *    after API gets its defaults (AUTH_CACHE_TTL_MS 500) plus any `--set`; `--uncached` adds a third
 *    API, the after code with AUTH_CACHE_TTL_MS=0 (every request reads its session), to show what the
 *    cache saves.
 * 4. Signs in as the head of the department with the most cases on each (POST /api/v1/auth/token),
 *    checks that both answer GET /api/v1/cases (first page, default filters: the 50 newest) with the
 *    same cases, warms each up for `--warmup` s (discarded), then runs `--rounds` rounds; a round
 *    drives each API in turn for `--duration` s with that bearer token over `--connections` keep-alive
 *    connections (autocannon, in this process), the order reversed every other round (before, after;
 *    after, before; …) so that drift and other people's work on the machine fall on both alike.
 *    `--concurrent` drives all APIs at once in each round instead (each with `--connections` of its
 *    own): every instant's machine is shared by both, which pairs them more tightly on a busy machine,
 *    but each then also competes with the other for the cores.
 * 5. Reports per version and round: requests/s, latency p50/p95/p99 (exact, from every response),
 *    CPU per request of the API process and of its Postgres backends, and other work on the machine;
 *    per round the ratios after/before (throughput, p50, p99); their medians over the rounds; and
 *    whether the cost is under 5 % (median throughput ratio ≥ 0.95 and median p50 ratio ≤ 1.05).
 *    Postgres transactions per request (pg_stat_database) and reads of the sessions table
 *    (pg_stat_user_tables) over the whole load, counted once the backends have flushed their
 *    statistics.
 * 6. Measures the check alone in this process (bench/sessions/check.ts: a cache hit, and a read of the
 *    session) and from it and the reads counted estimates what the check costs a request: a figure in
 *    microseconds that a busy machine disturbs far less than the HTTP rounds' ratios.
 *    Results: bench/results/sessions-<tag>.json (git-ignored).
 *
 * The databases, Redis keys, logs (unless `--keep-logs`) and the temporary before directory are
 * removed at the end, also on failure or Ctrl-C. `--quick`: 4 rounds of 2 s, 1 s warm-up, 2,000 cases
 * (options given explicitly win). `--check` exits 1 when the cost is not under 5 %.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { configSchema } from '../../src/config.ts';
import { type NodeChild, startNode } from '../lib/child.ts';
import { cleanupOnce, runGuarded } from '../lib/cleanup.ts';
import { intArg, parseCommandLine, usage } from '../lib/cli.ts';
import { type CpuReading, startCpuMeter, waitForQuiet } from '../lib/cpu-meter.ts';
import { quantile, runGet } from '../lib/load.ts';
import { runEnvironment } from '../lib/machine.ts';
import {
  copyDatabase,
  createDatabase,
  databaseUrl,
  dropDatabase,
  transactionCounts,
} from '../lib/pg-admin.ts';
import { processTree } from '../lib/proc.ts';
import { childEnv, login, type Server, startServer } from '../lib/project.ts';
import { deletePrefixAt } from '../lib/redis-prefix.ts';
import { gitState, resultsDir, root, runTag, writeResult } from '../lib/results.ts';
import { LOCAL_POSTGRES, LOCAL_REDIS } from '../lib/server-run.ts';
import { measureCheck } from './check.ts';
import { seedWard } from './seed.ts';

// ---- options ---------------------------------------------------------------------------------------

const args = parseCommandLine(import.meta.url, {
  quick: { type: 'boolean', default: false },
  rounds: { type: 'string', default: '' },
  duration: { type: 'string', default: '' },
  warmup: { type: 'string', default: '' },
  connections: { type: 'string', default: '10' },
  cases: { type: 'string', default: '' },
  days: { type: 'string', default: '365' },
  'before-ref': { type: 'string', default: '727d03e' },
  'before-dir': { type: 'string', default: '' },
  'after-dir': { type: 'string', default: '' },
  uncached: { type: 'boolean', default: false },
  concurrent: { type: 'boolean', default: false },
  set: { type: 'string', multiple: true, default: [] },
  'quiet-wait': { type: 'string', default: '10' },
  'log-level': { type: 'string', default: 'info' },
  'keep-logs': { type: 'boolean', default: false },
  'keep-db': { type: 'boolean', default: false },
  check: { type: 'boolean', default: false },
});

const quick = args.quick;
const opts = {
  quick,
  rounds: intArg('rounds', args.rounds || (quick ? '4' : '10'), 1, 50),
  durationS: intArg('duration', args.duration || (quick ? '2' : '5'), 1, 300),
  warmupS: intArg('warmup', args.warmup || (quick ? '1' : '3'), 0, 120),
  connections: intArg('connections', args.connections, 1, 200),
  cases: intArg('cases', args.cases || (quick ? '2000' : '5000'), 1, 200_000),
  days: intArg('days', args.days, 1, 3_650),
  beforeRef: args['before-ref'],
  beforeDir: args['before-dir'] ? path.resolve(args['before-dir']) : '',
  afterDir: args['after-dir'] ? path.resolve(args['after-dir']) : root,
  uncached: args.uncached,
  concurrent: args.concurrent,
  quietWaitS: intArg('quiet-wait', args['quiet-wait'], 0, 600),
  logLevel: configSchema.shape.LOG_LEVEL.parse(args['log-level']),
  keepLogs: args['keep-logs'],
  keepDb: args['keep-db'],
  check: args.check,
  /** `--set NAME=VALUE` (repeatable): a setting of the after API's (src/config.ts). */
  settings: Object.fromEntries(
    (args.set ?? []).map((kv) => {
      const at = kv.indexOf('=');
      if (at < 1 || !(kv.slice(0, at) in configSchema.shape))
        usage(`--set ${kv}: not NAME=VALUE of a setting in src/config.ts`);
      return [kv.slice(0, at), kv.slice(at + 1)];
    }),
  ) as Record<string, string>,
};
if (opts.beforeDir && !existsSync(path.join(opts.beforeDir, 'src/main/api.ts')))
  usage(`--before-dir ${opts.beforeDir}: no src/main/api.ts there`);
if (!existsSync(path.join(opts.afterDir, 'src/main/api.ts')))
  usage(`--after-dir ${opts.afterDir}: no src/main/api.ts there`);
if (!/^[\w./~^-]{1,100}$/.test(opts.beforeRef)) usage(`--before-ref ${opts.beforeRef}: not a git ref`);

const say = (line: string) => process.stdout.write(`${line}\n`);
const PATH = '/api/v1/cases';
const PASSWORD = 'pakn-bench-sessions';
const COST_LIMIT = 0.05;
/** Postgres backends report their statistics within about 10 s of going idle (PG 15: PGSTAT_IDLE_INTERVAL). */
const STATS_FLUSH_MS = 11_500;

// ---- names and clean-up ----------------------------------------------------------------------------

const tag = runTag();
const names = `pakn_sessions_${tag}`;
type VariantName = 'before' | 'after' | 'uncached';
type Variant = {
  name: VariantName;
  dir: string;
  db: string;
  redisPrefix: string;
  log: string;
  settings: Record<string, string>;
  server?: Server;
  token?: string;
};
const children: NodeChild[] = [];
const createdDbs: string[] = [];
const variants: Variant[] = [];
let tempBefore = '';
const adminPool = new pg.Pool({
  connectionString: databaseUrl(LOCAL_POSTGRES, 'postgres'),
  max: 1,
  application_name: 'pakn-bench-sessions-runner',
});

const cleanup = cleanupOnce(async () => {
  await Promise.all(children.map((c) => c.stop(15_000)));
  await adminPool.end().catch(() => {});
  if (!opts.keepDb)
    for (const db of createdDbs)
      await dropDatabase(LOCAL_POSTGRES, db).catch((e) => say(`drop ${db} failed: ${e}`));
  for (const v of variants)
    await deletePrefixAt(LOCAL_REDIS, v.redisPrefix).catch((e) => say(`redis cleanup failed: ${e}`));
  if (!opts.keepLogs) for (const v of variants) rmSync(v.log, { force: true });
  if (tempBefore) rmSync(tempBefore, { recursive: true, force: true });
}, say);

// ---- helpers -----------------------------------------------------------------------------------------

/** The before code: `--before-dir`, or `--before-ref` exported into a temporary directory. */
function beforeCode(): { dir: string; commit: string | null } {
  if (opts.beforeDir) return { dir: opts.beforeDir, commit: gitState(opts.beforeDir)?.head ?? null };
  const commit = execFileSync('git', ['-C', root, 'rev-parse', `${opts.beforeRef}^{commit}`], {
    encoding: 'utf8',
  }).trim();
  tempBefore = mkdtempSync(path.join(tmpdir(), 'pakn-bench-sessions-'));
  const archive = execFileSync('git', ['-C', root, 'archive', '--format=tar', commit], {
    maxBuffer: 1 << 30,
  });
  execFileSync('tar', ['-x', '-C', tempBefore], { input: archive });
  symlinkSync(path.join(root, 'node_modules'), path.join(tempBefore, 'node_modules'));
  return { dir: tempBefore, commit };
}

/** `node src/main/migrate.ts latest` in `dir` on `db`; throws with its output when it fails. */
async function migrate(v: Variant) {
  const child = startNode({
    name: `migrate ${v.name}`,
    script: 'src/main/migrate.ts',
    cwd: v.dir,
    env: childEnv({ NODE_ENV: 'production', DATABASE_URL: databaseUrl(LOCAL_POSTGRES, v.db) }),
    stdoutFile: v.log,
  });
  children.push(child);
  const code = await child.exited;
  if (code !== 0)
    throw new Error(`migration of ${v.db} (${v.name} code) exited ${code}:\n${child.stderrTail()}`);
}

const backendsOf = async (db: string) =>
  (
    await adminPool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [db])
  ).rows.map((r) => r.pid);

/** Reads of the sessions table (index and sequential scans) and rows updated (last_seen_at), so far. */
async function sessionTableStats(db: string) {
  const c = new pg.Client({ connectionString: databaseUrl(LOCAL_POSTGRES, db) });
  await c.connect();
  try {
    const r = await c.query<{ scans: string; updates: string }>(
      `SELECT (coalesce(idx_scan, 0) + coalesce(seq_scan, 0))::text AS scans, n_tup_upd::text AS updates
       FROM pg_stat_user_tables WHERE relname = 'sessions'`,
    );
    return { scans: Number(r.rows[0]?.scans ?? 0), updates: Number(r.rows[0]?.updates ?? 0) };
  } finally {
    await c.end();
  }
}

const r2 = (n: number) => Math.round(n * 100) / 100;
const r3 = (n: number) => Math.round(n * 1000) / 1000;
/** The lower and upper quartiles (nearest rank). */
const quartiles = (xs: number[]) => {
  const s = Float64Array.from(xs).sort();
  return [r3(quantile(s, 0.25)), r3(quantile(s, 0.75))];
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

type Phase = {
  variant: VariantName;
  round: number;
  seconds: number;
  responses: number;
  requestsPerSec: number;
  latencyMs: { mean: number; p50: number; p95: number; p99: number; max: number };
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  cpu: CpuReading;
  serverMsPerRequest: number;
  postgresMsPerRequest: number;
};

/** Drives one API for `durationS` with its bearer token; exact percentiles from every response. */
async function drive(v: Variant, round: number, durationS: number): Promise<Phase> {
  const server = v.server as Server;
  const meter = startCpuMeter(processTree(server.child.proc.pid as number), await backendsOf(v.db));
  const run = await runGet({
    url: server.base,
    path: PATH,
    headers: { authorization: `Bearer ${v.token}` },
    connections: opts.connections,
    durationS,
  });
  const cpu = meter(await backendsOf(v.db));
  const lat = run.latenciesMs.sort();
  const seconds = run.result.duration;
  const rps = lat.length / seconds;
  const mean = lat.reduce((a, b) => a + b, 0) / Math.max(1, lat.length);
  return {
    variant: v.name,
    round,
    seconds,
    responses: lat.length,
    requestsPerSec: r2(rps),
    latencyMs: {
      mean: r2(mean),
      p50: r2(quantile(lat, 0.5)),
      p95: r2(quantile(lat, 0.95)),
      p99: r2(quantile(lat, 0.99)),
      max: r2(lat[lat.length - 1] ?? Number.NaN),
    },
    statuses: run.statuses,
    errors: run.result.errors,
    timeouts: run.result.timeouts,
    cpu,
    serverMsPerRequest: r3((cpu.serverCores / Math.max(1, rps)) * 1000),
    postgresMsPerRequest: r3(((cpu.dbBackendCores ?? 0) / Math.max(1, rps)) * 1000),
  };
}

const phaseLine = (p: Phase) =>
  `  ${p.variant.padEnd(8)} ${String(p.requestsPerSec).padStart(8)} req/s  p50 ${p.latencyMs.p50} ms, ` +
  `p95 ${p.latencyMs.p95} ms, p99 ${p.latencyMs.p99} ms, max ${p.latencyMs.max} ms; ` +
  `CPU/req: API ${p.serverMsPerRequest} ms, Postgres ${p.postgresMsPerRequest} ms; ` +
  `others ${p.cpu.otherCores} cores${p.cpu.otherCores > 0.3 ? ' DISTURBED' : ''}` +
  `${p.errors + p.timeouts ? `; errors ${p.errors}, timeouts ${p.timeouts}` : ''}` +
  `${Object.keys(p.statuses).some((s) => s !== '200') ? `; statuses ${JSON.stringify(p.statuses)}` : ''}`;

// ---- the run ---------------------------------------------------------------------------------------

async function main(): Promise<boolean> {
  const env = await runEnvironment(LOCAL_POSTGRES);
  say(`pakn bench/sessions ${tag}`);
  for (const line of env.lines) say(line);
  const before = beforeCode();
  const after = gitState(opts.afterDir);
  say(
    `before: ${before.commit?.slice(0, 7) ?? '?'} from ${before.dir}; after: ${after?.head.slice(0, 7) ?? '?'}` +
      `${after?.uncommitted ? ` + ${after.uncommitted} uncommitted file(s) under src/ or migrations/` : ''} from ${opts.afterDir}`,
  );
  say(
    `options: ${opts.rounds} round(s) × ${opts.durationS} s per API, ${opts.warmupS} s warm-up each, ` +
      `${opts.connections} connections, ${opts.concurrent ? 'APIs driven at once' : 'alternating'}, GET ${PATH}; ${opts.cases} cases over ${opts.days} days; ` +
      `LOG_LEVEL=${opts.logLevel} to a file${Object.keys(opts.settings).length ? `; after: ${JSON.stringify(opts.settings)}` : ''}`,
  );

  mkdirSync(resultsDir, { recursive: true });
  const variant = (name: VariantName, dir: string, settings: Record<string, string>): Variant => ({
    name,
    dir,
    db: `${names}_${name}`,
    redisPrefix: `${names}_${name}`,
    log: path.join(resultsDir, `sessions-${tag}-${name}.log`),
    settings,
  });
  variants.push(variant('before', before.dir, {}), variant('after', opts.afterDir, opts.settings));
  if (opts.uncached)
    variants.push(variant('uncached', opts.afterDir, { ...opts.settings, AUTH_CACHE_TTL_MS: '0' }));
  const [vBefore, ...afters] = variants as [Variant, ...Variant[]];

  // The databases: the before one migrated by the before code and seeded, then copied and migrated on.
  let t = performance.now();
  await createDatabase(LOCAL_POSTGRES, vBefore.db);
  createdDbs.push(vBefore.db);
  await migrate(vBefore);
  const seeded = await seedWard(databaseUrl(LOCAL_POSTGRES, vBefore.db), {
    cases: opts.cases,
    days: opts.days,
    seed: 1,
    password: PASSWORD,
  });
  say(
    `seeded ${vBefore.db} (migrated by the before code): ward ${seeded.wardName} (${seeded.wardCode}), ` +
      `${seeded.cases} cases, ${seeded.events} events; ${seeded.department.name}: ${seeded.department.cases} cases ` +
      `(${seeded.department.open} open); ${seeded.seconds} s`,
  );
  for (const v of afters) {
    await copyDatabase(LOCAL_POSTGRES, v.db, vBefore.db);
    createdDbs.push(v.db);
    await migrate(v);
  }
  say(
    `copied to ${afters.map((v) => v.db).join(', ')} and migrated by the after code ` +
      `(${((performance.now() - t) / 1000).toFixed(1)} s in all)`,
  );

  // The APIs, as users start them.
  t = performance.now();
  for (const v of variants) {
    v.server = await startServer({
      name: `api ${v.name}`,
      script: 'src/main/api.ts',
      cwd: v.dir,
      children,
      readyTimeoutMs: 60_000,
      stdoutFile: v.log,
      env: {
        NODE_ENV: 'production',
        DATABASE_URL: databaseUrl(LOCAL_POSTGRES, v.db),
        REDIS_URL: LOCAL_REDIS,
        REDIS_PREFIX: v.redisPrefix,
        LOG_LEVEL: opts.logLevel,
        ...v.settings,
      },
    });
  }
  say(
    `APIs ready (${((performance.now() - t) / 1000).toFixed(1)} s): ` +
      variants.map((v) => `${v.name} ${v.server?.base}`).join(', '),
  );

  // Sign in as the department head; the first page must be the same cases on every API.
  const pages: Record<string, { ids: string[]; bytes: number }> = {};
  for (const v of variants) {
    const server = v.server as Server;
    v.token = await login(server.base, seeded.headUsername, PASSWORD);
    const res = await fetch(server.base + PATH, {
      headers: { authorization: `Bearer ${v.token}` },
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (res.status !== 200)
      throw new Error(`${v.name}: GET ${PATH} answered ${res.status} ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as { items: { id: string }[] };
    pages[v.name] = { ids: body.items.map((i) => i.id), bytes: Buffer.byteLength(text) };
  }
  const same = variants.every(
    (v) => JSON.stringify(pages[v.name]?.ids) === JSON.stringify(pages.before?.ids),
  );
  if (!same) throw new Error(`the APIs list different cases: ${JSON.stringify(pages)}`);
  say(
    `signed in as ${seeded.headUsername} on each; first page: ${pages.before?.ids.length} cases, ` +
      variants.map((v) => `${v.name} ${pages[v.name]?.bytes} bytes`).join(', '),
  );

  // Counters before any load. The sign-ins' and first pages' own statistics may not be reported yet:
  // they then count with the load's (a few transactions and one session read in thousands).
  const tx0 = await transactionCounts(
    LOCAL_POSTGRES,
    variants.map((v) => v.db),
  );
  const sess0 = Object.fromEntries(
    await Promise.all(afters.map(async (v) => [v.name, await sessionTableStats(v.db)])),
  );

  // Once, before the load: wait (bounded) for the machine to be nearly idle.
  const quiet = opts.quietWaitS > 0 ? await waitForQuiet(0.3, opts.quietWaitS * 1000) : null;
  if (quiet && !quiet.quiet)
    say(`machine still busy after ${opts.quietWaitS} s: ${quiet.busyCores} cores; measuring anyway`);

  // Warm-up, discarded.
  const sent: Record<string, number> = Object.fromEntries(variants.map((v) => [v.name, 0]));
  const loadSeconds: Record<string, number> = Object.fromEntries(variants.map((v) => [v.name, 0]));
  if (opts.warmupS > 0) {
    for (const v of variants) {
      const w = await drive(v, 0, opts.warmupS);
      sent[v.name] = (sent[v.name] ?? 0) + w.responses;
      loadSeconds[v.name] = (loadSeconds[v.name] ?? 0) + w.seconds;
      say(`warm-up${phaseLine(w)}`);
    }
  }

  // Rounds, the order reversed every other round.
  const phases: Phase[] = [];
  for (let round = 1; round <= opts.rounds; round++) {
    const order = round % 2 === 1 ? variants : [...variants].reverse();
    say(`round ${round}`);
    const record = (p: Phase) => {
      phases.push(p);
      sent[p.variant] = (sent[p.variant] ?? 0) + p.responses;
      loadSeconds[p.variant] = (loadSeconds[p.variant] ?? 0) + p.seconds;
      say(phaseLine(p));
    };
    if (opts.concurrent) {
      // All APIs at once, each with its own connections: the same moment's machine for each.
      const ps = await Promise.all(order.map((v) => drive(v, round, opts.durationS)));
      for (const p of ps) record(p);
    } else
      for (const v of order) {
        record(await drive(v, round, opts.durationS));
        await sleep(500);
      }
    if (opts.concurrent) await sleep(500);
  }

  // Postgres work per request over the whole load (warm-up included), once the statistics are in.
  say(`waiting ${STATS_FLUSH_MS / 1000} s for Postgres to report its statistics…`);
  await sleep(STATS_FLUSH_MS);
  const tx1 = await transactionCounts(
    LOCAL_POSTGRES,
    variants.map((v) => v.db),
  );
  const postgresWork = Object.fromEntries(
    await Promise.all(
      variants.map(async (v) => {
        const requests = sent[v.name] ?? 0;
        // The first sessionTableStats connection ran one transaction in each after database.
        const tx = (tx1[v.db] ?? 0) - (tx0[v.db] ?? 0) - (v.name === 'before' ? 0 : 1);
        const s0 = sess0[v.name];
        const s1 = v.name === 'before' ? null : await sessionTableStats(v.db);
        const sessionReads = s0 && s1 ? s1.scans - s0.scans - (s1.updates - s0.updates) : null;
        return [
          v.name,
          {
            requests,
            loadSeconds: r2(loadSeconds[v.name] ?? 0),
            transactions: tx,
            transactionsPerRequest: r3(tx / Math.max(1, requests)),
            sessionReads,
            sessionReadsPerSecondOfLoad:
              sessionReads === null ? null : r2(sessionReads / Math.max(1, loadSeconds[v.name] ?? 0)),
            sessionUpdates: s0 && s1 ? s1.updates - s0.updates : null,
          },
        ];
      }),
    ),
  );

  // The check alone, in this process (after the counts, which its reads would disturb).
  const afterVariant = variants.find((v) => v.name === 'after') as Variant;
  const check = await measureCheck(databaseUrl(LOCAL_POSTGRES, afterVariant.db), seeded.headUsername, {
    hits: 200_000,
    reads: 500,
  });

  // Figures per version (medians over the rounds) and ratios against before, per round and median.
  const of = (name: VariantName) => phases.filter((p) => p.variant === name);
  const figures = Object.fromEntries(
    variants.map((v) => {
      const ps = of(v.name);
      return [
        v.name,
        {
          requestsPerSec: r2(median(ps.map((p) => p.requestsPerSec))),
          latencyMs: {
            p50: r2(median(ps.map((p) => p.latencyMs.p50))),
            p95: r2(median(ps.map((p) => p.latencyMs.p95))),
            p99: r2(median(ps.map((p) => p.latencyMs.p99))),
          },
          serverMsPerRequest: r3(median(ps.map((p) => p.serverMsPerRequest))),
          postgresMsPerRequest: r3(median(ps.map((p) => p.postgresMsPerRequest))),
          otherCoresMax: r2(Math.max(...ps.map((p) => p.cpu.otherCores))),
          non200: ps.reduce((n, p) => n + p.responses - (p.statuses['200'] ?? 0), 0),
          errors: ps.reduce((n, p) => n + p.errors + p.timeouts, 0),
        },
      ];
    }),
  );
  const ratios = Object.fromEntries(
    afters.map((v) => {
      const perRound = Array.from({ length: opts.rounds }, (_, i) => {
        const a = of(v.name)[i] as Phase;
        const b = of('before')[i] as Phase;
        return {
          round: i + 1,
          throughput: r3(a.requestsPerSec / b.requestsPerSec),
          p50: r3(a.latencyMs.p50 / b.latencyMs.p50),
          p99: r3(a.latencyMs.p99 / b.latencyMs.p99),
          serverCpuPerRequest: r3(a.serverMsPerRequest / b.serverMsPerRequest),
          disturbed: a.cpu.otherCores > 0.3 || b.cpu.otherCores > 0.3,
        };
      });
      const med = (k: 'throughput' | 'p50' | 'p99' | 'serverCpuPerRequest') =>
        r3(median(perRound.map((r) => r[k])));
      const m = {
        throughput: med('throughput'),
        p50: med('p50'),
        p99: med('p99'),
        serverCpuPerRequest: med('serverCpuPerRequest'),
      };
      return [
        v.name,
        {
          perRound,
          median: m,
          /** Where the middle half of the rounds' ratios lie (quartiles): the noise the medians carry. */
          quartiles: {
            throughput: quartiles(perRound.map((r) => r.throughput)),
            p50: quartiles(perRound.map((r) => r.p50)),
            serverCpuPerRequest: quartiles(perRound.map((r) => r.serverCpuPerRequest)),
          },
          /** The cost: 1 − median throughput ratio, and median p50 ratio − 1. */
          cost: { throughput: r3(1 - m.throughput), p50: r3(m.p50 - 1), p99: r3(m.p99 - 1) },
          underLimit: m.throughput >= 1 - COST_LIMIT && m.p50 <= 1 + COST_LIMIT,
          p99UnderLimit: m.p99 <= 1 + COST_LIMIT,
        },
      ];
    }),
  );
  // What the check should cost a request, from its own figures: a cache hit on every request, and a
  // read (Node's CPU; its round trip delays only the requests that miss) as often as counted.
  const readsPerRequest =
    (postgresWork.after?.sessionReads ?? 0) / Math.max(1, postgresWork.after?.requests ?? 1);
  const beforeFigures = figures.before;
  const nodeUs = check.hitUs + readsPerRequest * check.readNodeCpuMs * 1000;
  const estimate = {
    readsPerRequest: r3(readsPerRequest),
    apiCpuUsPerRequest: r2(nodeUs),
    /** Of the before API's CPU per request (median over the rounds). */
    apiCpuShare: beforeFigures ? r3(nodeUs / (beforeFigures.serverMsPerRequest * 1000)) : null,
    /** Mean latency added: the requests that read wait for the round trip. */
    meanLatencyMs: r3(readsPerRequest * check.readWallMs.p50),
  };

  const clean = Object.values(figures).every((f) => f.non200 === 0 && f.errors === 0);
  const met = clean && (ratios.after?.underLimit ?? false);

  // Report.
  say('');
  say(
    `== GET ${PATH} as ${seeded.headUsername}, ${opts.connections} connections; medians over ${opts.rounds} round(s) ==`,
  );
  for (const v of variants) {
    const f = figures[v.name];
    const w = postgresWork[v.name];
    if (!f || !w) continue;
    say(
      `${v.name.padEnd(8)} ${String(f.requestsPerSec).padStart(8)} req/s  p50 ${f.latencyMs.p50} ms, p95 ${f.latencyMs.p95} ms, ` +
        `p99 ${f.latencyMs.p99} ms; CPU/req API ${f.serverMsPerRequest} ms, Postgres ${f.postgresMsPerRequest} ms; ` +
        `Postgres transactions/request ${w.transactionsPerRequest}` +
        `${w.sessionReads === null ? '' : `; session reads ${w.sessionReads} in ${w.loadSeconds} s of load (${w.sessionReadsPerSecondOfLoad}/s) for ${w.requests} requests`}` +
        `${f.non200 || f.errors ? `; NON-200 ${f.non200}, errors ${f.errors}` : ''}`,
    );
  }
  for (const v of afters) {
    const r = ratios[v.name];
    if (!r) continue;
    say(
      `${v.name}/before per round: ` +
        r.perRound
          .map((x) => `${x.throughput} · ${x.p50} · ${x.p99}${x.disturbed ? ' (disturbed)' : ''}`)
          .join(', ') +
        ' (throughput · p50 · p99)',
    );
    say(
      `${v.name}/before median: throughput ${r.median.throughput}, p50 ${r.median.p50}, p99 ${r.median.p99}, ` +
        `API CPU/request ${r.median.serverCpuPerRequest} (quartiles of the rounds: throughput ` +
        `${r.quartiles.throughput.join('–')}, p50 ${r.quartiles.p50.join('–')}, API CPU/request ` +
        `${r.quartiles.serverCpuPerRequest.join('–')}) → cost ${(r.cost.throughput * 100).toFixed(1)} % throughput, ` +
        `${(r.cost.p50 * 100).toFixed(1)} % p50 (${(r.cost.p99 * 100).toFixed(1)} % p99): ` +
        `${r.underLimit ? 'UNDER' : 'NOT under'} ${COST_LIMIT * 100} %`,
    );
  }
  const ttl = Number(
    opts.settings.AUTH_CACHE_TTL_MS ?? configSchema.shape.AUTH_CACHE_TTL_MS.parse(undefined),
  );
  const afterWork = postgresWork.after;
  const perPeriod =
    afterWork?.sessionReadsPerSecondOfLoad != null && ttl > 0
      ? r2(afterWork.sessionReadsPerSecondOfLoad / (1000 / ttl))
      : null;
  say(
    `session check (after, AUTH_CACHE_TTL_MS=${ttl}, one session, one API process): ` +
      `${afterWork?.sessionReadsPerSecondOfLoad ?? '?'} reads/s of load, ` +
      `${r3((afterWork?.sessionReads ?? 0) / Math.max(1, afterWork?.requests ?? 0))} per request` +
      `${perPeriod === null ? '' : `; ${perPeriod} per cache period of ${ttl} ms (1 if only the first miss read)`}`,
  );
  say(
    `the check alone (in-process, this checkout's sessions.ts): ${check.hitUs} µs a request from the cache; ` +
      `a read ${check.readWallMs.p50} ms round trip (p50), ${check.readNodeCpuMs} ms of Node CPU → at ` +
      `${estimate.readsPerRequest} reads/request, ${estimate.apiCpuUsPerRequest} µs of API CPU a request ` +
      `(${estimate.apiCpuShare === null ? '?' : (estimate.apiCpuShare * 100).toFixed(2)} % of before's), ` +
      `${estimate.meanLatencyMs} ms of latency on average`,
  );
  if (!clean) say('NOT CLEAN: some responses were not 200 (see the phases above)');

  const file = writeResult(`sessions-${tag}.json`, {
    bench: 'sessions',
    tag,
    options: opts,
    machine: env.machine,
    postgres: env.postgres,
    code: { before: { commit: before.commit, dir: before.dir }, after: { ...after, dir: opts.afterDir } },
    seeded,
    firstPage: pages,
    quiet,
    phases,
    figures,
    postgresWork,
    ratios,
    sessionReadsPerCachePeriod: perPeriod,
    check,
    estimate,
    met,
  });
  say(
    `results: ${path.relative(root, file)}${opts.keepLogs ? `; logs: ${variants.map((v) => path.relative(root, v.log)).join(', ')}` : ''}`,
  );
  return met;
}

await runGuarded(
  {
    what: 'bench/sessions',
    budgetMs:
      240_000 +
      (opts.rounds * (opts.durationS + 2) + opts.warmupS + 2) * 1000 * (opts.uncached ? 3 : 2) +
      opts.quietWaitS * 1000,
    cleanup,
    children,
    check: opts.check,
    say,
  },
  main,
);
