/**
 * bench/intake: POST /api/v1/cases throughput and latency against two floors, in one run.
 *
 *   npm run bench:intake -- [--duration 20] [--warmup 5] [--connections 50] [--rounds 2] [--bodies spread|point]
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
 * 4. Rounds of [minimal, floor, project] (or [project, floor, minimal]). Each phase starts its server
 *    (the project again with `node src/main/start.ts`; the floor with bench/intake/floor.ts: bare
 *    Fastify, one named prepared statement writing the same rows into the same database, pg pool the
 *    app's size; the minimal floor, the same server writing a case with its text and JSON body, one
 *    event and two timers into tables with a primary key only), waits
 *    for the machine to be quiet (bounded), warms up, measures, and stops the server: only the server
 *    under test runs during its phase. autocannon (in this process) posts realistic Vietnamese bodies
 *    with a unique externalId each; project requests carry X-API-Key. Nothing is truncated or vacuumed.
 *    --bodies spread (default): the bodies' map points spread over a ward (5 x 5 km); point: every body
 *    at one point (a burst of reports about one place, every intake's likely-duplicates lookup among
 *    all the cases before it).
 * 5. Checks in the database that every 201 created exactly one case with its events and 3 timers,
 *    prints the figures, the CPU used per request and the project/floor ratios, and writes
 *    bench/results/intake-<timestamp>.json (git-ignored).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { configSchema } from '../../src/config.ts';
import { runGuarded } from '../lib/cleanup.ts';
import { enumArg, intArg, parseCommandLine } from '../lib/cli.ts';
import { runEnvironment } from '../lib/machine.ts';
import { backendPids } from '../lib/pg-admin.ts';
import { processTree, stopTree } from '../lib/proc.ts';
import { type Server, startProject } from '../lib/project.ts';
import { gitState, resultsDir, root, writeResult } from '../lib/results.ts';
import { serverRun } from '../lib/server-run.ts';
import { bodyFactory, categories, departments } from './bodies.ts';
import { compare, verifyPhases } from './figures.ts';
import { measurePhase, type PhaseResult, phaseLine, smoke, type Target } from './phases.ts';
import { cpuProfiles, printSummary, serverLogInfo } from './report.ts';
import { ADMIN_USERNAME, setUp, startFloor } from './setup.ts';

// ---- options ---------------------------------------------------------------------------------------

const args = parseCommandLine(import.meta.url, {
  duration: { type: 'string', default: '20' },
  warmup: { type: 'string', default: '5' },
  connections: { type: 'string', default: '50' },
  rounds: { type: 'string', default: '2' },
  order: { type: 'string', default: 'floor-first' },
  bodies: { type: 'string', default: 'spread' },
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
});

const opts = {
  durationS: intArg('duration', args.duration, 1, 600),
  warmupS: intArg('warmup', args.warmup, 0, 120),
  connections: intArg('connections', args.connections, 1, 1000),
  rounds: intArg('rounds', args.rounds, 1, 5),
  order: enumArg('order', args.order, ['floor-first', 'project-first'] as const),
  bodies: enumArg('bodies', args.bodies, ['spread', 'point'] as const),
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

const say = (line: string) => process.stdout.write(`${line}\n`);

// Names, and a clean-up that is bounded, idempotent, also on Ctrl-C and on the watchdog.
const run = serverRun({
  bench: 'intake',
  names: 'pakn_bench',
  keepDb: opts.keepDb,
  keepLogs: opts.keepLogs,
  stopGraceMs: 15_000,
  say,
});
const { tag, pgBase, dbName, dbUrl, serverLog, children } = run;
const profDir = path.join(resultsDir, `intake-${tag}-prof`);

// ---- the servers -------------------------------------------------------------------------------------

const adminPassword = randomBytes(18).toString('base64url');

/** The project exactly as users run it: `node src/main/start.ts` (bootstrap, worker child, API). */
const project = () =>
  startProject({
    cwd: opts.projectDir || root,
    nodeArgs: opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
    stdoutFile: serverLog,
    children,
    databaseUrl: dbUrl,
    poolSize: opts.poolSize,
    redisUrl: run.redisUrl,
    redisPrefix: run.redisPrefix,
    logLevel: opts.logLevel,
    admin: { username: ADMIN_USERNAME, password: adminPassword },
    settings: opts.settings,
  });

/** Replaces lpad in the bench database by one that never truncates (`--code-shim`). */
async function installCodeShim() {
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
}

// ---- the run ---------------------------------------------------------------------------------------

