/**
 * bench/console: the staff console's heaviest pages, rendered whole, on the city that bench/seed
 * builds — the department queue, the triage queue, a case page, the chairman's board for a month and
 * for a year, a search of the case list — against a baseline timed in the same run.
 *
 *   npm run bench:console -- [--db pakn_scale] [--reps 200] [--warmup 20] [--ward CODE]
 *                             [--quiet-wait 30] [--budget 50] [--check]
 *
 * The app is built in-process as src/main/api.ts builds it (createContainer + buildApp, its own pool,
 * Redis under a prefix of its own) and called with app.inject(), as bench/queries does: routing, the
 * console's session hook, the services, Kysely, pg and the html rendering all run, but no socket or
 * HTTP client does, so on a shared 2-core machine the figures are the app's and the database's, not a
 * load generator's (a loopback socket would add ~0.1 ms a request, nothing against a 50 ms budget).
 *
 * Staff sign in through the console's own sign-in form (cookie session, anti-forgery field), as the
 * seeded users of one ward (the busiest, or `--ward`): an intake officer, the head of the ward's
 * department with the most open cases, the chairman (bench/seed creates them; the password is in the
 * seed's note). Pages, round robin (`--warmup` rounds, then `--reps` rounds), each a full GET as a
 * browser loads it:
 *   department queue   /console/queue as the head          triage queue   /console/queue as intake
 *   case page          /console/cases/{id} as intake, a different case of the ward each round
 *   case page, long    the same, the ward's cases with the longest timelines
 *   board, month       /console/board (the last 30 days) as the chairman
 *   board, year        /console/board?from=…&to=… (the last 365 days) as the chairman
 *   case search        /console/cases?q=den%20duong as intake
 * Baselines, in the same rounds, outside the budget: GET /api/v1/me as intake — the floor of any
 * signed-in request (auth hook and session check, one indexed read, a JSON reply) — which every page's
 * ratio is taken against; and the JSON twins of the pages, for what the page adds to the API's read:
 * GET /api/v1/cases/{id} (the same case), /api/v1/reports/sla for the year, /api/v1/cases?q=den%20duong.
 *
 * Reported per page: p50/p95/p99/max of the whole request and p50/p95 of its SQL (pg round trips,
 * captured as bench/queries does), statements a request sends, the body's size, and p50 and p95 ÷ the
 * baseline's. Every distinct SELECT of each page's last request is then run under
 * EXPLAIN (ANALYZE, BUFFERS) into bench/results/console-<tag>-plans.txt, summarised on screen.
 * Pending migrations are applied first (timed), then ANALYZE. Results: bench/results/console-<tag>.json.
 * `--check` exits 1 when a page's p95 (baselines aside) is not under `--budget` ms.
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createContainer } from '../../src/container.ts';
import { createDb } from '../../src/db/database.ts';
import { migrateToLatest, pendingMigrations } from '../../src/db/migrate.ts';
import { vietnamDayOf } from '../../src/shared/vietnam-day.ts';
import { intArg, parseCommandLine } from '../lib/cli.ts';
import { startCpuMeter, waitForQuiet } from '../lib/cpu-meter.ts';
import { machineInfo } from '../lib/machine.ts';
import { databaseUrl, serverSettings, serverVersion } from '../lib/pg-admin.ts';
import { gitState, resultsDir, root, runTag, writeResult } from '../lib/results.ts';
import { installCapture, record } from '../queries/capture.ts';
import { requireCompleteSeed } from '../seed/note.ts';
import { type Figures, figuresOf, printFigures, type Sample } from './figures.ts';
import { explainPages } from './plans.ts';
import { apiToken, signInConsole } from './sign-in.ts';
import { pickSubjects } from './subjects.ts';

const args = parseCommandLine(import.meta.url, {
  db: { type: 'string', default: 'pakn_scale' },
  reps: { type: 'string', default: '200' },
  warmup: { type: 'string', default: '20' },
  ward: { type: 'string', default: '' },
  'quiet-wait': { type: 'string', default: '30' },
  budget: { type: 'string', default: '50' },
  check: { type: 'boolean', default: false },
});
const reps = intArg('reps', args.reps, 1, 100_000);
const warmup = intArg('warmup', args.warmup, 0, 10_000);
const quietWaitMs = intArg('quiet-wait', args['quiet-wait'], 0, 600) * 1000;
const budgetMs = intArg('budget', args.budget, 1, 10_000);
const tag = runTag();
const log = (msg: string) => process.stdout.write(`${msg}\n`);
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);

const baseUrl = loadConfig().DATABASE_URL;
const url = databaseUrl(baseUrl, args.db);

// ---- the database: seeded, migrated, analysed -------------------------------------------------------

const admin = createDb({ url, poolSize: 1, applicationName: 'pakn-bench-console' });
const seedNote = await requireCompleteSeed(admin, args.db, () => admin.destroy());
const password = /password (\S+)/.exec(seedNote)?.[1] ?? 'pakn-scale-2026';
let migration: { names: string[]; seconds: number } | null = null;
if ((await pendingMigrations(admin)).length) {
  const t = performance.now();
  const names = await migrateToLatest(admin);
  await sql`ANALYZE`.execute(admin);
  migration = { names, seconds: Math.round((performance.now() - t) / 100) / 10 };
  log(`applied ${names.join(', ')} and ANALYZE in ${migration.seconds} s`);
}
const subjects = await pickSubjects(admin, { ward: args.ward, cases: reps + warmup, longest: 10 });
const { ward, dept, users, spread, longest, counts } = subjects;
await admin.destroy();

// ---- the app, in-process, and its signed-in staff ------------------------------------------------------

installCapture();
const config = loadConfig({
  ...process.env,
  DATABASE_URL: url,
  // Errors only: a page that fails says why (the run stops at the first non-200).
  LOG_LEVEL: 'error',
  REDIS_PREFIX: `pakn-bench-console-${tag}`,
  RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
  // One request at a time never overloads the app; on the shared machine other people's work can lag
  // its event loop past the shedding threshold, and a shed page (503) would end the run.
  OVERLOAD_EVENT_LOOP_DELAY_MS: '0',
});
const container = await createContainer(config, { role: 'api' });
const app: FastifyInstance = await buildApp(container);
await app.ready();

type Who = { name: string; cookies?: Record<string, string>; bearer?: string };
const page = async (name: string): Promise<Who> => ({
  name,
  cookies: await signInConsole(app, name, password),
});
const api = async (name: string): Promise<Who> => ({
  name,
  bearer: `Bearer ${await apiToken(app, name, password)}`,
});
const as = {
  head: await page(users.head),
  intake: await page(users.intake),
  chairman: await page(users.chairman),
  intakeApi: await api(users.intake),
  chairmanApi: await api(users.chairman),
};

async function call(who: Who, target: string): Promise<Sample> {
  const start = performance.now();
  const { result: res, statements } = await record(() =>
    app.inject({
      method: 'GET',
      url: target,
      remoteAddress: '127.0.0.1',
      ...(who.cookies ? { cookies: who.cookies } : {}),
      ...(who.bearer ? { headers: { authorization: who.bearer } } : {}),
    }),
  );
  const ms = performance.now() - start;
  if (res.statusCode !== 200)
    throw new Error(`GET ${target} as ${who.name}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return { ms, sqlMs: statements.reduce((a, s) => a + s.ms, 0), statements, bytes: res.rawPayload.length };
}

// ---- the pages ------------------------------------------------------------------------------------------

const today = vietnamDayOf(new Date());
const yearAgo = vietnamDayOf(new Date(Date.now() - 364 * 86_400_000));
const year = `from=${yearAgo}&to=${today}`;
const search = `q=${encodeURIComponent('den duong')}`;

type Page = {
  name: string;
  who: Who;
  request: string;
  next: (i: number) => string;
  baseline: boolean;
  /** The JSON twin (a baseline) whose p50 this page is compared with too. */
  twin?: string;
  samples: Sample[];
};
const def = (
  name: string,
  who: Who,
  next: (i: number) => string,
  o: { baseline?: boolean; request?: string; twin?: string } = {},
): Page => ({
  name,
  who,
  next,
  request: o.request ?? next(0),
  baseline: o.baseline ?? false,
  ...(o.twin ? { twin: o.twin } : {}),
  samples: [],
});
const caseOf = (i: number) => spread[i % spread.length];
const longOf = (i: number) => longest[i % longest.length]?.id;
const pages: Page[] = [
  def('api me (baseline)', as.intakeApi, () => '/api/v1/me', { baseline: true }),
  def('department queue', as.head, () => '/console/queue'),
  def('triage queue', as.intake, () => '/console/queue'),
  def('case page', as.intake, (i) => `/console/cases/${caseOf(i)}`, {
    request: '/console/cases/{id}',
    twin: 'api case',
  }),
  def('case page, long timeline', as.intake, (i) => `/console/cases/${longOf(i)}`, {
    request: '/console/cases/{id} (longest timelines)',
    twin: 'api case',
  }),
  def('board, month', as.chairman, () => '/console/board'),
  def('board, year', as.chairman, () => `/console/board?${year}`, { twin: 'api SLA report, year' }),
  def('case search', as.intake, () => `/console/cases?${search}`, { twin: 'api case search' }),
  def('api case', as.intakeApi, (i) => `/api/v1/cases/${caseOf(i)}`, {
    baseline: true,
    request: '/api/v1/cases/{id}',
  }),
  def('api SLA report, year', as.chairmanApi, () => `/api/v1/reports/sla?${year}`, { baseline: true }),
  def('api case search', as.intakeApi, () => `/api/v1/cases?${search}`, { baseline: true }),
];

