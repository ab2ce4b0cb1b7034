/**
 * bench/seed: a city's worth of data for the query benchmark (bench/queries).
 *
 *   npm run bench:seed -- [--cases 1000000] [--db pakn_scale] [--fresh] [--seed 1] [--batch 10000]
 *                         [--days 730] [--password pakn-scale-2026]
 *
 * Creates the database when it is missing (`--fresh` drops it first) and migrates it with the
 * project's migrator, then writes Hải Phòng's 114 wards with their five departments, the shared
 * categories, 13 staff per ward (2 intake, the chairman, a head and an officer per department; all
 * with `--password`) plus `admin`, the three channel clients (app, hotline, portal), the default
 * calendar and escalation ladder per ward, and `--cases` cases received over the last `--days` days.
 *
 * Every case is played through the workflow with the app's own state machine, deadlines and ladder
 * (bench/seed/generator.ts) and stopped at now, so statuses, events, versions, SLA generations,
 * timers (pending for open cases; fired or cancelled before), escalations and notifications agree
 * with each other as if the app had run for two years. Rows go in with one statement per batch
 * (json_to_recordset into data-modifying CTEs, bench/seed/load.ts), in time order, so ids grow with
 * time as they do in the app; check constraints, unique keys and triggers are in force throughout.
 * The loaded tables' plain indexes and foreign keys are dropped for the load and created again from
 * their own definitions afterwards (adding a foreign key checks every row); then VACUUM (ANALYZE).
 * Results: printed, and bench/results/seed-<time>.json (git-ignored).
 *
 * The database's comment says whether the seed completed (bench/queries checks it).
 */
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { createDb } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { hashPassword } from '../../src/modules/auth/passwords.ts';
import { intArg, parseCommandLine } from '../lib/cli.ts';
import { startCpuMeter } from '../lib/cpu-meter.ts';
import { machineInfo } from '../lib/machine.ts';
import { createDatabase, databaseUrl, dropDatabase, serverVersion } from '../lib/pg-admin.ts';
import { root, writeResult } from '../lib/results.ts';
import { buildCity } from './city.ts';
import { type GeneratedCase, generateCase } from './generator.ts';
import { type Batch, databaseSize, foreignKeys, insertBatch, plainIndexes, seedDirectory } from './load.ts';
import { markSeed } from './note.ts';
import { createRng, weighted } from './random.ts';

const args = parseCommandLine(import.meta.url, {
  cases: { type: 'string', default: '1000000' },
  db: { type: 'string', default: 'pakn_scale' },
  fresh: { type: 'boolean', default: false },
  seed: { type: 'string', default: '1' },
  batch: { type: 'string', default: '10000' },
  days: { type: 'string', default: '730' },
  password: { type: 'string', default: 'pakn-scale-2026' },
});
const N = intArg('cases', args.cases, 1, 20_000_000);
const seed = intArg('seed', args.seed, 0, 2 ** 31);
const batchSize = intArg('batch', args.batch, 100, 100_000);
const days = intArg('days', args.days, 1, 3_650);
if (!/^[a-z_][a-z0-9_]{0,62}$/.test(args.db)) {
  process.stderr.write('--db must be a lower-case identifier\n');
  process.exit(2);
}
if (args.password.length < 10) {
  process.stderr.write('--password must have at least 10 characters (the app refuses shorter ones)\n');
  process.exit(2);
}

const H = 3_600_000;
const D = 24 * H;
const t0 = performance.now();
const elapsed = () => (performance.now() - t0) / 1000;
const log = (msg: string) => process.stdout.write(`[${elapsed().toFixed(1).padStart(6)} s] ${msg}\n`);
const secs = (from: number) => `${((performance.now() - from) / 1000).toFixed(1)} s`;

const baseUrl = loadConfig().DATABASE_URL;
const url = databaseUrl(baseUrl, args.db);

// ---- database --------------------------------------------------------------------------------------

const admin = new pg.Client({ connectionString: databaseUrl(baseUrl, 'postgres') });
await admin.connect();
const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [args.db])).rowCount === 1;
await admin.end();
if (exists && args.fresh) {
  await dropDatabase(baseUrl, args.db);
  log(`dropped database ${args.db}`);
}
if (!exists || args.fresh) {
  await createDatabase(baseUrl, args.db);
  log(`created database ${args.db}`);
}
const db = createDb({ url, poolSize: 2, applicationName: 'pakn-bench-seed' });
const applied = await migrateToLatest(db);
log(`migrated (${applied.length ? applied.join(', ') : 'already up to date'})`);
const existing = await sql<{ n: number }>`SELECT count(*)::int AS n FROM wards`.execute(db);
if ((existing.rows[0]?.n ?? 0) > 0) {
  process.stderr.write(`database ${args.db} already holds data; run again with --fresh to rebuild it\n`);
  await db.destroy();
  process.exit(1);
}
const mark = (state: string) => markSeed(db, args.db, state);
await mark(`in progress since ${new Date().toISOString()}`);

