/**
 * bench/soak: the real system (API + worker) under a steady mixed workload for minutes, reported per
 * window: latency, errors, memory of both processes, escalations falling due and firing meanwhile.
 *
 *   npm run bench:soak -- [--rate N] [--duration 300] [--window 60|15] [--warmup 60] [--connections 64]
 *                         [--grace 60] [--quiet-wait 15] [--escalations 20] [--log-level info] [--keep-logs] [--no-webhook]
 *                         [--no-trace-gc] [--seed 1] [--pool-size 20] [--keep-db] [--server-autovacuum] [--check]
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
 *    error-level log line, a clean shutdown. Results: bench/results/soak-<timestamp>.json (git-ignored).
 *
 * --rate defaults to 0.7 x the project req/s of the latest bench/results/intake-*.json (500 without).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createReadStream,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { configSchema } from '../../src/config.ts';
import { freePort, type NodeChild, startNode, waitForOk } from '../lib/child.ts';
import { cleanupOnce } from '../lib/cleanup.ts';
import { intArg, printUsage, usage } from '../lib/cli.ts';
import { type CpuReading, processTree, startCpuMeter, waitForQuiet } from '../lib/cpu-meter.ts';
import { machineInfo } from '../lib/machine.ts';
import {
  createDatabase,
  databaseUrl,
  dropDatabase,
  ensureAutovacuum,
  serverSettings,
  serverVersion,
} from '../lib/pg-admin.ts';
import { deletePrefixAt } from '../lib/redis-prefix.ts';
import { createHttpClient, KindStats, type KindSummary, quantile } from './client.ts';
import { tableCounts, tableReads, unsettled, verifyDeliveries, verifyEscalations } from './verify.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';
import {
  type Action,
  actionDelayMs,
  answerText,
  categories,
  categoryByCode,
  departments,
  fastShareFor,
  fateOf,
  INTAKE_SHARE_OF_FREE_SLOTS,
  intakeBodies,
  pick,
  prng,
  type ReadKind,
  readKinds,
  readWeights,
  STAFF_SHARE,
  searchTerms,
  soakEscalationPolicy,
} from './workload.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const resultsDir = path.join(root, 'bench/results');

// ---- options ---------------------------------------------------------------------------------------

function parseOptions() {
  try {
    return parseArgs({
      options: {
        rate: { type: 'string', default: '' },
        duration: { type: 'string', default: '300' },
        window: { type: 'string', default: '' },
        warmup: { type: 'string', default: '60' },
        connections: { type: 'string', default: '64' },
        grace: { type: 'string', default: '60' },
        'quiet-wait': { type: 'string', default: '15' },
        escalations: { type: 'string', default: '20' },
        'log-level': { type: 'string', default: 'info' },
        'keep-logs': { type: 'boolean', default: false },
        webhook: { type: 'boolean', default: true },
        'trace-gc': { type: 'boolean', default: true },
        seed: { type: 'string', default: '1' },
        'pool-size': { type: 'string', default: '20' },
        'keep-db': { type: 'boolean', default: false },
        'server-autovacuum': { type: 'boolean', default: false },
        check: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      allowNegative: true,
      strict: true,
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n(see --help)\n`);
    process.exit(2);
  }
}
const { values: args } = parseOptions();
if (args.help) {
  printUsage(import.meta.url);
}

/** 0.7 x the project's req/s in the latest intake benchmark here, if any. */
function defaultRate(): { rate: number; from: string } {
  try {
    const files = readdirSync(resultsDir)
      .filter((f) => /^intake-.*\.json$/.test(f))
      .sort()
      .reverse();
    for (const f of files) {
      const r = JSON.parse(readFileSync(path.join(resultsDir, f), 'utf8')) as {
        project?: { requestsPerSec?: unknown };
      };
      const rps = Number(r.project?.requestsPerSec);
      if (Number.isFinite(rps) && rps > 0)
        return { rate: Math.round(rps * 0.7), from: `0.7 x ${rps} req/s (bench/results/${f})` };
    }
  } catch {}
  return { rate: 500, from: 'no intake result here: 500' };
}

const durationS = intArg('duration', args.duration, 10, 3_600);
const windowS = args.window ? intArg('window', args.window, 5, 600) : durationS >= 180 ? 60 : 15;
if (durationS % windowS !== 0) usage(`--duration (${durationS}) must be a multiple of --window (${windowS})`);
const warmupS = intArg('warmup', args.warmup, 0, 3_600);
if (warmupS === 0 || warmupS % windowS !== 0)
  usage(`--warmup (${warmupS}) must be a positive multiple of --window (${windowS})`);
if (durationS < warmupS + 2 * windowS)
  usage(
    `--duration ${durationS} leaves fewer than two ${windowS} s windows after the ${warmupS} s warm-up ` +
      `to compare: use --duration ${warmupS + 2 * windowS} or more (or a shorter --window / --warmup)`,
  );
const rateDefault = args.rate ? null : defaultRate();
const opts = {
  rate: args.rate ? intArg('rate', args.rate, 1, 20_000) : (rateDefault?.rate as number),
  rateFrom: rateDefault?.from ?? 'given',
  durationS,
  windowS,
  /**
   * Excluded from the comparisons. 60 s by default: the longest answer deadline (50 s) plus the
   * chairman step (10 s), after which every kind of request and escalation step runs at its steady rate.
   */
  warmupS,
  connections: intArg('connections', args.connections, 1, 1_000),
  graceS: intArg('grace', args.grace, 5, 600),
  quietWaitS: intArg('quiet-wait', args['quiet-wait'], 0, 600),
  /** Escalation steps falling due per second, about (sets the share of cases in fast categories). */
  escalationsPerS: intArg('escalations', args.escalations, 1, 1_000),
  logLevel: configSchema.shape.LOG_LEVEL.parse(args['log-level']),
  keepLogs: args['keep-logs'],
  webhook: args.webhook,
  traceGc: args['trace-gc'],
  seed: intArg('seed', args.seed, 0, 2 ** 31),
  poolSize: intArg('pool-size', args['pool-size'], 1, 200),
  keepDb: args['keep-db'],
  serverAutovacuum: args['server-autovacuum'],
  check: args.check,
  requestTimeoutMs: 10_000,
};

const fastShare = fastShareFor(opts.rate, opts.escalationsPerS);

/** The verdict's bounds (bench/README.md, bench/soak, explains each). */
const bounds = {
  p99Ratio: 1.5,
  p99SlackMs: 10,
  disturbedOtherCores: 0.3,
  rssRatio: 1.25,
  rssSlackMiB: 20,
};

const pgBase = 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = 'redis://127.0.0.1:6379';
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const tag = `${stamp}${randomBytes(2).toString('hex')}`;
const dbName = `pakn_soak_${tag}`;
const dbUrl = databaseUrl(pgBase, dbName);
const redisPrefix = `pakn_soak_${tag}`;
const serverLog = path.join(resultsDir, `soak-${tag}-server.log`);
mkdirSync(resultsDir, { recursive: true });

const say = (line: string) => process.stdout.write(`${line}\n`);
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const mib = (kb: number) => r1(kb / 1024);

// ---- cleanup: bounded, idempotent, also on Ctrl-C and on the watchdog ------------------------------