log(`\n== bench/console: ${args.db} (${subjects.totalCases?.toLocaleString('en')} cases) ==`);
log(
  `ward ${ward.code} "${ward.name}": ${counts?.total.toLocaleString('en')} cases, ${counts?.lastYear.toLocaleString('en')} ` +
    `in the last 365 days, ${counts?.lastMonth.toLocaleString('en')} in the last 30, ${counts?.triage} waiting for triage`,
);
log(
  `department ${dept.code} "${dept.name}": ${dept.open} open cases; staff ${Object.values(users).join(', ')}`,
);
log(
  `cases: ${spread.length} sampled; the ${longest.length} longest timelines have ${longest.at(-1)?.events}–${longest[0]?.events} events`,
);
log(`${reps} rounds after ${warmup} warm-up rounds; budget p95 < ${budgetMs} ms a page\n`);

/** Round robin: every round loads each page once, so a burst of other work on the shared machine hits all alike. */
const quiet = await waitForQuiet(1.0, quietWaitMs);
const loadBefore = load();
log(
  `  (before the run: machine ${quiet.busyCores} cores busy${quiet.quiet ? '' : `, not quiet after ${quietWaitMs / 1000} s`}; load average ${loadBefore.join(' ')})`,
);
const backends = async () =>
  (
    await sql<{ pid: number }>`
      SELECT pid FROM pg_stat_activity WHERE datname = ${args.db} AND application_name = 'pakn-api'`.execute(
      container.db,
    )
  ).rows.map((r) => r.pid);
