/**
 * bench/queries: the hot reads of GET /api/v1/cases and a case's page, timed through the real app on
 * the city that bench/seed builds.
 *
 *   npm run bench:queries -- [--db pakn_scale] [--reps 200] [--warmup 20] [--pages 60] [--ward CODE]
 *                            [--quiet-wait 30] [--budget 20] [--check]
 *
 * The app is built in-process exactly as src/main/api.ts builds it (createContainer + buildApp, its own
 * pool of DATABASE_POOL_SIZE connections, Redis for the rate limiter under a prefix of its own) and
 * called with app.inject(): routing, the auth hook, zod validation, the service, Kysely, pg and the
 * response serializer all run, but no socket or HTTP client does, so on a shared 2-core machine the
 * figures are the app's and the database's, not a load generator's. Each request is timed end to end
 * (inject) and by the SQL it sent (pg round trips, captured by instrumenting pg.Client; see capture.ts).
 *
 * Queries, as the users who make them, in the busiest ward (or `--ward`): the head of the ward's
 * infrastructure department listing their open cases (status=assigned,in_progress,awaiting_info);
 * intake listing the ward's overdue cases (overdue=true); intake searching "den duong" and the ward's
 * least frequent street (accent-free, as typed); intake opening a case and its timeline (a different
 * case each time); and intake paging the ward's list `--pages` pages deep through nextCursor. Two more
 * searches are reported outside the budget, to show the other side of the search plan: a case code,
 * and a street of other wards that no case of this ward mentions. The queries run round robin
 * (`--warmup` rounds, then `--reps` rounds; paging advances one page per round and goes on alone until
 * it has reps / 4 pages ≥ 50), so a burst of other work on the shared machine hits all of them alike;
 * p50/p95/max in ms. Then every statement each query sent (its last call) is run again under
 * EXPLAIN (ANALYZE, BUFFERS) with the same parameters and printed.
 *
 * Pending migrations are applied first (as `npm start` would), timed, then ANALYZE. Results: printed,
 * and bench/results/queries-<tag>.json (git-ignored). `--check` exits 1 when a p95 exceeds `--budget`.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createContainer } from '../../src/container.ts';
import { createDb } from '../../src/db/database.ts';
import { migrateToLatest, pendingMigrations } from '../../src/db/migrate.ts';
import { intArg, parseCommandLine } from '../lib/cli.ts';
import { startCpuMeter, waitForQuiet } from '../lib/cpu-meter.ts';
import { machineInfo } from '../lib/machine.ts';
import { databaseUrl, serverSettings, serverVersion } from '../lib/pg-admin.ts';
import { root, runTag, writeResult } from '../lib/results.ts';
import { requireCompleteSeed } from '../seed/note.ts';
import { installCapture, record } from './capture.ts';
import { pickSubjects, plain } from './subjects.ts';
import { explainAll, type Result, type Sample, summarize } from './summary.ts';

const args = parseCommandLine(import.meta.url, {
  db: { type: 'string', default: 'pakn_scale' },
  reps: { type: 'string', default: '200' },
  warmup: { type: 'string', default: '20' },
  pages: { type: 'string', default: '60' },
  ward: { type: 'string', default: '' },
  'quiet-wait': { type: 'string', default: '30' },
  budget: { type: 'string', default: '20' },
  check: { type: 'boolean', default: false },
});
const reps = intArg('reps', args.reps, 1, 100_000);
const warmup = intArg('warmup', args.warmup, 0, 10_000);
const pages = intArg('pages', args.pages, 2, 10_000);
const quietWaitMs = intArg('quiet-wait', args['quiet-wait'], 0, 600) * 1000;
const budgetMs = intArg('budget', args.budget, 1, 10_000);
const tag = runTag();
const log = (msg: string) => process.stdout.write(`${msg}\n`);

const baseUrl = loadConfig().DATABASE_URL;
const url = databaseUrl(baseUrl, args.db);

// ---- the database: seeded, migrated, analysed -------------------------------------------------------

const admin = createDb({ url, poolSize: 1, applicationName: 'pakn-bench-queries' });
const seedNote = await requireCompleteSeed(admin, args.db, () => admin.destroy());
const password = /password (\S+)/.exec(seedNote)?.[1] ?? 'pakn-scale-2026';
const pending = await pendingMigrations(admin);
let migration: { names: string[]; seconds: number } | null = null;
if (pending.length) {
  const t = performance.now();
  const names = await migrateToLatest(admin);
  await sql`ANALYZE`.execute(admin);
  migration = { names, seconds: Math.round((performance.now() - t) / 100) / 10 };
  log(`applied ${names.join(', ')} and ANALYZE in ${migration.seconds} s`);
}
const { ward, street, code, absent, caseIds, counts, totalCases } = await pickSubjects(admin, {
  ward: args.ward,
  cases: reps + warmup,
});
const slug = ward.code.toLowerCase();
await admin.destroy();

// ---- the app, in-process ------------------------------------------------------------------------------

installCapture();
const config = loadConfig({
  ...process.env,
  DATABASE_URL: url,
  LOG_LEVEL: 'silent',
  REDIS_PREFIX: `pakn-bench-queries-${tag}`,
  RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
});
const container = await createContainer(config, { role: 'api' });
const app: FastifyInstance = await buildApp(container, { logger: false });
await app.ready();

async function login(username: string): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/token',
    payload: { username, password },
  });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  return res.json().accessToken;
}
const intake = { authorization: `Bearer ${await login(`${slug}.tiepnhan`)}` };
const head = { authorization: `Bearer ${await login(`${slug}.ktht.truongphong`)}` };

async function call(headers: Record<string, string>, target: string): Promise<Sample & { body: unknown }> {
  const start = performance.now();
  const { result: res, statements } = await record(() => app.inject({ method: 'GET', url: target, headers }));
  const ms = performance.now() - start;
  if (res.statusCode !== 200) throw new Error(`GET ${target}: ${res.statusCode} ${res.body}`);
  return { ms, sqlMs: statements.reduce((a, s) => a + s.ms, 0), statements, body: res.json() };
}

const results: Result[] = [];

type Query = {
  name: string;
  who: string;
  headers: Record<string, string>;
  label: string;
  /** The request of round `i`; paging keeps its own walk through nextCursor. */
  next: (i: number) => string;
  samples: Sample[];
  /** Paging: the samples of pages ≥ 50. */
  deep?: Sample[];
  after?: (s: Sample & { body: unknown }) => void;
  items: number;
};