// ---- directory ---------------------------------------------------------------------------------------

let phase = performance.now();
const city = buildCity(seed);
const passwordHash = await hashPassword(args.password);
const dir = await seedDirectory(db, city, { passwordHash, seed });
log(
  `directory: ${city.length} wards, ${city.length * 5} departments, ${dir.categories.size} categories, ` +
    `${dir.users} users, ${dir.clients.size} API clients (${secs(phase)})`,
);

// ---- the load connection: one session, settings for a bulk load ------------------------------------

const client = new pg.Client({ connectionString: url, application_name: 'pakn-bench-seed-load' });
await client.connect();
// Our session only: a lost batch at a crash is harmless here, and index builds get room to sort.
await client.query(`SET synchronous_commit = off; SET maintenance_work_mem = '1GB'; SET jit = off`);
const backendPid = Number(
  (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid,
);
/** CPU seconds of this process, of our Postgres backend, and of everyone else, over a phase. */
const cpuPhase = () => {
  const end = startCpuMeter([], [backendPid]);
  const t = performance.now();
  return () => {
    const r = end();
    const s = (performance.now() - t) / 1000;
    const f = (cores: number | null) => Math.round((cores ?? 0) * s);
    return {
      seconds: Math.round(s),
      node: f(r.loadCores),
      postgres: f(r.dbBackendCores),
      others: f(r.otherCores),
    };
  };
};
const cpuText = (c: { node: number; postgres: number; others: number }) =>
  `CPU s: node ${c.node}, our backend ${c.postgres}, everything else ${c.others}`;
const indexes = await plainIndexes(client);
const keys = await foreignKeys(client);
for (const ix of indexes) await client.query(`DROP INDEX ${ix.name}`);
for (const fk of keys) await client.query(`ALTER TABLE ${fk.table} DROP CONSTRAINT ${fk.name}`);
log(
  `dropped the loaded tables' ${indexes.length} plain indexes and ${keys.length} foreign keys for the load ` +
    '(rebuilt and re-validated at the end)',
);

// ---- the schedule: how many cases each local day receives -----------------------------------------

const now = Date.now();
const todayStart = Math.floor((now + 7 * H) / D) * D - 7 * H;
const firstDay = todayStart - (days - 1) * D;
/** Local hour weights: the app never sleeps, but people mostly write in the day and the evening. */
const hourWeights = [
  0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 2.5, 3, 3, 3, 2.5, 1.5, 2, 3, 3, 3, 2.5, 2, 2, 2, 1.5, 1, 0.5,
];
const drawHour = weighted(hourWeights);
const dayWeight = (d: number) => {
  const start = firstDay + d * D;
  const weekday = new Date(start + 7 * H).getUTCDay();
  const growth = 0.75 + 0.5 * (d / Math.max(1, days - 1));
  const weekend = weekday === 0 || weekday === 6 ? 0.55 : 1;
  return growth * weekend * (d === days - 1 ? (now - todayStart) / D : 1);
};
const weights = Array.from({ length: days }, (_, d) => dayWeight(d));
const totalWeight = weights.reduce((a, b) => a + b, 0);
const perDay: number[] = [];
let cumulative = 0;
let assigned = 0;
for (const w of weights) {
  cumulative += (N * w) / totalWeight;
  const upTo = Math.round(cumulative);
  perDay.push(upTo - assigned);
  assigned = upTo;
}
const drawWard = weighted(dir.wards.map((w) => w.city.weight));

// ---- the load ----------------------------------------------------------------------------------------

const rng = createRng(seed);
/** The seed is the only writer: ids come from the tables' identity sequences, moved past them at the end. */
const sequence = async (table: string) => {
  const r = await client.query<{ seq: string; next: string }>(
    `SELECT pg_get_serial_sequence($1, 'id') AS seq,
            (SELECT coalesce(max(id), 0) + 1 FROM ${table})::text AS next`,
    [table],
  );
  const row = r.rows[0] as { seq: string; next: string };
  return { seq: row.seq, next: Number(row.next) };
};
const caseSeq = await sequence('cases');
const escalationSeq = await sequence('escalations');
let escalationIdBase = escalationSeq.next;
/** Rows waiting for their time: each batch writes those that happened before its last day ended. */
let pending: Omit<Batch, 'cases'> = { events: [], timers: [], escalations: [], notifications: [] };
const totals = { events: 0, timers: 0, escalations: 0, notifications: 0 };

function takeUntil<T>(rows: T[], until: number, time: (r: T) => number, keep: T[]): T[] {
  const due: T[] = [];
  for (const r of rows) (time(r) <= until ? due : keep).push(r);
  return due;
}

function nextBatch(state: { day: number; index: number }): { batch: Batch; first: number } | null {
  if (state.day >= days) return null;
  const cases: GeneratedCase[] = [];
  const first = state.index;
  let until = now;
  while (state.day < days && cases.length < batchSize) {
    const start = firstDay + state.day * D;
    const end = Math.min(start + D, now);
    const times: number[] = [];
    for (let k = 0; k < (perDay[state.day] ?? 0); k++) {
      let at = end;
      for (let tries = 0; tries < 20 && at >= end; tries++)
        at = start + drawHour(rng) * H + Math.floor(rng.next() * H);
      times.push(at >= end ? start + Math.floor(rng.next() * (end - start)) : at);
    }
    times.sort((a, b) => a - b);
    for (const at of times) {
      const ward = dir.wards[drawWard(rng)];
      if (!ward) throw new Error('no ward');
      const index = state.index++;
      cases.push(generateCase(dir, rng, ward, index, index + 1, at, now));
    }
    until = end;
    state.day++;
  }
  for (const c of cases) {
    pending.events.push(...c.events);
    pending.timers.push(...c.timers);
    pending.escalations.push(...c.escalations);
    pending.notifications.push(...c.notifications);
  }
  const keep: Omit<Batch, 'cases'> = { events: [], timers: [], escalations: [], notifications: [] };
  const cut = state.day >= days ? Number.POSITIVE_INFINITY : until;
  const batch: Batch = {
    cases: cases.map((c) => c.row),
    events: takeUntil(pending.events, cut, (e) => e.at, keep.events).sort(
      (a, b) => a.at - b.at || a.caseIndex - b.caseIndex || a.seq - b.seq,
    ),
    timers: takeUntil(pending.timers, cut, (t) => t.created, keep.timers).sort(
      (a, b) => a.created - b.created,
    ),
    escalations: takeUntil(pending.escalations, cut, (e) => e.fired, keep.escalations).sort(
      (a, b) => a.fired - b.fired,
    ),
    notifications: takeUntil(pending.notifications, cut, (n) => n.created, keep.notifications).sort(
      (a, b) => a.created - b.created,
    ),
  };
  pending = keep;
  return { batch, first };
}

phase = performance.now();
const loadStart = performance.now();
const loadCpu = cpuPhase();
log(
  `loading ${N.toLocaleString('en')} cases received ${new Date(firstDay).toISOString().slice(0, 10)} … now, ` +
    `${batchSize} per batch`,
);
const state = { day: 0, index: 0 };
let genMs = 0;
let g = performance.now();
let next = nextBatch(state);
genMs += performance.now() - g;
let lastReport = 0;
while (next) {
  const { batch, first } = next;
  const running = insertBatch(client, batch, {
    caseIdBase: caseSeq.next,
    firstCase: first,
    escalationIdBase,
  });
  escalationIdBase += batch.escalations.length;
  // Generate the next batch while Postgres writes this one.
  g = performance.now();
  next = nextBatch(state);
  genMs += performance.now() - g;
  const r = await running;
  totals.events += r.events;
  totals.timers += r.timers;
  totals.escalations += r.escalations;
  totals.notifications += r.notifications;
  const done = first + r.cases;
  if (performance.now() - lastReport > 5_000 || !next) {
    lastReport = performance.now();
    const rate = done / ((performance.now() - loadStart) / 1000);
    log(
      `${done.toLocaleString('en').padStart(10)} / ${N.toLocaleString('en')} cases ` +
        `(${Math.round((100 * done) / N)} %, ${Math.round(rate).toLocaleString('en')}/s, ETA ${Math.round((N - done) / rate)} s); ` +
        `events ${totals.events.toLocaleString('en')}, timers ${totals.timers.toLocaleString('en')}, ` +
        `escalations ${totals.escalations.toLocaleString('en')}, notifications ${totals.notifications.toLocaleString('en')}`,
    );
  }
}
await client.query(`SELECT setval($1, $2), setval($3, $4)`, [
  caseSeq.seq,
  caseSeq.next + state.index - 1,
  escalationSeq.seq,
  Math.max(1, escalationIdBase - 1),
]);
const loadSeconds = (performance.now() - loadStart) / 1000;
const loadCpuUsed = loadCpu();
log(
  `load done (${secs(phase)}; generating in Node: ${(genMs / 1000).toFixed(1)} s, overlapped with the inserts; ` +
    `${cpuText(loadCpuUsed)})`,
);
await client.query(`SELECT setval('case_code_seq', $1)`, [N]);

phase = performance.now();
const indexCpu = cpuPhase();
for (const ix of indexes) {
  const t = performance.now();
  await client.query(ix.def);
  log(`  ${ix.name} (${secs(t)})`);
}
const indexSeconds = (performance.now() - phase) / 1000;
const indexCpuUsed = indexCpu();
log(`rebuilt ${indexes.length} indexes (${secs(phase)}; ${cpuText(indexCpuUsed)})`);
const after = await plainIndexes(client);
const lost = indexes.filter((ix) => !after.some((a) => a.def === ix.def));
if (lost.length) throw new Error(`indexes not rebuilt: ${lost.map((ix) => ix.name).join(', ')}`);

phase = performance.now();
for (const fk of keys) {
  const t = performance.now();
  // Adding the constraint checks every existing row: the load is proven to satisfy it.
  await client.query(`ALTER TABLE ${fk.table} ADD CONSTRAINT ${fk.name} ${fk.def}`);
  log(`  ${fk.table}.${fk.name} (${secs(t)})`);
}
const keySeconds = (performance.now() - phase) / 1000;
log(`added back and validated ${keys.length} foreign keys (${secs(phase)})`);
const keysAfter = await foreignKeys(client);
if (keysAfter.length !== keys.length) throw new Error('foreign keys not restored');

phase = performance.now();
await client.query('VACUUM (ANALYZE)');
const vacuumSeconds = (performance.now() - phase) / 1000;
log(`VACUUM (ANALYZE) (${secs(phase)})`);
await client.end();

// ---- summary ------------------------------------------------------------------------------------------

const counts = await sql<{ status: string; n: number; overdue: number }>`
  SELECT status, count(*)::int AS n,
         count(*) FILTER (WHERE (status IN ('assigned', 'in_progress') AND due_at < now())
                             OR (status = 'received' AND accept_due_at < now()))::int AS overdue
  FROM cases GROUP BY status ORDER BY n DESC`.execute(db);
const size = await databaseSize(db);
const totalSeconds = elapsed();
await mark(
  `complete; ${N} cases, seed ${seed}, ${days} days to ${new Date(now).toISOString()}, password ${args.password}`,
);
await db.destroy();

const server = (await serverVersion(baseUrl)).split(',')[0];
const lines = [
  '',
  `== bench/seed: ${args.db} ==`,
  `machine: ${JSON.stringify(machineInfo())}`,
  `server: ${server}`,
  `cases by status (overdue among them):`,
  ...counts.rows.map(
    (r) =>
      `  ${r.status.padEnd(14)} ${r.n.toLocaleString('en').padStart(10)}  (${r.overdue.toLocaleString('en')} overdue)`,
  ),
  `rows: events ${totals.events.toLocaleString('en')}, timers ${totals.timers.toLocaleString('en')}, escalations ${totals.escalations.toLocaleString('en')}, ` +
    `notifications ${totals.notifications.toLocaleString('en')}`,
  `database size: ${size.database?.size}`,
  ...size.tables
    .slice(0, 8)
    .map(
      (t) => `  ${t.table.padEnd(20)} ${t.total.padStart(10)}  ${Number(t.rows).toLocaleString('en')} rows`,
    ),
  `time: load ${loadSeconds.toFixed(0)} s, indexes ${indexSeconds.toFixed(0)} s, foreign keys ${keySeconds.toFixed(0)} s, VACUUM ANALYZE ${vacuumSeconds.toFixed(0)} s, ` +
    `total ${totalSeconds.toFixed(0)} s (${(totalSeconds / 60).toFixed(1)} min)`,
  `logins: <ward>.tiepnhan, <ward>.chutich, <ward>.<dept>.truongphong, <ward>.<dept>.canbo, admin — password ${args.password}`,
  `        e.g. ${dir.wards[0]?.city.code.toLowerCase()}.tiepnhan (${dir.wards[0]?.city.name})`,
  '',
];
process.stdout.write(lines.join('\n'));

const file = writeResult(`seed-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}.json`, {
  db: args.db,
  cases: N,
  seed,
  days,
  batch: batchSize,
  machine: machineInfo(),
  server,
  seconds: {
    load: loadSeconds,
    indexes: indexSeconds,
    foreignKeys: keySeconds,
    vacuumAnalyze: vacuumSeconds,
    total: totalSeconds,
  },
  cpuSeconds: { load: loadCpuUsed, indexes: indexCpuUsed },
  rows: { cases: N, ...totals },
  statuses: counts.rows,
  size,
});
process.stdout.write(`results: ${path.relative(root, file)}\n`);