const cpuEnd = startCpuMeter([], await backends());
for (let i = 0; i < warmup + reps; i++) {
  for (const p of pages) {
    const s = await call(p.who, p.next(i));
    if (i >= warmup) p.samples.push(s);
  }
}
const cpu = cpuEnd(await backends());
const loadAfter = load();

await app.close();
await container.close();

const baseline = pages[0] as Page;
const baseFig = figuresOf({ ...baseline, who: baseline.who.name }, null);
const figures: (Figures & { twinP50: number | null })[] = pages.map((p) => {
  const f = figuresOf({ ...p, who: p.who.name }, baseFig);
  const twin = p.twin ? pages.find((t) => t.name === p.twin) : undefined;
  const twinP50 = twin ? figuresOf({ ...twin, who: twin.who.name }, null).p50 : null;
  return { ...f, twinP50: twinP50 ? Math.round((f.p50 / twinP50) * 100) / 100 : null };
});
printFigures(log, figures, 'api me');
for (const f of figures) if (f.twinP50 !== null) log(`  ${f.name}: p50 ${f.twinP50} × its JSON twin's`);
log(
  `  (over the run: machine ${cpu.machineCores} cores busy; this process ${cpu.loadCores}, ` +
    `its Postgres backends ${cpu.dbBackendCores}, everything else ${cpu.otherCores}; load average ${loadAfter.join(' ')})`,
);

// ---- EXPLAIN (ANALYZE, BUFFERS) of what each page sent -----------------------------------------------

const plansFile = path.join(resultsDir, `console-${tag}-plans.txt`);
const plans = await explainPages(
  url,
  pages.map((p) => ({
    name: p.name,
    who: p.who.name,
    request: p.next(warmup + reps - 1),
    statements: p.samples.at(-1)?.statements ?? [],
  })),
  plansFile,
);
log(`\nplans (the last request of each page; EXPLAIN ANALYZE execution ms, scans):`);
for (const [name, list] of Object.entries(plans)) {
  const total = list.reduce((a, s) => a + s.executionMs * s.times, 0);
  log(`  ${name}: ${list.length} distinct SELECTs, ${Math.round(total * 10) / 10} ms executing`);
  for (const s of [...list].sort((a, b) => b.executionMs - a.executionMs).slice(0, 3))
    log(
      `    ${String(s.executionMs).padStart(8)} ms${s.times > 1 ? ` ×${s.times}` : ''}  ${s.scans.join('; ').slice(0, 150)}`,
    );
}
log(`plans: ${path.relative(root, plansFile)}`);

// ---- verdict --------------------------------------------------------------------------------------------

const over = figures.filter((f) => !f.baseline && f.p95 >= budgetMs);
log(
  `\nbudget: p95 < ${budgetMs} ms each page — ${over.length ? `NOT met by ${over.map((f) => f.name).join(', ')}` : 'met by all'}`,
);
const file = writeResult(`console-${tag}.json`, {
  tag,
  db: args.db,
  seed: seedNote,
  code: gitState(),
  migration,
  machine: machineInfo(),
  server: await serverVersion(baseUrl),
  settings: await serverSettings(baseUrl),
  ward: { ...ward, ...counts },
  department: dept,
  users,
  longestTimelines: longest,
  quiet,
  load: { before: loadBefore, after: loadAfter },
  cpu,
  reps,
  warmup,
  budgetMs,
  figures,
  plans,
});
log(`results: ${path.relative(root, file)}`);
if (args.check && over.length) process.exitCode = 1;