const children: NodeChild[] = [];
const closers: (() => unknown)[] = [];
let dbCreated = false;
const cleanup = cleanupOnce(async () => {
  await Promise.all(children.map((c) => c.stop(20_000)));
  for (const close of closers) await Promise.resolve(close()).catch(() => {});
  if (dbCreated && !opts.keepDb) await dropDatabase(pgBase, dbName).catch((e) => say(`drop failed: ${e}`));
  await deletePrefixAt(redisUrl, redisPrefix).catch((e) => say(`redis cleanup failed: ${e}`));
  if (!opts.keepLogs) rmSync(serverLog, { force: true });
}, say);
const budgetMs = (opts.durationS + opts.graceS + opts.quietWaitS + 300) * 1000;
const watchdog = setTimeout(() => {
  say(`watchdog: run exceeded ${budgetMs / 1000} s; stopping`);
  void cleanup().finally(() => process.exit(1));
}, budgetMs);
watchdog.unref();

// ---- the server and its set-up ---------------------------------------------------------------------

/** The environment for a child: ours, minus any pakn setting the caller's shell may carry. */
function childEnv(extra: Record<string, string>): Record<string, string> {
  const pakn = new Set(Object.keys(configSchema.shape));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !pakn.has(k)) env[k] = v;
  return { ...env, ...extra };
}

const adminPassword = randomBytes(18).toString('base64url');
const metricsToken = randomBytes(18).toString('base64url');
const staffPassword = randomBytes(12).toString('base64url');

async function startProject(): Promise<{ child: NodeChild; base: string }> {
  const port = await freePort();
  const child = startNode({
    name: 'project',
    script: 'src/main/start.ts',
    cwd: root,
    // One line per garbage collection on stdout (the log file): the live heap after each full GC,
    // per process, tells a leak from V8 sizing its heap. The worker inherits it (fork passes execArgv).
    nodeArgs: opts.traceGc ? ['--trace-gc'] : [],
    stdoutFile: serverLog,
    env: childEnv({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: dbUrl,
      DATABASE_POOL_SIZE: String(opts.poolSize),
      REDIS_URL: redisUrl,
      REDIS_PREFIX: redisPrefix,
      LOG_LEVEL: opts.logLevel,
      ADMIN_USERNAME: 'soak-admin',
      ADMIN_PASSWORD: adminPassword,
      // The soak's webhook receiver listens on 127.0.0.1.
      WEBHOOK_ALLOW_PRIVATE: 'true',
      METRICS_TOKEN: metricsToken,
    }),
  });
  children.push(child);
  const base = `http://127.0.0.1:${port}`;
  await waitForOk(child, `${base}/ready`, 90_000);
  return { child, base };
}

