/**
 * bench/intake: POST /api/v1/cases throughput and latency against a floor, in one run.
 *
 *   npm run bench:intake -- [--duration 20] [--warmup 5] [--connections 50] [--rounds 2]
 *                           [--order floor-first|project-first] [--log-level info] [--keep-logs]
 *                           [--pool-size 20] [--floor-events 2] [--cpu-prof] [--keep-db] [--check]
 *                           [--quiet-wait 30] [--code-shim] [--project-dir DIR] [--set NAME=VALUE …]
 *
 * 1. Creates a fresh database pakn_bench_<timestamp> on the local Postgres (dropped at the end).
 * 2. Starts the real server as users do (`node src/main/start.ts`: bootstrap, migrations, first admin,
 *    the worker child, the API), logging at LOG_LEVEL (default info, as production) to a file, and
 *    waits for /ready.
 * 3. Through the HTTP API: admin token, a ward, three departments, five categories each with a default
 *    department (so every case is auto-assigned: 1 case + 2 events + 3 timers), a channel API client.
 * 4. Rounds of [floor, project] (or [project, floor]). Each phase starts its server (the project again
 *    with `node src/main/start.ts`; the floor with bench/intake/floor.ts: bare Fastify, one named
 *    prepared statement writing the same rows into the same database, pg pool the app's size), waits
 *    for the machine to be quiet (bounded), warms up, measures, and stops the server: only the server
 *    under test runs during its phase. autocannon (in this process) posts realistic Vietnamese bodies
 *    with a unique externalId each; project requests carry X-API-Key. Nothing is truncated or vacuumed.
 * 5. Checks in the database that every 201 created exactly one case with its events and 3 timers,
 *    prints the figures, the CPU used per request and the project/floor ratios, and writes
 *    bench/results/intake-<timestamp>.json (git-ignored).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { configSchema } from '../../src/config.ts';
import { freePort, type NodeChild, startNode, waitForOk } from '../lib/child.ts';
import { cleanupOnce } from '../lib/cleanup.ts';
import { intArg, printUsage } from '../lib/cli.ts';
import { processTree, startCpuMeter, waitForQuiet } from '../lib/cpu-meter.ts';
import { summarizeProfile } from '../lib/cpu-profile.ts';
import { runLoad, type Summary, summarize } from '../lib/load.ts';
import { machineInfo } from '../lib/machine.ts';
import { createDatabase, databaseUrl, dropDatabase, serverSettings, serverVersion } from '../lib/pg-admin.ts';
import { deletePrefixAt } from '../lib/redis-prefix.ts';
import { bodyFactory, categories, departments } from './bodies.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const resultsDir = path.join(root, 'bench/results');

// ---- options ---------------------------------------------------------------------------------------

function parseOptions() {
  try {
    return parseArgs({
      options: {
        duration: { type: 'string', default: '20' },
        warmup: { type: 'string', default: '5' },
        connections: { type: 'string', default: '50' },
        rounds: { type: 'string', default: '2' },
        order: { type: 'string', default: 'floor-first' },
        'log-level': { type: 'string', default: 'info' },
        'keep-logs': { type: 'boolean', default: false },
        'pool-size': { type: 'string', default: '20' },
        'floor-events': { type: 'string', default: '2' },
        'cpu-prof': { type: 'boolean', default: false },
        'keep-db': { type: 'boolean', default: false },
        check: { type: 'boolean', default: false },
        'quiet-wait': { type: 'string', default: '30' },
        'code-shim': { type: 'boolean', default: false },
        'project-dir': { type: 'string', default: '' },
        set: { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', default: false },
      },
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

const opts = {
  durationS: intArg('duration', args.duration, 1, 600),
  warmupS: intArg('warmup', args.warmup, 0, 120),
  connections: intArg('connections', args.connections, 1, 1000),
  rounds: intArg('rounds', args.rounds, 1, 5),
  order: args.order === 'project-first' ? ('project-first' as const) : ('floor-first' as const),
  logLevel: configSchema.shape.LOG_LEVEL.parse(args['log-level']),
  keepLogs: args['keep-logs'],
  poolSize: intArg('pool-size', args['pool-size'], 1, 200),
  floorEvents: intArg('floor-events', args['floor-events'], 1, 2),
  cpuProf: args['cpu-prof'],
  keepDb: args['keep-db'],
  /** Exit 1 when the target is not met (for CI); otherwise only a failed run exits non-zero. */
  check: args.check,
  /** Before each phase, wait up to this many seconds for the machine to be nearly idle (0: don't). */
  quietWaitS: intArg('quiet-wait', args['quiet-wait'], 0, 600),
  /**
   * Work around the app's case-code overflow in the bench database only: lpad(n, 4, '0') truncates
   * n >= 10000 to four digits, so codes collide (500) once case_code_seq passes 9999. The shim is a
   * public.lpad(text, int, text) that never truncates, found first via the database's search_path.
   */
  codeShim: args['code-shim'],
  /**
   * Where to run `node src/main/start.ts` (default: this checkout). For experiments on a copy of the
   * app (its node_modules may be a symlink to this checkout's); the floor always runs from here.
   */
  projectDir: args['project-dir'] ? path.resolve(args['project-dir']) : '',
  /** `--set NAME=VALUE` (repeatable): a setting of the project's (src/config.ts), e.g. SMS_PROVIDER=none. */
  settings: Object.fromEntries(
    (args.set ?? []).map((kv) => {
      const at = kv.indexOf('=');
      if (at < 1 || !(kv.slice(0, at) in configSchema.shape)) {
        process.stderr.write(`--set ${kv}: not NAME=VALUE of a setting in src/config.ts\n`);
        process.exit(2);
      }
      return [kv.slice(0, at), kv.slice(at + 1)];
    }),
  ),
};