log(`\n== bench/queries: ${args.db} (${totalCases?.toLocaleString('en')} cases) ==`);
log(
  `ward ${ward.code} "${ward.name}": ${counts?.total.toLocaleString('en')} cases, ${counts?.overdue} overdue now`,
);
log(`street: "${street}" searched as "${plain(street)}"; ${reps} rounds after ${warmup} warm-up rounds`);
log(`outside the budget: code "${code}", a street of other wards only: "${absent}"\n`);

const enc = encodeURIComponent;
const simple = (
  name: string,
  who: string,
  headers: Record<string, string>,
  next: (i: number) => string,
  label = next(0),
): Query => ({
  name,
  who,
  headers,
  label,
  next,
  samples: [],
  items: 0,
});
const queries: Query[] = [
  simple(
    'head open cases',
    `${slug}.ktht.truongphong`,
    head,
    () => '/api/v1/cases?status=assigned,in_progress,awaiting_info',
  ),
  simple('ward overdue', `${slug}.tiepnhan`, intake, () => '/api/v1/cases?overdue=true'),
  simple('search "den duong"', `${slug}.tiepnhan`, intake, () => `/api/v1/cases?q=${enc('den duong')}`),
  simple('search street', `${slug}.tiepnhan`, intake, () => `/api/v1/cases?q=${enc(plain(street))}`),
  simple('search code (extra)', `${slug}.tiepnhan`, intake, () => `/api/v1/cases?q=${enc(code)}`),
  simple('search absent (extra)', `${slug}.tiepnhan`, intake, () => `/api/v1/cases?q=${enc(plain(absent))}`),
  simple(
    'case',
    `${slug}.tiepnhan`,
    intake,
    (i) => `/api/v1/cases/${caseIds[i % caseIds.length]}`,
    '/api/v1/cases/{id}',
  ),
  simple(
    'case events',
    `${slug}.tiepnhan`,
    intake,
    (i) => `/api/v1/cases/${caseIds[i % caseIds.length]}/events`,
    '/api/v1/cases/{id}/events',
  ),
];
// Deep paging: one page per round, walking nextCursor `--pages` pages deep and starting over.
{
  let cursor: string | null = null;
  let pageNo = 1;
  const paging: Query = {
    ...simple(
      `paging (${pages} pages)`,
      `${slug}.tiepnhan`,
      intake,
      () => '',
      '/api/v1/cases?limit=50&cursor=…',
    ),
    next: () => `/api/v1/cases?limit=50${cursor ? `&cursor=${cursor}` : ''}`,
    deep: [],
    after: (s) => {
      if (pageNo >= 50) paging.deep?.push({ ms: s.ms, sqlMs: s.sqlMs, statements: s.statements });
      cursor = (s.body as { nextCursor: string | null }).nextCursor;
      pageNo++;
      if (!cursor || pageNo > pages) {
        cursor = null;
        pageNo = 1;
      }
    },
  };
  queries.push(paging);
}