async function main() {
  const { machine, postgres, lines } = await runEnvironment(pgBase);
  say(`pakn bench/intake ${tag}`);
  for (const line of lines) say(line);
  say(
    `options: ${opts.connections} connections, ${opts.warmupS} s warm-up + ${opts.durationS} s measured, ` +
      `${opts.rounds} round(s) ${opts.order}, LOG_LEVEL=${opts.logLevel} to a file, pool ${opts.poolSize}, ` +
      `floor writes ${opts.floorEvents} event(s)${opts.cpuProf ? ', project CPU-profiled' : ''}` +
      `${opts.codeShim ? ', code shim' : ''}${opts.projectDir ? `, project from ${opts.projectDir}` : ''}`,
  );

  await run.createDatabase();
  say(`database ${dbName} created`);
  if (opts.codeShim) {
    await installCodeShim();
    say('code shim: public.lpad never truncates (works around the case-code overflow; see README)');
  }

  const db = new pg.Pool({ connectionString: dbUrl, max: 2, application_name: 'pakn-bench-runner' });
  /** The Postgres backends serving the server under test (not this runner's). */
  const ourBackends = backendPids(db, 'pakn-bench-runner');
  try {
    // First start: migrations, first admin, then the directory data the load needs.
    const first = await project();
    say(`project ready on ${first.base} (node src/main/start.ts)`);
    const setup = await setUp(first.base, adminPassword);
    say(
      `set up: ward ${setup.wardCode}, ${departments.length} departments, ${categories.length} categories, API client`,
    );
    const bodies = bodyFactory(setup.wardCode, { atOnePoint: opts.bodies === 'point' });
    say(
      `bodies: ${bodies.templates} distinct, mean ${bodies.meanBytes} bytes, ` +
        `${opts.bodies === 'point' ? 'every one at one map point' : 'map points spread over 5 x 5 km'}`,
    );
    const headers: Record<Target, Record<string, string>> = {
      project: { 'x-api-key': setup.apiKey },
      floor: {},
      minimal: {},
    };

    // Smoke: the project's case must take the auto-assign path (assigned, 2 events, 3 timers).
    const smokeOn = (target: Target, base: string) => {
      const id = `b-${tag}-smoke-${target}`;
      const events = target === 'project' ? 2 : opts.floorEvents;
      return smoke(db, { target, base, headers: headers[target], id, body: bodies.next(id), events }, say);
    };
    await smokeOn('project', first.base);
    await stopTree(first.child, processTree(first.child.proc.pid as number), say);

    // Measured phases: only the server under test runs during its phase (the project with its worker).
    const order: Target[] =
      opts.order === 'floor-first' ? ['minimal', 'floor', 'project'] : ['project', 'floor', 'minimal'];
    const phases: PhaseResult[] = [];
    let seq = 0;
    const smoked = new Set<Target>();
    for (let round = 1; round <= opts.rounds; round++) {
      for (const target of order) {
        const server: Server =
          target === 'project'
            ? await project()
            : await startFloor(setup, {
                kind: target,
                children,
                databaseUrl: dbUrl,
                poolSize: opts.poolSize,
                floorEvents: opts.floorEvents,
                nodeArgs: opts.cpuProf
                  ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=${target}.cpuprofile`]
                  : [],
              });
        if (target !== 'project' && !smoked.has(target)) {
          await smokeOn(target, server.base);
          smoked.add(target);
        }
        const prefix = `b-${tag}-${target[0]}${round}-`;
        const { phase, tree } = await measurePhase(server, {
          ...opts,
          target,
          round,
          prefix,
          headers: headers[target],
          nextBody: (kind) => {
            const id = `${prefix}${kind}${(seq++).toString(36)}`;
            return { id, body: bodies.next(id) };
          },
          backendPids: ourBackends,
        });
        phases.push(phase);
        say(phaseLine(phase));
        // Stopping lets every in-flight request finish before the rows are counted.
        await stopTree(server.child, tree, say);
        phase.stderr = server.child.stderrTail().slice(-2_000);
        if (phase.stderr)
          say(`  ${target} stderr (end): ${phase.stderr.slice(-600).replaceAll('\n', '\n    ')}`);
        await sleep(2_000);
      }
    }

    const verification = await verifyPhases(db, phases, opts);
    const totals = await db.query<{ cases: string; events: string; timers: string }>(
      `SELECT (SELECT count(*) FROM cases) AS cases, (SELECT count(*) FROM case_events) AS events,
              (SELECT count(*) FROM case_timers) AS timers`,
    );
    const comparison = compare(phases, opts.rounds, verification);
    const logInfo = serverLogInfo(serverLog, opts.keepLogs);
    // One profile per project process (API processes and workers), summed up by summarizeProfile each.
    const profiles = opts.cpuProf ? cpuProfiles(profDir) : [];

    const out = writeResult(`intake-${tag}.json`, {
      benchmark: 'intake',
      tag,
      at: new Date().toISOString(),
      command: `npm run bench:intake -- ${process.argv.slice(2).join(' ')}`.trim(),
      machine,
      postgres,
      git: gitState(opts.projectDir || root),
      options: opts,
      serverLog: logInfo,
      project: comparison.project,
      floor: comparison.floor,
      minimal: comparison.minimal,
      ratios: comparison.ratios,
      ratiosToMinimal: comparison.toMinimal,
      target: comparison.target,
      targetMinimal: comparison.targetMinimal,
      phases: phases.map(({ createdIds: _ids, ...p }) => p),
      verification,
      totals: totals.rows[0],
      profiles,
    });
    printSummary(
      comparison,
      {
        verification,
        logInfo,
        profiles,
        keepLogs: opts.keepLogs,
        codeShim: opts.codeShim,
        resultsFile: path.relative(root, out),
      },
      say,
    );
    return comparison.targetMinimal.met;
  } finally {
    await db.end();
  }
}

const phaseCount = opts.rounds * 3;
await runGuarded(
  {
    what: 'bench',
    budgetMs: (phaseCount * (opts.warmupS + opts.durationS + opts.quietWaitS + 150) + 240) * 1000,
    cleanup: run.cleanup,
    children,
    check: opts.check,
    say,
  },
  main,
);