// Local services only.
const pgBase = 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = 'redis://127.0.0.1:6379';

const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const tag = `${stamp}${randomBytes(2).toString('hex')}`;
const dbName = `pakn_bench_${tag}`;
const dbUrl = databaseUrl(pgBase, dbName);
const redisPrefix = `pakn_bench_${tag}`;
const serverLog = path.join(resultsDir, `intake-${tag}-server.log`);
const profDir = path.join(resultsDir, `intake-${tag}-prof`);
mkdirSync(resultsDir, { recursive: true });

const say = (line: string) => process.stdout.write(`${line}\n`);

// ---- cleanup: bounded, idempotent, also on Ctrl-C and on the watchdog --------------------------------

const children: NodeChild[] = [];
let dbCreated = false;
const cleanup = cleanupOnce(async () => {
  await Promise.all(children.map((c) => c.stop(15_000)));
  if (dbCreated && !opts.keepDb) await dropDatabase(pgBase, dbName).catch((e) => say(`drop failed: ${e}`));
  await deletePrefixAt(redisUrl, redisPrefix).catch((e) => say(`redis cleanup failed: ${e}`));
  if (!opts.keepLogs) rmSync(serverLog, { force: true });
}, say);
const phaseCount = opts.rounds * 2;
const budgetMs = (phaseCount * (opts.warmupS + opts.durationS + opts.quietWaitS + 150) + 240) * 1000;
const watchdog = setTimeout(() => {
  say(`watchdog: run exceeded ${budgetMs / 1000} s; stopping`);
  void cleanup().finally(() => process.exit(1));
}, budgetMs);
watchdog.unref();

// ---- helpers ---------------------------------------------------------------------------------------

/** The environment for a child: ours, minus any pakn setting the caller's shell may carry. */
function childEnv(extra: Record<string, string>): Record<string, string> {
  const pakn = new Set(Object.keys(configSchema.shape));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !pakn.has(k)) env[k] = v;
  return { ...env, ...extra };
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