/**
 * Round robin: every round calls each query once, so a burst of other people's work on the shared
 * machine lands on all of them alike instead of on whichever happened to run then. Paging advances one
 * page per round and goes on alone after the last round until it has `reps / 4` pages ≥ 50.
 */
const quiet = await waitForQuiet(1.0, quietWaitMs);
log(
  `  (before the run: machine ${quiet.busyCores} cores busy${quiet.quiet ? '' : `, not quiet after ${quietWaitMs / 1000} s`})`,
);
const deepWanted = Math.ceil(reps / 4);
/** Our pool's Postgres backends, so that their CPU counts as ours, not as other people's. */
const backends = async () =>
  (
    await sql<{ pid: number }>`
      SELECT pid FROM pg_stat_activity WHERE datname = ${args.db} AND application_name = 'pakn-api'`.execute(
      container.db,
    )
  ).rows.map((r) => r.pid);
const cpuEnd = startCpuMeter([], await backends());
for (let i = 0; i < warmup + reps || (queries.at(-1)?.deep?.length ?? 0) < deepWanted; i++) {
  for (const q of queries) {
    if (i >= warmup + reps && !q.deep) continue;
    const s = await call(q.headers, q.next(i));
    const warm = i < warmup;
    if (!warm) {
      q.samples.push({ ms: s.ms, sqlMs: s.sqlMs, statements: s.statements });
      q.items = ((s.body as { items?: unknown[] }).items ?? [s.body]).length;
    }
    if (q.after) {
      const deepBefore = q.deep?.length ?? 0;
      q.after(s);
      if (warm && q.deep && q.deep.length > deepBefore) q.deep.pop();
    }
  }
}
const cpu = cpuEnd(await backends());
for (const q of queries) {
  const last = q.samples.at(-1) as Sample;
  summarize(results, log, { ...q, request: q.label, cpu }, last.statements);
  if (q.deep)
    summarize(
      results,
      log,
      {
        name: 'paging, pages ≥ 50',
        who: q.who,
        request: `${q.label} (page ≥ 50)`,
        samples: q.deep,
        items: 50,
        cpu,
      },
      q.deep.at(-1)?.statements ?? [],
    );
}
log(
  `  (over the run: machine ${cpu.machineCores} cores busy; this process ${cpu.loadCores}, ` +
    `its Postgres backends ${cpu.dbBackendCores}, everything else ${cpu.otherCores})`,
);

await app.close();
await container.close();

// ---- EXPLAIN (ANALYZE, BUFFERS) of what each query sent -----------------------------------------------

await explainAll(url, results, log);

// ---- verdict --------------------------------------------------------------------------------------------

const over = results.filter((r) => r.p95 >= budgetMs && !r.name.includes('(extra)'));
log(
  `\nbudget: p95 < ${budgetMs} ms each (extras aside) — ${over.length ? `NOT met by ${over.map((r) => r.name).join(', ')}` : 'met by all'}`,
);
const file = writeResult(`queries-${tag}.json`, {
  tag,
  db: args.db,
  seed: seedNote,
  migration,
  machine: machineInfo(),
  server: await serverVersion(baseUrl),
  settings: await serverSettings(baseUrl),
  ward: { ...ward, ...counts },
  street,
  code,
  absent,
  quiet,
  reps,
  warmup,
  pages,
  results,
});
log(`results: ${path.relative(root, file)}`);
if (args.check && over.length) process.exitCode = 1;