async function api<T>(base: string, method: string, url: string, body?: unknown, token?: string): Promise<T> {
  const res = await fetch(base + url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

type Setup = {
  wardCode: string;
  apiKey: string;
  /** Department ids by code, and in `departments` order. */
  deptIds: Record<string, string>;
  tokens: { intake: string; chairman: string; heads: Record<string, string> };
  webhookSecret: string;
};

async function setUp(base: string, webhookUrl: string | null, webhookSecret: string): Promise<Setup> {
  const token = async (username: string, password: string) =>
    (await api<{ accessToken: string }>(base, 'POST', '/api/v1/auth/token', { username, password }))
      .accessToken;
  const admin = await token('soak-admin', adminPassword);
  const post = <T>(url: string, body: unknown) => api<T>(base, 'POST', url, body, admin);

  const ward = await post<{ id: string; code: string }>('/api/v1/wards', {
    code: 'LACH_TRAY',
    name: 'Phường Lạch Tray',
  });
  await api(base, 'PUT', `/api/v1/wards/${ward.id}/escalation-policy`, soakEscalationPolicy, admin);
  const deptIds: Record<string, string> = {};
  for (const d of departments)
    deptIds[d.code] = (
      await post<{ id: string }>('/api/v1/departments', { wardId: ward.id, code: d.code, name: d.name })
    ).id;
  for (const c of categories)
    await post('/api/v1/categories', {
      code: c.code,
      name: c.name,
      defaultDepartmentCode: c.departmentCode,
      sla: c.sla,
    });
  const user = (username: string, fullName: string, role: string, where: Record<string, string>) =>
    post('/api/v1/users', { username, password: staffPassword, fullName, role, ...where });
  await user('lt.tiepnhan', 'Nguyễn Thị Tiếp Nhận', 'intake', { wardId: ward.id });
  await user('lt.chutich', 'Trần Văn Chủ Tịch', 'chairman', { wardId: ward.id });
  for (const d of departments)
    await user(`lt.${d.code}.truongphong`, `Trưởng ${d.name}`, 'department_head', {
      departmentId: deptIds[d.code] as string,
    });
  const client = await post<{ apiKey: string }>('/api/v1/api-clients', {
    name: 'Smart Hải Phòng (soak)',
    channel: 'smart_haiphong',
  });
  if (webhookUrl)
    await post('/api/v1/webhooks', { url: webhookUrl, events: ['case.escalated'], secret: webhookSecret });

  // Six logins in all, under the default login rate limit (10 a minute per address).
  const heads: Record<string, string> = {};
  for (const d of departments) heads[d.code] = await token(`lt.${d.code}.truongphong`, staffPassword);
  return {
    wardCode: ward.code,
    apiKey: client.apiKey,
    deptIds,
    tokens: {
      intake: await token('lt.tiepnhan', staffPassword),
      chairman: await token('lt.chutich', staffPassword),
      heads,
    },
    webhookSecret,
  };
}

// ---- process memory ---------------------------------------------------------------------------------

/** VmRSS of a process in KiB, or null when it is gone. */
function rssKiB(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Which code ran: the commit and how many files under src/ or migrations/ differed from it. */
function gitState() {
  try {
    const git = (...a: string[]) =>
      execFileSync('git', ['-C', root, ...a], { encoding: 'utf8', timeout: 10_000 }).trim();
    return {
      head: git('rev-parse', 'HEAD'),
      uncommitted: git('status', '--porcelain', '--', 'src', 'migrations').split('\n').filter(Boolean).length,
    };
  } catch {
    return null;
  }
}

/** When a process started (wall clock, ms), from /proc: its start in ticks after boot, and boot time. */
function processStartMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const btime = Number(/^btime (\d+)/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(btime) ? btime * 1000 + ticks * 10 : null;
  } catch {
    return null;
  }
}

/** The API process (node src/main/start.ts serves the API itself) and the worker it forks. */
function serverPids(apiPid: number): { api: number; worker: number | null } {
  const tree = processTree(apiPid);
  return { api: apiPid, worker: tree.find((p) => p !== apiPid) ?? null };
}

// ---- the load ----------------------------------------------------------------------------------------

type Kind =
  | 'intake_app'
  | 'intake_staff'
  | ReadKind
  | 'assign'
  | 'accept'
  | 'respond'
  | 'close'
  | 'dropped_client_overload';
const kindGroup = (k: Kind): 'intake' | 'read' | 'action' | 'dropped' =>
  k.startsWith('intake')
    ? 'intake'
    : k === 'assign' || k === 'accept' || k === 'respond' || k === 'close'
      ? 'action'
      : k === 'dropped_client_overload'
        ? 'dropped'
        : 'read';

type CaseRef = {
  id: string;
  byApp: boolean;
  deptCode: string | null;
  next: Action[];
  assignCategory?: string;
  touched: boolean;
};

type WindowRecord = {
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
  checkpoints: { count: number; writeSyncMs: number } | null;
};

/** The API process's memory gauges and the escalation backlog, from its Prometheus text. */
async function scrapeMetrics(base: string): Promise<Record<string, number> | null> {
  const wanted: Record<string, string> = {
    pakn_nodejs_heap_size_used_bytes: 'heapUsedMiB',
    pakn_nodejs_heap_size_total_bytes: 'heapTotalMiB',
    pakn_nodejs_external_memory_bytes: 'externalMiB',
    pakn_escalation_oldest_due_seconds: 'oldestDueTimerS',
  };
  try {
    const res = await fetch(`${base}/metrics`, {
      headers: { authorization: `Bearer ${metricsToken}` },
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

async function main() {
  const machine = machineInfo();
  if (!opts.serverAutovacuum) {
    const restore = await ensureAutovacuum(pgBase);
    if (restore) {
      closers.push(restore);
      say('postgres: autovacuum was off on this server; on for this run (put back at the end)');
    }
  }
  const postgres = { version: await serverVersion(pgBase), settings: await serverSettings(pgBase) };
  say(`pakn bench/soak ${tag}`);
  say(`machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}`);
  say(`postgres: ${postgres.version.split(' on ')[0]}; ${JSON.stringify(postgres.settings)}`);
  say(
    `options: ${opts.rate} req/s (${opts.rateFrom}), ${opts.durationS} s in windows of ${opts.windowS} s ` +
      `(the first ${opts.warmupS} s are warm-up), ${opts.connections} connections, grace ${opts.graceS} s, ` +
      `LOG_LEVEL=${opts.logLevel} to a file, webhook ${opts.webhook ? 'on' : 'off'}, seed ${opts.seed}, ` +
      `~${opts.escalationsPerS} escalation steps due/s (${r1(fastShare * 100)} % of cases in fast categories)`,
  );

  await createDatabase(pgBase, dbName);
  dbCreated = true;
  const webhookSecret = randomBytes(24).toString('hex');
  const receiver = opts.webhook ? await startWebhookReceiver(webhookSecret) : null;
  if (receiver) closers.push(receiver.close);
  const db = new pg.Pool({ connectionString: dbUrl, max: 2, application_name: 'pakn-soak-runner' });
  closers.push(() => db.end());
  const backendPids = async () =>
    (
      await db.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name <> 'pakn-soak-runner'`,
      )
    ).rows.map((r) => r.pid);

  /**
   * A checkpoint flushes every dirty page to disk; on a shared disk (other sessions' databases are
   * created and dropped, which forces one) our commits wait for it meanwhile: worth seeing per window.
   */
  const checkpointsNow = () =>
    db
      .query<{ n: string; ms: string }>(
        `SELECT checkpoints_timed + checkpoints_req AS n, checkpoint_write_time + checkpoint_sync_time AS ms
         FROM pg_stat_bgwriter`,
      )
      .then((r) => ({
        count: Number(r.rows[0]?.n ?? 0),
        writeSyncMs: Math.round(Number(r.rows[0]?.ms ?? 0)),
      }))
      .catch(() => null);

  const server = await startProject();
  const apiPid = server.child.proc.pid as number;
  let pids = serverPids(apiPid);
  const workerPids = new Set<number>(pids.worker ? [pids.worker] : []);
  const startMs = new Map<number, number>();
  const noteStart = (pid: number | null) => {
    const t = pid ? processStartMs(pid) : null;
    if (pid && t) startMs.set(pid, t);
  };
  noteStart(apiPid);
  noteStart(pids.worker);
  say(`database ${dbName}; server ready on ${server.base} (API pid ${apiPid}, worker pid ${pids.worker})`);
  const setup = await setUp(server.base, receiver?.url ?? null, webhookSecret);
  say(
    `set up: ward ${setup.wardCode} with a continuous ladder, ${departments.length} departments, ` +
      `${categories.length} categories (${categories.filter((c) => c.fast).length} with 20-50 s SLAs), ` +
      `intake, 3 heads, chairman, API client${receiver ? ', webhook (case.escalated)' : ''}`,
  );

  const rnd = prng(opts.seed);
  const bodies = intakeBodies(setup.wardCode, fastShare);
  const http = createHttpClient({
    base: server.base,
    connections: opts.connections,
    timeoutMs: opts.requestTimeoutMs,
  });
  closers.push(http.close);
  const appHeaders = { 'x-api-key': setup.apiKey };
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  const intakeH = bearer(setup.tokens.intake);
  const headTokens = Object.entries(setup.tokens.heads);
  const inboxes = [setup.tokens.intake, setup.tokens.chairman, ...headTokens.map(([, t]) => t)];

  // Smoke: the app's case is assigned to its category's department at once.
  let smokeCaseId = '';
  {
    const res = await http.send({
      method: 'POST',
      path: '/api/v1/cases',
      headers: appHeaders,
      body: JSON.stringify(bodies.fromApp(`soak-${tag}-smoke`)),
      wantBody: true,
    });
    if (res.status !== 201) throw new Error(`smoke intake: ${res.status} ${res.body}`);
    const c = JSON.parse(res.body ?? '{}') as { status?: string };
    if (c.status !== 'assigned') throw new Error(`smoke intake: case is ${c.status}, not assigned`);
    smokeCaseId = (c as { id?: string }).id ?? '';
  }

  /**
   * Each read of the mix, sent one at a time to the otherwise idle server (before the load: one case;
   * after it: all of them), median of 9: which reads cost more as the tables grow. The first round
   * before the load only warms the code paths up (JIT, prepared plans) and is not kept.
   */
  const [firstDept, firstDeptId] = Object.entries(setup.deptIds)[0] as [string, string];
  const probes: Record<string, { path: string; headers: Record<string, string> }> = {
    'list status=assigned,in_progress': {
      path: '/api/v1/cases?status=assigned,in_progress&limit=20',
      headers: intakeH,
    },
    'list status=received': { path: '/api/v1/cases?status=received&limit=50', headers: intakeH },
    'list channel=hotline_1022': { path: '/api/v1/cases?channel=hotline_1022&limit=20', headers: intakeH },
    'list categoryCode': { path: '/api/v1/cases?categoryCode=ngap_ung&limit=20', headers: intakeH },
    'list departmentId+receivedFrom': {
      path: `/api/v1/cases?departmentId=${firstDeptId}&receivedFrom=${new Date().toISOString().slice(0, 10)}&limit=20`,
      headers: intakeH,
    },
    'list overdue (head)': {
      path: '/api/v1/cases?overdue=true&limit=20',
      headers: bearer(setup.tokens.heads[firstDept] ?? ''),
    },
    'list overdue (chairman)': {
      path: '/api/v1/cases?overdue=true&status=assigned,in_progress&limit=20',
      headers: bearer(setup.tokens.chairman),
    },
    'search q=den duong': { path: '/api/v1/cases?q=den%20duong&limit=20', headers: intakeH },
    'search q=xe cuu thuong': { path: '/api/v1/cases?q=xe%20cuu%20thuong&limit=20', headers: intakeH },
    'case by id': { path: `/api/v1/cases/${smokeCaseId}`, headers: intakeH },
    'case events': { path: `/api/v1/cases/${smokeCaseId}/events`, headers: intakeH },
    'notifications (intake)': { path: '/api/v1/notifications?limit=20', headers: intakeH },
  };
  const probe = async () => {
    const out: Record<string, number | null> = {};
    for (const [name, p] of Object.entries(probes)) {
      const ms: number[] = [];
      for (let i = 0; i < 9; i++) {
        const res = await http
          .send({ method: 'GET', path: p.path, headers: p.headers, wantBody: false })
          .catch(() => null);
        if (res?.status === 200) ms.push(res.ms);
      }
      ms.sort((a, b) => a - b);
      out[name] = ms.length ? r1(ms[Math.floor(ms.length / 2)] as number) : null;
    }
    return out;
  };
  await probe();
  const probeBefore = await probe();

  const quietBefore = opts.quietWaitS > 0 ? await waitForQuiet(0.3, opts.quietWaitS * 1000) : null;
  if (quietBefore)
    say(
      `machine before the load: ${quietBefore.busyCores} cores busy${quietBefore.quiet ? '' : ` (not quiet after ${opts.quietWaitS} s)`}`,
    );

  // -- state of the workload
  const cases: CaseRef[] = [];
  const ready: CaseRef[] = [];
  let readyHead = 0;
  const actionTimers = new Set<NodeJS.Timeout>();
  let loadOver = false;
  let seq = 0;
  let inFlight = 0;
  const maxInFlight = Math.max(500, opts.rate * 10);
  const firstErrors: string[] = [];
  /** Failures by kind and cause (status or error message), over the run. */
  const errorCounts: Record<string, number> = {};
  const noteError = (what: string, cause: string) => {
    if (firstErrors.length < 20) firstErrors.push(what.slice(0, 400));
    errorCounts[cause] = (errorCounts[cause] ?? 0) + 1;
  };

  const windowCount = opts.durationS / opts.windowS;
  const windows: WindowRecord[] = Array.from({ length: windowCount }, (_, i) => ({
    index: i,
    fromS: i * opts.windowS,
    toS: (i + 1) * opts.windowS,
    warmup: (i + 1) * opts.windowS <= opts.warmupS,
    kinds: new Map(),
    sendLateMsMax: 0,
    rssKiB: null,
    rssMaxKiB: { api: 0, worker: 0 },
    cpu: null,
    inFlightAtEnd: 0,
    apiMetrics: null,
    checkpoints: null,
  }));
  const statsOf = (w: WindowRecord, k: Kind) => {
    let s = w.kinds.get(k);
    if (!s) {
      s = new KindStats();
      w.kinds.set(k, s);
    }
    return s;
  };

  const scheduleNext = (c: CaseRef) => {
    if (loadOver || c.next.length === 0) return;
    const t = setTimeout(() => {
      actionTimers.delete(t);
      ready.push(c);
    }, actionDelayMs(rnd));
    actionTimers.add(t);
  };

  /** Sends one request of kind `kind` in window `w`; `after` sees a 2xx answer's body. */
  const fire = (
    w: WindowRecord,
    kind: Kind,
    req: { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string },
    expected: number,
    after?: (body: string | null, ok: boolean) => void,
  ) => {
    const s = statsOf(w, kind);
    s.sent++;
    if (inFlight >= maxInFlight) {
      statsOf(w, 'dropped_client_overload').sent++;
      statsOf(w, 'dropped_client_overload').record(null, 0, 0);
      after?.(null, false);
      return;
    }
    inFlight++;
    http
      .send({ ...req, wantBody: after !== undefined })
      .then(
        (res) => {
          s.record(res.status, res.ms, expected);
          if (res.status !== expected)
            noteError(
              `${kind} ${req.method} ${req.path}: ${res.status} ${res.body ?? ''}`,
              `${kind} ${res.status}`,
            );
          after?.(res.body, res.status === expected);
        },
        (err: Error) => {
          s.record(null, 0, expected);
          noteError(`${kind} ${req.method} ${req.path}: ${err.message}`, `${kind} ${err.message}`);
          after?.(null, false);
        },
      )
      .finally(() => {
        inFlight--;
      });
  };

  const someCase = (): CaseRef | undefined => {
    if (cases.length === 0) return undefined;
    // Mostly recent cases (what staff look at), sometimes any.
    const i =
      rnd() < 0.8
        ? cases.length - 1 - Math.floor(rnd() * Math.min(cases.length, 1_000))
        : Math.floor(rnd() * cases.length);
    return cases[i];
  };
  const today = new Date().toISOString().slice(0, 10);

  const sendIntake = (w: WindowRecord) => {
    const staff = rnd() < STAFF_SHARE;
    const id = `${staff ? 's' : 'a'}${tag}-${(seq++).toString(36)}`;
    const body = staff ? bodies.fromStaff(id, rnd) : bodies.fromApp(id);
    fire(
      w,
      staff ? 'intake_staff' : 'intake_app',
      {
        method: 'POST',
        path: '/api/v1/cases',
        headers: staff ? intakeH : appHeaders,
        body: JSON.stringify(body),
      },
      201,
      (text, ok) => {
        if (!ok || !text) return;
        const c = JSON.parse(text) as { id: string; status: string; categoryCode: string | null };
        const fate = fateOf(rnd, c.status === 'received');
        const ref: CaseRef = {
          id: c.id,
          byApp: !staff,
          deptCode: c.categoryCode ? (categoryByCode.get(c.categoryCode)?.departmentCode ?? null) : null,
          next: fate.actions,
          touched: false,
          ...(fate.assignCategory ? { assignCategory: fate.assignCategory } : {}),
        };
        cases.push(ref);
        scheduleNext(ref);
      },
    );
  };

  const sendAction = (w: WindowRecord, c: CaseRef) => {
    const action = c.next.shift() as Action;
    c.touched = true;
    let headers = intakeH;
    let body = '{}';
    if (action === 'assign') {
      const cat =
        categoryByCode.get(c.assignCategory ?? '') ?? (categories[0] as (typeof categories)[number]);
      c.deptCode = cat.departmentCode;
      body = JSON.stringify({ departmentId: setup.deptIds[cat.departmentCode], categoryCode: cat.code });
    } else if (action === 'accept' || action === 'respond') {
      headers = bearer(setup.tokens.heads[c.deptCode ?? ''] ?? '');
      if (action === 'respond') body = JSON.stringify({ answer: answerText });
    }
    fire(
      w,
      action,
      { method: 'POST', path: `/api/v1/cases/${c.id}/${action}`, headers, body },
      200,
      (_b, ok) => {
        if (ok) scheduleNext(c);
        else c.next = [];
      },
    );
  };

  const readTotal = readKinds.reduce((a, k) => a + readWeights[k], 0);
  const sendRead = (w: WindowRecord) => {
    let x = rnd() * readTotal;
    let kind: ReadKind = 'list';
    for (const k of readKinds) {
      x -= readWeights[k];
      if (x < 0) {
        kind = k;
        break;
      }
    }
    const c = kind === 'case' || kind === 'events' ? someCase() : undefined;
    if ((kind === 'case' || kind === 'events') && !c) kind = 'list';
    const get = (path: string, headers: Record<string, string>) =>
      fire(w, kind, { method: 'GET', path, headers }, 200);
    switch (kind) {
      case 'list': {
        const [dcode, did] = pick(rnd, Object.entries(setup.deptIds));
        const variants = [
          '?status=assigned,in_progress&limit=20',
          '?status=received&limit=50',
          `?categoryCode=${pick(rnd, categories).code}&limit=20`,
          '?channel=hotline_1022&limit=20',
          `?departmentId=${did}&receivedFrom=${today}&limit=20`,
        ];
        // Heads list their own department's work; intake and the chairman the ward's.
        const who = rnd();
        if (who < 0.25)
          get('/api/v1/cases?status=assigned,in_progress&limit=20', bearer(setup.tokens.heads[dcode] ?? ''));
        else get(`/api/v1/cases${pick(rnd, variants)}`, who < 0.9 ? intakeH : bearer(setup.tokens.chairman));
        return;
      }
      case 'list_overdue': {
        if (rnd() < 0.5) get('/api/v1/cases?overdue=true&limit=20', bearer(pick(rnd, headTokens)[1]));
        else
          get(
            '/api/v1/cases?overdue=true&status=assigned,in_progress&limit=20',
            bearer(setup.tokens.chairman),
          );
        return;
      }
      case 'search':
        get(`/api/v1/cases?q=${encodeURIComponent(pick(rnd, searchTerms))}&limit=20`, intakeH);
        return;
      case 'case':
        get(`/api/v1/cases/${c?.id}`, c?.byApp && rnd() < 0.5 ? appHeaders : intakeH);
        return;
      case 'events':
        get(`/api/v1/cases/${c?.id}/events`, intakeH);
        return;
      case 'notifications':
        get('/api/v1/notifications?limit=20', bearer(pick(rnd, inboxes)));
        return;
    }
  };

  const dispatch = (w: WindowRecord) => {
    if (readyHead < ready.length) {
      const c = ready[readyHead++] as CaseRef;
      if (readyHead > 10_000) {
        ready.splice(0, readyHead);
        readyHead = 0;
      }
      sendAction(w, c);
    } else if (rnd() < INTAKE_SHARE_OF_FREE_SLOTS) sendIntake(w);
    else sendRead(w);
  };

  // -- sampling: RSS every second, database backends every 5 s, CPU per window
  let dbPids = await backendPids();
  const rssSamples: { t: number; api: number | null; worker: number | null }[] = [];
  const workerRestarts: { at: number; from: number | null; to: number | null }[] = [];
  let currentWindow = 0;
  const loadStartWall = new Date();
  const t0 = performance.now();
  const elapsedS = () => (performance.now() - t0) / 1000;
  const sampleRss = () => {
    let worker = pids.worker ? rssKiB(pids.worker) : null;
    if (worker === null) {
      const now = serverPids(apiPid);
      if (now.worker !== pids.worker) {
        workerRestarts.push({ at: r1(elapsedS()), from: pids.worker, to: now.worker });
        if (now.worker) workerPids.add(now.worker);
        noteStart(now.worker);
        pids = now;
      }
      worker = pids.worker ? rssKiB(pids.worker) : null;
    }
    const sample = { t: r1(elapsedS()), api: rssKiB(apiPid), worker };
    rssSamples.push(sample);
    const w = windows[Math.min(currentWindow, windowCount - 1)] as WindowRecord;
    w.rssMaxKiB.api = Math.max(w.rssMaxKiB.api, sample.api ?? 0);
    w.rssMaxKiB.worker = Math.max(w.rssMaxKiB.worker, sample.worker ?? 0);
    return sample;
  };
  const startRss = sampleRss();
  const rssTimer = setInterval(sampleRss, 1_000);
  const pidTimer = setInterval(() => {
    void backendPids()
      .then((p) => {
        dbPids = p;
      })
      .catch(() => {});
  }, 5_000);
  closers.push(() => {
    clearInterval(rssTimer);
    clearInterval(pidTimer);
  });
  const meterPids = () => [apiPid, ...(pids.worker ? [pids.worker] : [])];
  let meter = startCpuMeter(meterPids(), dbPids);

  const printWindow = (w: WindowRecord) => {
    const all = KindStats.merge(
      [...w.kinds.entries()].filter(([k]) => k !== 'dropped_client_overload').map(([, s]) => s),
    ).summary();
    const non2xx = Object.entries(all.statuses)
      .filter(([s]) => !s.startsWith('2'))
      .map(([s, c]) => `${s}:${c}`)
      .join(' ');
    say(
      `[${String(w.fromS).padStart(4)}-${String(w.toS).padEnd(4)} s]${w.warmup ? ' warm-up' : '        '} ` +
        `${all.sent} req (${r1(all.sent / opts.windowS)}/s), errors ${all.errors}, unexpected ${all.unexpected}` +
        `${non2xx ? ` (${non2xx})` : ''}, p50 ${all.latencyMs.p50 ?? '-'} ms, p99 ${all.latencyMs.p99 ?? '-'} ms; ` +
        `RSS API ${mib(w.rssKiB?.api ?? 0)} MiB (heap ${w.apiMetrics?.heapUsedMiB}/${w.apiMetrics?.heapTotalMiB}), ` +
        `worker ${mib(w.rssKiB?.worker ?? 0)} MiB; ` +
        `CPU server ${w.cpu?.serverCores} postgres ${w.cpu?.dbBackendCores} ` +
        `(${r2(((w.cpu?.dbBackendCores ?? 0) / Math.max(1, all.sent / opts.windowS)) * 1000)} ms/req) others ${w.cpu?.otherCores}` +
        `${(w.cpu?.otherCores ?? 0) > bounds.disturbedOtherCores ? ' DISTURBED' : ''}; cases ${cases.length}`,
    );
  };
  const closeWindow = (i: number) => {
    const w = windows[i] as WindowRecord;
    w.cpu = meter(dbPids);
    meter = startCpuMeter(meterPids(), dbPids);
    const s = sampleRss();
    w.rssKiB = { api: s.api, worker: s.worker };
    w.inFlightAtEnd = inFlight;
    return Promise.all([scrapeMetrics(server.base), checkpointsNow()]).then(([m, c]) => {
      w.apiMetrics = m;
      w.checkpoints = c;
      printWindow(w);
    });
  };

  const checkpointsBeforeLoad = await checkpointsNow();
  // -- the paced loop: request k leaves at t0 + k / rate
  say(`load: ${opts.rate} req/s for ${opts.durationS} s`);
  const total = opts.rate * opts.durationS;
  const intervalMs = 1000 / opts.rate;
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - t0) / intervalMs) + 1);
      while (sent < due) {
        const scheduled = sent * intervalMs;
        const wi = Math.min(windowCount - 1, Math.floor(scheduled / 1000 / opts.windowS));
        while (currentWindow < wi) void closeWindow(currentWindow++);
        const w = windows[wi] as WindowRecord;
        w.sendLateMsMax = Math.max(w.sendLateMsMax, now - t0 - scheduled);
        dispatch(w);
        sent++;
      }
      if (sent >= total && now - t0 >= opts.durationS * 1000) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  loadOver = true;
  for (const t of actionTimers) clearTimeout(t);
  const loadEndWall = new Date();
  currentWindow = windowCount;
  await closeWindow(windowCount - 1);
  const endRss = windows[windowCount - 1]?.rssKiB ?? { api: null, worker: null };
  // Let every request still in flight finish (each has its own timeout).
  for (let i = 0; i < (opts.requestTimeoutMs + 2_000) / 100 && inFlight > 0; i++) await sleep(100);
  const stillInFlight = inFlight;
  if (stillInFlight)
    say(`${stillInFlight} requests still in flight ${opts.requestTimeoutMs / 1000 + 2} s after the load`);
  clearInterval(rssTimer);

  // -- escalations due before the end settle, deliveries made meanwhile are delivered (bounded)
  const graceEnd = Date.now() + opts.graceS * 1000;
  let settledAt: Date | null = null;
  let pendingNow = { timers: -1, deliveries: -1 };
  while (Date.now() < graceEnd) {
    pendingNow = await unsettled(db, loadEndWall, settledAt ?? new Date(8.64e15));
    if (!settledAt && pendingNow.timers === 0) {
      settledAt = new Date();
      if (!receiver) break;
      continue;
    }
    if (settledAt && pendingNow.deliveries === 0) break;
    await sleep(1_000);
  }
  const drainS = r1((Date.now() - loadEndWall.getTime()) / 1000);
  say(
    `after the load: timers due before the end settled ${settledAt ? `${r1((settledAt.getTime() - loadEndWall.getTime()) / 1000)} s after it` : `NOT within ${opts.graceS} s (${pendingNow.timers} pending)`}` +
      `${receiver ? `; deliveries ${pendingNow.deliveries === 0 ? 'all delivered' : `${pendingNow.deliveries} still pending`} ${drainS} s after it` : ''}`,
  );

  const probeAfter = await probe();
  const escalations = await verifyEscalations(db, {
    loadStart: loadStartWall,
    loadEnd: loadEndWall,
    windowS: opts.windowS,
    untouchedCaseIds: cases.filter((c) => !c.touched).map((c) => c.id),
  });
  const deliveries = receiver ? await verifyDeliveries(db, receiver.seen) : null;
  const receiverStats = receiver?.stats() ?? null;
  const counts = await tableCounts(db);
  // Every case answered 201 is in the database (the ids came back in the 201 bodies).
  const createdIds = cases.map((c) => c.id);
  const found = await db.query<{ id: string }>('SELECT id FROM cases WHERE id = ANY($1::bigint[])', [
    createdIds,
  ]);
  const foundIds = new Set(found.rows.map((r) => r.id));
  const missingCreated = createdIds.filter((id) => !foundIds.has(id));
  const reads = await tableReads(db);

  // Stop the server the way an operator does (SIGTERM), and read its log.
  const exitCode = await server.child.stop(30_000);
  const stderr = server.child.stderrTail().slice(-3_000);
  const log = await scanLog(serverLog, startMs, {
    loadStartMs: loadStartWall.getTime(),
    windowS: opts.windowS,
    count: windowCount,
  });
  const roleOf = (pid: number) => (pid === apiPid ? 'api' : workerPids.has(pid) ? 'worker' : 'other');
  /** Full GCs of a process in [from, to) s of the load: how many, and the live heap after the last. */
  const fullGcsIn = (role: 'api' | 'worker', fromS: number, toS: number) => {
    const gcs = log.fullGcs.filter((g) => {
      const at = (g.atMs - loadStartWall.getTime()) / 1000;
      return roleOf(g.pid) === role && at >= fromS && at < toS;
    });
    return { count: gcs.length, liveAfterMiB: gcs.at(-1)?.afterMiB ?? null };
  };

  // -- figures
  const kindsOf = (w: WindowRecord) =>
    Object.fromEntries([...w.kinds.entries()].map(([k, s]) => [k, s.summary()])) as Record<
      string,
      KindSummary
    >;
  const groupOf = (w: WindowRecord, g: ReturnType<typeof kindGroup>) =>
    KindStats.merge([...w.kinds.entries()].filter(([k]) => kindGroup(k) === g).map(([, s]) => s)).summary();
  const windowFigures = windows.map((w) => {
    const all = KindStats.merge(
      [...w.kinds.entries()].filter(([k]) => kindGroup(k) !== 'dropped').map(([, s]) => s),
    );
    return {
      window: w.index,
      fromS: w.fromS,
      toS: w.toS,
      warmup: w.warmup,
      all: all.summary(),
      requestsPerSec: r1(all.sent / opts.windowS),
      dropped: w.kinds.get('dropped_client_overload')?.sent ?? 0,
      byGroup: { intake: groupOf(w, 'intake'), read: groupOf(w, 'read'), action: groupOf(w, 'action') },
      byKind: kindsOf(w),
      rssMiB: { api: mib(w.rssKiB?.api ?? 0), worker: mib(w.rssKiB?.worker ?? 0) },
      rssMaxMiB: { api: mib(w.rssMaxKiB.api), worker: mib(w.rssMaxKiB.worker) },
      cpu: w.cpu,
      sendLateMsMax: r1(w.sendLateMsMax),
      apiMetrics: w.apiMetrics,
      /** The API's own time per request (its log), against `all` as the client saw it (queueing included). */
      serverSide: log.serverSide[w.index] ?? null,
      checkpoints: (() => {
        const before = w.index === 0 ? checkpointsBeforeLoad : windows[w.index - 1]?.checkpoints;
        return w.checkpoints && before
          ? {
              count: w.checkpoints.count - before.count,
              writeSyncMs: w.checkpoints.writeSyncMs - before.writeSyncMs,
            }
          : null;
      })(),
      fullGc: { api: fullGcsIn('api', w.fromS, w.toS), worker: fullGcsIn('worker', w.fromS, w.toS) },
      escalations: escalations.perWindow.find((e) => e.window === w.index) ?? null,
    };
  });
  const measured = windowFigures.filter((w) => !w.warmup);
  const first = measured[0] as (typeof windowFigures)[number];
  const last = measured[measured.length - 1] as (typeof windowFigures)[number];
  const overall = KindStats.merge(
    windows.flatMap((w) =>
      [...w.kinds.entries()].filter(([k]) => kindGroup(k) !== 'dropped').map(([, s]) => s),
    ),
  );
  const overallSummary = overall.summary();
  const byKindOverall = Object.fromEntries(
    [...new Set(windows.flatMap((w) => [...w.kinds.keys()]))].map((k) => [
      k,
      KindStats.merge(windows.map((w) => w.kinds.get(k)).filter((s): s is KindStats => !!s)).summary(),
    ]),
  );

  /**
   * Whether a process's memory stopped growing. V8 grows a heap under a load and lets RSS keep that
   * high-water mark (the API went from ~290 to ~440 MiB in its first minute with a flat live heap; the
   * worker's young generation kept growing into the second: 212 -> 290 MiB with a live heap of
   * 31-36 MiB), so RSS is compared against its high-water mark up to the process's first full GC
   * after the warm-up; and the live heap after the last full GC against the first one after warm-up.
   * Either needs such a full GC (judged: false otherwise; without --trace-gc, RSS after warm-up as the
   * baseline).
   */
  const memoryVerdict = (role: 'api' | 'worker') => {
    const gcs = log.fullGcs
      .filter((g) => roleOf(g.pid) === role)
      .map((g) => ({ atS: r1((g.atMs - loadStartWall.getTime()) / 1000), afterMiB: g.afterMiB }))
      .filter((g) => g.atS >= 0 && g.atS <= opts.durationS);
    const baselineUntilS = opts.traceGc
      ? (gcs.find((g) => g.atS >= opts.warmupS)?.atS ?? Number.POSITIVE_INFINITY)
      : opts.warmupS;
    const upTo = rssSamples.filter((x) => x.t <= baselineUntilS).map((x) => x[role] ?? 0);
    const baseline = upTo.length ? Math.max(...upTo) : 0;
    const end = endRss[role] ?? 0;
    const limit = baseline * bounds.rssRatio + bounds.rssSlackMiB * 1024;
    const rssJudged = baselineUntilS <= opts.durationS && baseline > 0;
    const afterWarmup = gcs.filter((g) => g.atS >= opts.warmupS);
    const heapFirst = afterWarmup[0]?.afterMiB ?? null;
    const heapLast = afterWarmup.at(-1)?.afterMiB ?? null;
    const heapLimit = heapFirst === null ? null : r1(heapFirst * bounds.rssRatio + bounds.rssSlackMiB);
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
        afterWarmupMiB: mib(windows[opts.warmupS / opts.windowS - 1]?.rssKiB?.[role] ?? 0),
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
  };

  // -- verdict
  const dropped = windowFigures.reduce((a, w) => a + w.dropped, 0);
  const errorsOk =
    overallSummary.errors === 0 && overallSummary.unexpected === 0 && dropped === 0 && stillInFlight === 0;
  // A window none of whose requests was answered has no p99: that fails (Infinity).
  const p99First = first.all.latencyMs.p99 ?? Number.POSITIVE_INFINITY;
  const p99Last = last.all.latencyMs.p99 ?? Number.POSITIVE_INFINITY;
  const p99Limit = r1(p99First * bounds.p99Ratio + bounds.p99SlackMs);
  const disturbed = [first, last].some((w) => (w.cpu?.otherCores ?? 0) > bounds.disturbedOtherCores);
  const latencyOk = Number.isFinite(p99Last) && p99Last <= p99Limit;
  const memory = {
    api: memoryVerdict('api'),
    worker: memoryVerdict('worker'),
    atLoadStartMiB: { api: mib(startRss.api ?? 0), worker: mib(startRss.worker ?? 0) },
  };
  const createdCases = overall.statuses['201'] ?? 0;
  // Each 201 is a case in the database (none lost); a case without a 201 is the smoke case or one
  // whose request failed on our side (a client timeout: the server may still have written it).
  const intakeFailed = ['intake_app', 'intake_staff'].reduce(
    (a, k) => a + ((byKindOverall[k]?.errors ?? 0) + (byKindOverall[k]?.unexpected ?? 0)),
    0,
  );
  const casesWithout201 = (counts.cases ?? 0) - createdCases - 1;
  const intakeOk = missingCreated.length === 0 && casesWithout201 >= 0 && casesWithout201 <= intakeFailed;
  const deliveriesOk =
    !receiver ||
    (pendingNow.deliveries === 0 &&
      (deliveries?.byStatus.failed ?? 0) === 0 &&
      deliveries?.deliveredNotSeen === 0 &&
      receiverStats?.badSignatures === 0 &&
      receiverStats?.malformed === 0);
  const serverOk = workerRestarts.length === 0 && log.errorLines === 0 && exitCode === 0;
  const verdict = {
    errors: {
      ok: errorsOk,
      errors: overallSummary.errors,
      unexpected: overallSummary.unexpected,
      dropped,
      stillInFlight,
    },
    latency: {
      ok: latencyOk,
      judged: !disturbed,
      firstWindowP99: p99First,
      lastWindowP99: p99Last,
      limit: p99Limit,
      ratio: p99First > 0 ? r2(p99Last / p99First) : null,
      otherCores: { first: first.cpu?.otherCores ?? null, last: last.cpu?.otherCores ?? null },
    },
    memory: {
      ok: memory.api.ok && memory.worker.ok,
      judged: { api: memory.api.judged, worker: memory.worker.judged },
    },
    escalations: { ok: escalations.ok },
    deliveries: { ok: deliveriesOk },
    intake: {
      ok: intakeOk,
      responses201: createdCases,
      casesInDb: counts.cases,
      created201NotInDb: missingCreated.length,
      casesWithout201,
      intakeRequestsFailed: intakeFailed,
      firstMissing: missingCreated.slice(0, 20),
    },
    server: { ok: serverOk, workerRestarts: workerRestarts.length, errorLogLines: log.errorLines, exitCode },
  };
  const met =
    errorsOk &&
    (latencyOk || disturbed) &&
    verdict.memory.ok &&
    escalations.ok &&
    deliveriesOk &&
    intakeOk &&
    serverOk;

  const result = {
    benchmark: 'soak',
    tag,
    at: new Date().toISOString(),
    command: `npm run bench:soak -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine,
    postgres,
    git: gitState(),
    options: opts,
    bounds,
    quietBefore,
    loadStart: loadStartWall.toISOString(),
    loadEnd: loadEndWall.toISOString(),
    overall: { ...overallSummary, requestsPerSec: r1(overall.sent / opts.durationS) },
    byKind: byKindOverall,
    windows: windowFigures,
    memory,
    rssSamples,
    workerPids: [...workerPids],
    workerRestarts,
    escalations,
    webhooks: receiver ? { deliveries, receiver: receiverStats, pendingAtEnd: pendingNow.deliveries } : null,
    tables: counts,
    tableReads: reads,
    idleProbeMs: { before: probeBefore, after: probeAfter },
    casesLeftAlone: cases.filter((c) => !c.touched).length,
    firstErrors,
    errorCounts,
    server: { exitCode, stderr, log },
    verdict,
    met,
  };
  const out = path.join(resultsDir, `soak-${tag}.json`);
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);

  // -- report
  say('');
  say('');
  say(
    "per window (final figures; latency in ms, as the client saw it and the server's own time from its log; " +
      'RSS in MiB; escalation steps by due time: fired, or skipped because the case no longer waited; lag in s):',
  );
  say(
    '  window       req/s  err  non-2xx   p50     p99  | server p50  p99 | intake p99 read p99 action p99 | RSS API  worker' +
      ' (full GC -> live heap) | steps due fired skipped lag p99 | pg ms/req others ckpt',
  );
  const pad = (x: unknown, n: number) => String(x ?? '-').padStart(n);
  for (const w of windowFigures) {
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
  say('per kind over the run (p50 / p99 ms, requests):');
  for (const [k, x] of Object.entries(byKindOverall))
    say(
      `  ${k.padEnd(24)} ${pad(x.latencyMs.p50, 7)} / ${pad(x.latencyMs.p99, 7)}  ${x.sent}` +
        `${x.errors + x.unexpected ? `  errors ${x.errors}, unexpected ${x.unexpected} ${JSON.stringify(x.statuses)}` : ''}`,
    );
  say(
    `overall: ${overallSummary.sent} requests (${result.overall.requestsPerSec}/s), errors ${overallSummary.errors}, ` +
      `unexpected ${overallSummary.unexpected}, dropped ${dropped}; statuses ${JSON.stringify(overallSummary.statuses)}`,
  );
  say(
    `p99: first window after warm-up ${p99First} ms, last ${p99Last} ms (limit ${p99Limit} ms)` +
      `${disturbed ? ' — NOT JUDGED: the machine was busy with other work in one of them' : ''}`,
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
  say(
    `escalations: ${escalations.timersDue} timers due during the run (${JSON.stringify(escalations.timersDueByStatus)}), ` +
      `fired ${JSON.stringify(escalations.escalationsFiredBySteps)}; cases left alone: ${escalations.untouchedTimersFired}` +
      `/${escalations.untouchedTimersDue} due steps fired; duplicates ${JSON.stringify(escalations.duplicates)}; ` +
      `fired without escalation ${escalations.firedWithoutEscalation}, escalation without fired timer ` +
      `${escalations.escalationWithoutFiredTimer}, without notification ${escalations.withoutNotification}, ` +
      `after the answer ${escalations.firedAfterAnswer}; lag p50 ${escalations.lag.lagS.p50} s, ` +
      `p99 ${escalations.lag.lagS.p99} s, max ${escalations.lag.lagS.max} s`,
  );
  if (receiver)
    say(
      `webhooks: ${deliveries?.total} deliveries ${JSON.stringify(deliveries?.byStatus)}, retried ${deliveries?.retried}; ` +
        `receiver ${JSON.stringify(receiverStats)}`,
    );
  say(`tables: ${JSON.stringify(counts)}`);
  say(
    `reads on the idle server, median of 9 (ms): before the load (1 case) -> after (${counts.cases} cases):`,
  );
  for (const name of Object.keys(probes))
    say(`  ${name.padEnd(34)} ${pad(probeBefore[name], 6)} -> ${pad(probeAfter[name], 6)}`);
  say(
    `intake: ${createdCases} answered 201, ${counts.cases} cases in the database (the smoke case, and ` +
      `${casesWithout201} whose request failed on our side, of ${intakeFailed} failed)` +
      `${missingCreated.length ? `; ${missingCreated.length} answered 201 but NOT in the database: ${missingCreated.slice(0, 10).join(', ')}` : ''}`,
  );
  if (Object.keys(errorCounts).length) say(`failures by cause: ${JSON.stringify(errorCounts)}`);
  say(
    `rows fetched per index scan: ${Object.entries(reads)
      .map(([t, x]) => `${t} ${x.rowsPerIndexScan}`)
      .join(', ')}`,
  );
  say(
    `server: exit ${exitCode}, worker restarts ${workerRestarts.length}, error-level log lines ${log.errorLines}` +
      `${log.firstErrors.length ? `\n  ${log.firstErrors.join('\n  ')}` : ''}`,
  );
  if (stderr) say(`server stderr (end):\n  ${stderr.slice(-1_000).replaceAll('\n', '\n  ')}`);
  for (const e of firstErrors.slice(0, 5)) say(`  first errors: ${e}`);
  const mark = (ok: boolean) => (ok ? 'ok' : 'FAILED');
  say(
    `verdict: errors ${mark(errorsOk)}, p99 ${disturbed ? `not judged (${mark(latencyOk)} as measured)` : mark(latencyOk)}, ` +
      `memory ${memory.api.judged || memory.worker.judged ? mark(verdict.memory.ok) : 'not judged'}, escalations ${mark(escalations.ok)}, deliveries ${mark(deliveriesOk)}, ` +
      `intake ${mark(intakeOk)}, server ${mark(serverOk)} -> ${met ? 'MET' : 'NOT MET'}; results in ${path.relative(root, out)}`,
  );
  return met;
}

export type FullGc = { pid: number; atMs: number; beforeMiB: number; afterMiB: number };

/**
 * Reads the server's log (streamed: it can be tens of MB): error- and warn-level lines, and, with
 * --trace-gc, every full (mark-compact) collection of each process with the heap before and after
 * it. V8 stamps those in ms since its process started; `startMs` (pid: wall clock) turns them into
 * wall-clock times.
 */
async function scanLog(
  file: string,
  startMs: Map<number, number>,
  windowsOf: { loadStartMs: number; windowS: number; count: number },
) {
  const out = {
    lines: 0,
    bytes: 0,
    errorLines: 0,
    warnLines: 0,
    firstErrors: [] as string[],
    scavenges: {} as Record<string, number>,
  };
  const fullGcs: FullGc[] = [];
  /** The server's own time per request ("request completed": Fastify's elapsed time), per window. */
  const serverMs: number[][] = Array.from({ length: windowsOf.count }, () => []);
  const gcLine =
    /^\[(\d+):0x[0-9a-f]+\]\s+([\d.]+) ms: (Mark-Compact|Scavenge|Minor Mark-Sweep)[^\d]*([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB/;
  try {
    out.bytes = statSync(file).size;
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      out.lines++;
      if (line.startsWith('[')) {
        const m = gcLine.exec(line);
        if (m) {
          const pid = Number(m[1]);
          if (m[3] !== 'Mark-Compact') out.scavenges[pid] = (out.scavenges[pid] ?? 0) + 1;
          else
            fullGcs.push({
              pid,
              atMs: (startMs.get(pid) ?? 0) + Number(m[2]),
              beforeMiB: Number(m[4]),
              afterMiB: Number(m[6]),
            });
          continue;
        }
      }
      if (line.includes('"msg":"request completed"')) {
        const at = Number(/"time":(\d+)/.exec(line)?.[1]);
        const ms = Number(/"responseTime":([\d.]+)/.exec(line)?.[1]);
        // Logged when the answer is sent: its window is that of its arrival, time taken back.
        const w = Math.floor((at - ms - windowsOf.loadStartMs) / 1000 / windowsOf.windowS);
        if (Number.isFinite(ms) && w >= 0 && w < windowsOf.count) serverMs[w]?.push(ms);
        continue;
      }
      if (/"level":(50|60)/.test(line)) {
        out.errorLines++;
        if (out.firstErrors.length < 5) out.firstErrors.push(line.slice(0, 600));
      } else if (line.includes('"level":40')) out.warnLines++;
    }
  } catch {}
  const serverSide = serverMs.map((xs) => {
    const sorted = Float64Array.from(xs).sort();
    const q = (p: number) => {
      const v = quantile(sorted, p);
      return v === null ? null : Math.round(v * 10) / 10;
    };
    return { requests: xs.length, p50: q(0.5), p99: q(0.99) };
  });
  return { ...out, fullGcs, serverSide };
}

let met = false;
try {
  met = await main();
} catch (err) {
  say(`soak failed: ${(err as Error).stack ?? String(err)}`);
  for (const c of children) if (c.stderrTail()) say(`--- ${c.name} stderr ---\n${c.stderrTail()}`);
  process.exitCode = 2;
} finally {
  await cleanup();
  clearTimeout(watchdog);
}
if (process.exitCode === undefined) process.exitCode = met || !opts.check ? 0 : 1;