/** Which code was measured: the commit and whether src/ or migrations/ had uncommitted changes. */
function gitState(dir: string) {
  try {
    const git = (...a: string[]) =>
      execFileSync('git', ['-C', dir, ...a], { encoding: 'utf8', timeout: 10_000 }).trim();
    return {
      head: git('rev-parse', 'HEAD'),
      uncommitted: git('status', '--porcelain', '--', 'src', 'migrations').split('\n').filter(Boolean).length,
    };
  } catch {
    return null;
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const r2 = (n: number) => Math.round(n * 100) / 100;

// ---- the run ---------------------------------------------------------------------------------------

type Target = 'floor' | 'project';
type PhaseResult = {
  target: Target;
  round: number;
  prefix: string;
  quietBefore: { quiet: boolean; busyCores: number } | null;
  warmup: { responses: number; created: number } | null;
  measured: Summary;
  /** Processes measured as the server: for the project, the API process and the worker it forks. */
  serverProcesses: number;
  cpu: ReturnType<ReturnType<typeof startCpuMeter>>;
  /** The end of what the server wrote to stderr (empty when all went well). */
  stderr: string;
  createdIds: Set<string>;
};

type Setup = {
  apiKey: string;
  wardCode: string;
  floorContext: {
    wardId: string;
    wardCode: string;
    apiClientId: string;
    categories: Record<string, { id: string; departmentId: string; normalMs: number; urgentMs: number }>;
  };
};

const adminPassword = randomBytes(18).toString('base64url');

/** The project exactly as users run it: `node src/main/start.ts` (bootstrap, worker child, API). */
async function startProject(): Promise<{ child: NodeChild; base: string }> {
  const port = await freePort();
  const child = startNode({
    name: 'project',
    script: 'src/main/start.ts',
    cwd: opts.projectDir || root,
    nodeArgs: opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
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
      ADMIN_USERNAME: 'bench-admin',
      ADMIN_PASSWORD: adminPassword,
      ...opts.settings,
    }),
  });
  children.push(child);
  const base = `http://127.0.0.1:${port}`;
  await waitForOk(child, `${base}/ready`, 90_000);
  return { child, base };
}

async function startFloor(setup: Setup): Promise<{ child: NodeChild; base: string }> {
  const port = await freePort();
  const child = startNode({
    name: 'floor',
    script: 'bench/intake/floor.ts',
    cwd: root,
    nodeArgs: opts.cpuProf
      ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-name=floor.cpuprofile']
      : [],
    env: childEnv({
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: dbUrl,
      DATABASE_POOL_SIZE: String(opts.poolSize),
      FLOOR_EVENTS: String(opts.floorEvents),
      FLOOR_CONTEXT: JSON.stringify(setup.floorContext),
    }),
  });
  children.push(child);
  const base = `http://127.0.0.1:${port}`;
  await waitForOk(child, `${base}/ready`, 30_000);
  return { child, base };
}

/** Stops a server and anything it started that outlived it (by pid, the tree noted while it ran). */
async function stopTree(child: NodeChild, tree: number[]) {
  await child.stop(20_000);
  for (const pid of tree.slice(1)) {
    try {
      process.kill(pid, 0);
    } catch {
      continue;
    }
    await sleep(2_000);
    try {
      process.kill(pid, 'SIGKILL');
      say(`killed leftover process ${pid} of ${child.name}`);
    } catch {}
  }
}

/** Directory data through the API, as an administrator sets it up. */
async function setUp(base: string): Promise<Setup> {
  const { accessToken: admin } = await api<{ accessToken: string }>(base, 'POST', '/api/v1/auth/token', {
    username: 'bench-admin',
    password: adminPassword,
  });
  const ward = await api<{ id: string; code: string }>(
    base,
    'POST',
    '/api/v1/wards',
    { code: 'LACH_TRAY', name: 'Phường Lạch Tray' },
    admin,
  );
  const deptIds: Record<string, string> = {};
  for (const d of departments) {
    const made = await api<{ id: string }>(
      base,
      'POST',
      '/api/v1/departments',
      { wardId: ward.id, code: d.code, name: d.name },
      admin,
    );
    deptIds[d.code] = made.id;
  }
  // Urgent cases get two working days, so no escalation step falls due during the run (with a 4-hour
  // SLA the 'reminder' step, a working day before the deadline, is due at once and the worker would
  // fire escalations: another workload, not intake).
  const sla = {
    normal: { duration: 'P5D', clock: 'working' },
    urgent: { duration: 'P2D', clock: 'working' },
  };
  const floorCategories: Setup['floorContext']['categories'] = {};
  for (const c of categories) {
    const made = await api<{ id: string }>(
      base,
      'POST',
      '/api/v1/categories',
      { code: c.code, name: c.name, defaultDepartmentCode: c.departmentCode, sla },
      admin,
    );
    // The floor uses plain offsets: 5 working days ~ 7 calendar days, 2 ~ 3.
    floorCategories[c.code] = {
      id: made.id,
      departmentId: deptIds[c.departmentCode] as string,
      normalMs: 7 * 86_400_000,
      urgentMs: 3 * 86_400_000,
    };
  }
  const client = await api<{ id: string; apiKey: string }>(
    base,
    'POST',
    '/api/v1/api-clients',
    { name: 'Smart Hải Phòng (bench)', channel: 'smart_haiphong' },
    admin,
  );
  return {
    apiKey: client.apiKey,
    wardCode: ward.code,
    floorContext: {
      wardId: ward.id,
      wardCode: ward.code,
      apiClientId: client.id,
      categories: floorCategories,
    },
  };
}

async function main() {
  const machine = machineInfo();
  const postgres = { version: await serverVersion(pgBase), settings: await serverSettings(pgBase) };
  say(`pakn bench/intake ${tag}`);
  say(`machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}`);
  say(`postgres: ${postgres.version.split(' on ')[0]}; ${JSON.stringify(postgres.settings)}`);
  say(
    `options: ${opts.connections} connections, ${opts.warmupS} s warm-up + ${opts.durationS} s measured, ` +
      `${opts.rounds} round(s) ${opts.order}, LOG_LEVEL=${opts.logLevel} to a file, pool ${opts.poolSize}, ` +
      `floor writes ${opts.floorEvents} event(s)${opts.cpuProf ? ', project CPU-profiled' : ''}` +
      `${opts.codeShim ? ', code shim' : ''}${opts.projectDir ? `, project from ${opts.projectDir}` : ''}`,
  );

  await createDatabase(pgBase, dbName);
  dbCreated = true;
  say(`database ${dbName} created`);
  if (opts.codeShim) {
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    try {
      await c.query(`
        CREATE FUNCTION public.lpad(text, integer, text) RETURNS text
          LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
          AS $$ SELECT CASE WHEN length($1) >= $2 THEN $1 ELSE pg_catalog.lpad($1, $2, $3) END $$`);
      await c.query(`ALTER DATABASE ${dbName} SET search_path = "$user", public, pg_catalog`);
    } finally {
      await c.end();
    }
    say('code shim: public.lpad never truncates (works around the case-code overflow; see README)');
  }

  const db = new pg.Pool({ connectionString: dbUrl, max: 2, application_name: 'pakn-bench-runner' });
  /** The Postgres backends serving the server under test (not this runner's). */
  const backendPids = async () =>
    (
      await db.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity
         WHERE datname = current_database() AND application_name <> 'pakn-bench-runner'`,
      )
    ).rows.map((r) => r.pid);
  try {
    // First start: migrations, first admin, then the directory data the load needs.
    const first = await startProject();
    say(`project ready on ${first.base} (node src/main/start.ts)`);
    const setup = await setUp(first.base);
    say(
      `set up: ward ${setup.wardCode}, ${departments.length} departments, ${categories.length} categories, API client`,
    );
    const bodies = bodyFactory(setup.wardCode);
    say(`bodies: ${bodies.templates} distinct, mean ${bodies.meanBytes} bytes`);
    const headers: Record<Target, Record<string, string>> = {
      project: { 'x-api-key': setup.apiKey },
      floor: {},
    };

    // Smoke: the project's case must take the auto-assign path (assigned, 2 events, 3 timers).
    const smoke = async (target: Target, base: string) => {
      const id = `b-${tag}-smoke-${target}`;
      const res = await fetch(`${base}/api/v1/cases`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers[target] },
        body: bodies.next(id),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      if (res.status !== 201) throw new Error(`smoke ${target}: ${res.status} ${text}`);
      const row = await db.query<{ status: string; events: string; timers: string }>(
        `SELECT status,
           (SELECT count(*) FROM case_events e WHERE e.case_id = c.id) AS events,
           (SELECT count(*) FROM case_timers t WHERE t.case_id = c.id) AS timers
         FROM cases c WHERE external_id = $1`,
        [id],
      );
      const r = row.rows[0];
      say(`smoke ${target}: 201, case ${r?.status}, ${r?.events} events, ${r?.timers} timers`);
      const events = target === 'project' ? '2' : String(opts.floorEvents);
      if (r?.status !== 'assigned' || r.events !== events || r.timers !== '3')
        throw new Error(`${target} did not write an assigned case with ${events} events and 3 timers`);
    };
    await smoke('project', first.base);
    await stopTree(first.child, processTree(first.child.proc.pid as number));

    // Measured phases: only the server under test runs during its phase (the project with its worker).
    const order: Target[] = opts.order === 'floor-first' ? ['floor', 'project'] : ['project', 'floor'];
    const phases: PhaseResult[] = [];
    let seq = 0;
    let floorSmoked = false;
    for (let round = 1; round <= opts.rounds; round++) {
      for (const target of order) {
        const server = target === 'project' ? await startProject() : await startFloor(setup);
        if (target === 'floor' && !floorSmoked) {
          await smoke('floor', server.base);
          floorSmoked = true;
        }
        const prefix = `b-${tag}-${target[0]}${round}-`;
        const load = (kind: 'w' | 'm', durationS: number) =>
          runLoad({
            url: server.base,
            path: '/api/v1/cases',
            connections: opts.connections,
            durationS,
            headers: headers[target],
            nextBody: () => {
              const id = `${prefix}${kind}${(seq++).toString(36)}`;
              return { id, body: bodies.next(id) };
            },
          });
        const quietBefore = opts.quietWaitS > 0 ? await waitForQuiet(0.3, opts.quietWaitS * 1000) : null;
        let warmup: PhaseResult['warmup'] = null;
        const createdIds = new Set<string>();
        if (opts.warmupS > 0) {
          const w = await load('w', opts.warmupS);
          for (const id of w.created) createdIds.add(id);
          warmup = { responses: w.result.requests.total, created: w.created.size };
        }
        const tree = processTree(server.child.proc.pid as number);
        const meter = startCpuMeter(tree, await backendPids());
        const m = await load('m', opts.durationS);
        const cpu = meter(await backendPids());
        for (const id of m.created) createdIds.add(id);
        const measured = summarize(m.result);
        phases.push({
          target,
          round,
          prefix,
          quietBefore,
          warmup,
          measured,
          serverProcesses: tree.length,
          cpu,
          stderr: '',
          createdIds,
        });
        say(
          `${target.padEnd(7)} round ${round}: ${measured.requestsPerSec} req/s, p50 ${measured.latencyMs.p50} ms, ` +
            `p97.5 ${measured.latencyMs.p97_5} ms, p99 ${measured.latencyMs.p99} ms, max ${measured.latencyMs.max} ms, ` +
            `errors ${measured.errors}, timeouts ${measured.timeouts}, non-2xx ${measured.non2xx} ` +
            `${JSON.stringify(measured.statusCodes)}; CPU cores: server ${cpu.serverCores} ` +
            `(${r2((cpu.serverCores / Math.max(1, measured.requestsPerSec)) * 1000)} ms/req; by process ` +
            `${Object.values(cpu.serverCoresByPid).join(' + ')}), ` +
            `load ${cpu.loadCores}, postgres ${cpu.dbBackendCores} (` +
            `${r2(((cpu.dbBackendCores ?? 0) / Math.max(1, measured.requestsPerSec)) * 1000)} ms/req; all postgres ` +
            `${cpu.postgresCores}), others ${cpu.otherCores}${cpu.otherCores > 0.3 ? ' DISTURBED' : ''}` +
            `${quietBefore && !quietBefore.quiet ? ` (machine busy before: ${quietBefore.busyCores} cores)` : ''}`,
        );
        // Stopping lets every in-flight request finish before the rows are counted.
        await stopTree(server.child, tree);
        const stderr = server.child.stderrTail().slice(-2_000);
        (phases.at(-1) as PhaseResult).stderr = stderr;
        if (stderr) say(`  ${target} stderr (end): ${stderr.slice(-600).replaceAll('\n', '\n    ')}`);
        await sleep(2_000);
      }
    }

    // Every 201 made exactly one case, with its events and timers; rows without a 201 are requests
    // still in flight when a load phase ended (at most one per connection per load).
    const verification = [];
    for (const p of phases) {
      const rows = await db.query<{ external_id: string; events: string; timers: string }>(
        `SELECT c.external_id,
           (SELECT count(*) FROM case_events e WHERE e.case_id = c.id) AS events,
           (SELECT count(*) FROM case_timers t WHERE t.case_id = c.id) AS timers
         FROM cases c WHERE starts_with(c.external_id, $1)`,
        [p.prefix],
      );
      const inDb = new Set(rows.rows.map((r) => r.external_id));
      const missing = [...p.createdIds].filter((id) => !inDb.has(id)).length;
      const unanswered = rows.rows.filter((r) => !p.createdIds.has(r.external_id)).length;
      const events = String(p.target === 'project' ? 2 : opts.floorEvents);
      const badEvents = rows.rows.filter((r) => r.events !== events).length;
      const badTimers = rows.rows.filter((r) => r.timers !== '3').length;
      verification.push({
        target: p.target,
        round: p.round,
        responses201: p.createdIds.size,
        casesInDb: rows.rowCount ?? 0,
        created201ButMissing: missing,
        rowsWithout201: unanswered,
        casesWithWrongEventCount: badEvents,
        casesWithWrongTimerCount: badTimers,
        ok: missing === 0 && unanswered <= 2 * opts.connections && badEvents === 0 && badTimers === 0,
      });
    }
    const totals = await db.query<{ cases: string; events: string; timers: string }>(
      `SELECT (SELECT count(*) FROM cases) AS cases, (SELECT count(*) FROM case_events) AS events,
              (SELECT count(*) FROM case_timers) AS timers`,
    );

    // Figures and ratios (means over the rounds).
    const of = (t: Target) => phases.filter((p) => p.target === t);
    const agg = (ps: PhaseResult[]) => {
      const xs = ps.map((p) => p.measured);
      return {
        requestsPerSec: r2(mean(xs.map((x) => x.requestsPerSec))),
        latencyMs: {
          p50: r2(mean(xs.map((x) => x.latencyMs.p50))),
          p97_5: r2(mean(xs.map((x) => x.latencyMs.p97_5))),
          p99: r2(mean(xs.map((x) => x.latencyMs.p99))),
        },
        errors: xs.reduce((n, x) => n + x.errors, 0),
        timeouts: xs.reduce((n, x) => n + x.timeouts, 0),
        non2xx: xs.reduce((n, x) => n + x.non2xx, 0),
        // CPU per request hardly depends on how busy the machine was: the steadier figure on a shared box.
        cpu: {
          serverMsPerRequest: r2(mean(ps.map((p) => (p.cpu.serverCores / p.measured.requestsPerSec) * 1000))),
          // The backends serving the benchmark's database only (WAL writer and checkpointer not included).
          postgresMsPerRequest: r2(
            mean(ps.map((p) => ((p.cpu.dbBackendCores ?? 0) / p.measured.requestsPerSec) * 1000)),
          ),
          otherCores: r2(mean(ps.map((p) => p.cpu.otherCores))),
        },
      };
    };
    const project_ = agg(of('project'));
    const floor_ = agg(of('floor'));
    // A phase is disturbed when other work on the machine took more than 0.3 cores meanwhile.
    const disturbed = (p: PhaseResult) => p.cpu.otherCores > 0.3;
    const perRound = Array.from({ length: opts.rounds }, (_, i) => {
      const prp = of('project')[i] as PhaseResult;
      const flp = of('floor')[i] as PhaseResult;
      return {
        round: i + 1,
        throughput: r2(prp.measured.requestsPerSec / flp.measured.requestsPerSec),
        p99: r2(prp.measured.latencyMs.p99 / flp.measured.latencyMs.p99),
        disturbed: disturbed(prp) || disturbed(flp),
      };
    });
    const clean = perRound.filter((r) => !r.disturbed);
    const ratios = {
      throughput: r2(project_.requestsPerSec / floor_.requestsPerSec),
      p99: r2(project_.latencyMs.p99 / floor_.latencyMs.p99),
      perRound,
      /** Means over the rounds where neither phase was disturbed (null when none). */
      undisturbed: clean.length
        ? {
            rounds: clean.length,
            throughput: r2(mean(clean.map((r) => r.throughput))),
            p99: r2(mean(clean.map((r) => r.p99))),
          }
        : null,
      serverCpuPerRequest: r2(project_.cpu.serverMsPerRequest / floor_.cpu.serverMsPerRequest),
      postgresCpuPerRequest: r2(project_.cpu.postgresMsPerRequest / floor_.cpu.postgresMsPerRequest),
    };
    const zeroErrors = project_.errors + project_.timeouts + project_.non2xx === 0;
    const verified = verification.every((v) => v.ok);
    const target = {
      throughputAtLeast: 0.7,
      p99AtMost: 1.5,
      met: ratios.throughput >= 0.7 && ratios.p99 <= 1.5 && zeroErrors && verified,
      throughputMet: ratios.throughput >= 0.7,
      p99Met: ratios.p99 <= 1.5,
      zeroErrors,
      verified,
    };

    let logInfo: {
      file: string;
      bytes: number;
      lines: number;
      errorLines: number;
      firstErrors: string[];
      kept: boolean;
    } | null = null;
    try {
      const lines = readFileSync(serverLog, 'utf8').split('\n').filter(Boolean);
      const errors = lines.filter((l) => /"level":(50|60)/.test(l));
      logInfo = {
        file: path.relative(root, serverLog),
        bytes: statSync(serverLog).size,
        lines: lines.length,
        errorLines: errors.length,
        firstErrors: errors.slice(0, 3).map((l) => l.slice(0, 600)),
        kept: opts.keepLogs,
      };
    } catch {}

    // One profile per project process (API processes and workers), summed up by summarizeProfile each.
    const profiles = opts.cpuProf
      ? readdirSync(profDir)
          .filter((f) => f.endsWith('.cpuprofile'))
          .map((f) => ({
            file: path.relative(root, path.join(profDir, f)),
            ...summarizeProfile(path.join(profDir, f), 20),
          }))
      : [];

    const result = {
      benchmark: 'intake',
      tag,
      at: new Date().toISOString(),
      command: `npm run bench:intake -- ${process.argv.slice(2).join(' ')}`.trim(),
      machine,
      postgres,
      git: gitState(opts.projectDir || root),
      options: opts,
      serverLog: logInfo,
      project: project_,
      floor: floor_,
      ratios,
      target,
      phases: phases.map(({ createdIds: _ids, ...p }) => p),
      verification,
      totals: totals.rows[0],
      profiles,
    };
    const out = path.join(resultsDir, `intake-${tag}.json`);
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);

    say('');
    for (const [name, x] of [
      ['floor  ', floor_],
      ['project', project_],
    ] as const)
      say(
        `${name}: ${x.requestsPerSec} req/s, p50 ${x.latencyMs.p50} ms, p97.5 ${x.latencyMs.p97_5} ms, ` +
          `p99 ${x.latencyMs.p99} ms, errors ${x.errors}, timeouts ${x.timeouts}, non-2xx ${x.non2xx}; ` +
          `CPU/req: server ${x.cpu.serverMsPerRequest} ms, postgres ${x.cpu.postgresMsPerRequest} ms; ` +
          `others' load ${x.cpu.otherCores} cores`,
      );
    say(
      `project/floor: throughput ${ratios.throughput} (target >= 0.7), p99 ${ratios.p99} (target <= 1.5); ` +
        `per round ${perRound.map((r) => `${r.throughput}/${r.p99}${r.disturbed ? ' (disturbed)' : ''}`).join(', ')}; ` +
        `${ratios.undisturbed ? `undisturbed rounds ${ratios.undisturbed.throughput}/${ratios.undisturbed.p99}; ` : ''}` +
        `CPU/req server ${ratios.serverCpuPerRequest}x, postgres ${ratios.postgresCpuPerRequest}x`,
    );
    say(
      `verification: ${verified ? 'ok' : 'FAILED'} (${verification.map((v) => `${v.target}${v.round} ${v.responses201} x 201 -> ${v.casesInDb} cases`).join(', ')})`,
    );
    if (logInfo) {
      say(
        `server log: ${logInfo.lines} lines, ${logInfo.bytes} bytes, ${logInfo.errorLines} at error level` +
          `${opts.keepLogs ? ` in ${logInfo.file}` : ' (deleted)'}`,
      );
      for (const l of logInfo.firstErrors) say(`  ${l}`);
      if (!opts.codeShim && logInfo.firstErrors.some((l) => l.includes('cases_code_key')))
        say(
          '  -> case codes collide once case_code_seq passes 9999 (lpad(n, 4, ...) truncates; see ' +
            'bench/README.md). Rerun with --code-shim to measure past the bug.',
        );
    }
    for (const p of profiles) {
      say(`cpu profile ${p.file} (busy ${p.busyMs} ms); self time by nearest package / pakn caller:`);
      for (const a of p.byOwner.slice(0, 12)) say(`  ${String(a.pctOfBusy).padStart(5)}%  ${a.name}`);
    }
    say(`target ${target.met ? 'MET' : 'NOT MET'}; results in ${path.relative(root, out)}`);
    return target.met;
  } finally {
    await db.end();
  }
}

let met = false;
try {
  met = await main();
} catch (err) {
  say(`bench failed: ${(err as Error).stack ?? String(err)}`);
  for (const c of children) if (c.stderrTail()) say(`--- ${c.name} stderr ---\n${c.stderrTail()}`);
  process.exitCode = 2;
} finally {
  await cleanup();
  clearTimeout(watchdog);
}
if (process.exitCode === undefined) process.exitCode = met || !opts.check ? 0 : 1;
