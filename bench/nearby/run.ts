/**
 * bench/nearby: intake's likely-duplicates lookup under a burst of reports about one place — a flooded
 * street, a fallen tree — with 10, 1,000 and 20,000 recent cases at the same point (issue 19). A user's
 * wait must not depend on how many people already reported the same thing.
 *
 *   npm run bench:nearby -- [--levels 10,1000,20000] [--reps 200] [--warmup 20] [--lookups 200]
 *                           [--quiet-wait 30] [--keep-db]
 *
 * A fresh database (pakn_bench_nearby_<tag>, dropped at the end unless --keep-db), migrated and given
 * its admin by `bootstrap` as `npm start` does; the app built in-process as src/main/api.ts builds it and
 * called with app.inject() (no socket), defaults for everything (DUPLICATE_RADIUS_METERS=100,
 * DUPLICATE_WINDOW_DAYS=30). Through the API: a ward, a department, a category that assigns to it, an
 * API client of the Smart Hải Phòng channel; one report of a flooded street at point P.
 *
 * For each level N, in order: the cases at P are brought up to N by copying that report in SQL (same
 * ward, category, point and text, received over the last 29 days; a copy costs microseconds, a case
 * through the API milliseconds), then ANALYZE; then round robin, --warmup and --reps rounds of:
 *   no point       POST /api/v1/cases, the same report without a map point (no lookup: the baseline)
 *   empty spot     the same report at a point 5 km away, where no case is (a lookup that finds nothing)
 *   burst point    the same report at P, among the N cases there
 * each with a new externalId; after each request its case is moved 1° away (untimed), so the level
 * stays N and the spots stay empty. Then --lookups calls of the lookup alone at P
 * (`SELECT pakn_possible_duplicates(…)` with the parameters intake gives it), timed in Postgres by
 * EXPLAIN ANALYZE's execution time, and one EXPLAIN (ANALYZE, BUFFERS) of the lookup's query.
 *
 * Reported per level: p50 / p95 / p99 of each request kind, the burst point's p50 and p95 ÷ the no-point
 * baseline's, and the lookup alone (median, p95 ms; buffers). Flat means the same figures at every
 * level. Results: bench/results/nearby-<tag>.json.
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { duplicateBox, duplicateText } from '../../src/modules/cases/intake-statement.ts';
import { pct } from '../console/figures.ts';
import { apiToken } from '../console/sign-in.ts';
import { runGuarded } from '../lib/cleanup.ts';
import { intArg, parseCommandLine, usage } from '../lib/cli.ts';
import { startCpuMeter, waitForQuiet } from '../lib/cpu-meter.ts';
import { startInProcessApp } from '../lib/in-process.ts';
import { machineInfo } from '../lib/machine.ts';
import { serverSettings, serverVersion } from '../lib/pg-admin.ts';
import { gitState, root, writeResult } from '../lib/results.ts';
import { serverRun } from '../lib/server-run.ts';

const args = parseCommandLine(import.meta.url, {
  levels: { type: 'string', default: '10,1000,20000' },
  reps: { type: 'string', default: '200' },
  warmup: { type: 'string', default: '20' },
  lookups: { type: 'string', default: '200' },
  'quiet-wait': { type: 'string', default: '30' },
  'keep-db': { type: 'boolean', default: false },
});
const levels = args.levels.split(',').map((x) => intArg('levels', x, 1, 1_000_000));
if (levels.some((l, i) => i > 0 && l <= (levels[i - 1] as number))) usage('--levels must rise');
const reps = intArg('reps', args.reps, 1, 100_000);
const warmup = intArg('warmup', args.warmup, 0, 10_000);
const lookups = intArg('lookups', args.lookups, 1, 100_000);
const quietWaitMs = intArg('quiet-wait', args['quiet-wait'], 0, 600) * 1000;
const log = (msg: string) => process.stdout.write(`${msg}\n`);
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);
const r2 = (x: number) => Math.round(x * 100) / 100;

const run = serverRun({
  bench: 'nearby',
  names: 'pakn_bench_nearby',
  keepDb: args['keep-db'],
  keepLogs: false,
  stopGraceMs: 5_000,
  say: log,
});
const ADMIN = { username: 'admin', password: 'bench-nearby-admin' };

/** The burst's place: a street in Lê Chân, Hải Phòng; the empty spot is 5 km north of it. */
const P = { lat: 20.844912, lng: 106.688084 };
const EMPTY = { lat: P.lat + 0.045, lng: P.lng };
const ADDRESS = 'Trước chợ Hàng, phố Tô Hiệu';
const report = {
  channel: 'smart_haiphong',
  categoryCode: 'ngap_ung',
  title: 'Ngập sâu trên phố Tô Hiệu',
  description:
    'Mưa từ chiều, nước ngập sâu khoảng nửa mét đoạn trước chợ Hàng, xe máy chết máy giữa đường, ' +
    'nước tràn vào nhà dân hai bên. Đề nghị phường khẩn trương cho thông cống, hỗ trợ người dân.',
  reporter: { name: 'Nguyễn Thị Hoa', phone: '0912345678' },
};

async function main(): Promise<boolean> {
  const { app, container } = await startInProcessApp(run, ADMIN);
  const db = container.db;

  const post = async (url: string, token: string, body: object, headers: Record<string, string> = {}) => {
    const res = await app.inject({
      method: 'POST',
      url,
      remoteAddress: '127.0.0.1',
      headers: { authorization: `Bearer ${token}`, ...headers },
      payload: body,
    });
    if (res.statusCode !== 201) throw new Error(`POST ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return res.json();
  };
  const admin = await apiToken(app, ADMIN.username, ADMIN.password);
  const ward = await post('/api/v1/wards', admin, { code: 'LE_CHAN', name: 'Phường Lê Chân' });
  await post('/api/v1/departments', admin, {
    wardId: ward.id,
    code: 'ktht',
    name: 'Phòng Kinh tế – Hạ tầng – Đô thị',
  });
  await post('/api/v1/categories', admin, {
    code: 'ngap_ung',
    name: 'Ngập úng, thoát nước',
    defaultDepartmentCode: 'ktht',
    sla: { normal: { duration: 'P5D', clock: 'working' }, urgent: { duration: 'P2D', clock: 'working' } },
  });
  const apiKey = (
    await post('/api/v1/api-clients', admin, { name: 'Smart Hải Phòng', channel: 'smart_haiphong' })
  ).apiKey as string;

  let seq = 0;
  const intake = async (location: { lat: number; lng: number } | null) => {
    const body = {
      ...report,
      wardCode: 'LE_CHAN',
      externalId: `near-${++seq}`,
      ...(location ? { location: { ...location, address: ADDRESS } } : {}),
    };
    const t = performance.now();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      remoteAddress: '127.0.0.1',
      headers: { 'x-api-key': apiKey },
      payload: body,
    });
    const ms = performance.now() - t;
    if (res.statusCode !== 201) throw new Error(`intake: ${res.statusCode} ${res.body.slice(0, 300)}`);
    const c = res.json() as { id: string; possibleDuplicates: unknown[] };
    return { ms, id: c.id, found: c.possibleDuplicates.length };
  };
  /** Out of every box: the level at P stays as set and the empty spot stays empty. */
  const moveAway = (id: string) =>
    sql`UPDATE cases SET location_lat = location_lat - 1, version = version + 1 WHERE id = ${id}`.execute(db);

  const template = await intake(P);
  await moveAway(template.id);
  const cols = (
    await sql<{ name: string }>`
      SELECT column_name AS name FROM information_schema.columns
      WHERE table_name = 'cases' AND table_schema = current_schema() AND is_generated = 'NEVER'
        AND identity_generation IS NULL AND column_default IS DISTINCT FROM 'nextval(''case_code_seq''::regclass)'
        AND column_name NOT IN ('id', 'code', 'external_id', 'received_at', 'location_lat')
      ORDER BY ordinal_position`.execute(db)
  ).rows.map((r) => `"${r.name}"`);
  const list = sql.raw(cols.join(', '));
  let atP = 0;
  const fill = async (n: number) => {
    const t = performance.now();
    await sql`
      INSERT INTO cases (code, received_at, location_lat, ${list})
      SELECT 'LE_CHAN-BURST-' || g, now() - (g % 29) * interval '1 day' - (g % 997) * interval '1 second',
             ${P.lat}, ${list}
      FROM cases, generate_series(${atP + 1}::int, ${n}::int) g
      WHERE id = ${template.id}`.execute(db);
    atP = n;
    return Math.round(performance.now() - t);
  };

  // The lookup alone, with the parameters intake gives it at P (the default settings).
  const folded = duplicateText({ ...report, location_address: ADDRESS });
  const box = duplicateBox(P.lat, 100);
  const lookupSql = sql`SELECT pakn_possible_duplicates(${ward.id}::bigint,
      (SELECT id FROM categories WHERE code = 'ngap_ung'), ${P.lat}::float8, ${P.lng}::float8,
      ${box.latSpan}::float8, ${box.lngSpan}::float8, ${box.scale}::float8, ${folded}::text,
      100::float8, 30, 0.3::float8)`;

  log(`\n== bench/nearby: ${run.dbName} ==`);
  log(`${reps} rounds after ${warmup} warm-up rounds a level; ${lookups} lookups alone\n`);
  type Kind = 'no point' | 'empty spot' | 'burst point';
  const results = [];
  for (const level of levels) {
    const fillMs = await fill(level);
    await sql`VACUUM ANALYZE cases`.execute(db);
    const quiet = await waitForQuiet(1.0, quietWaitMs);
    const samples: Record<Kind, number[]> = { 'no point': [], 'empty spot': [], 'burst point': [] };
    const found: number[] = [];
    const cpuEnd = startCpuMeter([]);
    for (let i = 0; i < warmup + reps; i++) {
      const a = await intake(null);
      const b = await intake(EMPTY);
      await moveAway(b.id);
      const c = await intake(P);
      await moveAway(c.id);
      if (i >= warmup) {
        samples['no point'].push(a.ms);
        samples['empty spot'].push(b.ms);
        samples['burst point'].push(c.ms);
        found.push(c.found);
      }
    }
    const cpu = cpuEnd();
    const alone: number[] = [];
    for (let i = 0; i < lookups; i++) {
      const plan = await sql<{ 'QUERY PLAN': { 'Execution Time': number }[] }>`
        EXPLAIN (ANALYZE, FORMAT JSON) ${lookupSql}`.execute(db);
      alone.push(plan.rows[0]?.['QUERY PLAN'][0]?.['Execution Time'] ?? Number.NaN);
    }
    const count = (
      await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM cases WHERE location_lat BETWEEN ${P.lat - 0.001} AND ${P.lat + 0.001}`.execute(
        db,
      )
    ).rows[0]?.n;
    const fig = (xs: number[]) => ({ p50: r2(pct(xs, 50)), p95: r2(pct(xs, 95)), p99: r2(pct(xs, 99)) });
    const f = {
      level,
      casesAtPoint: count,
      fillMs,
      quiet,
      cpu,
      noPoint: fig(samples['no point']),
      emptySpot: fig(samples['empty spot']),
      burstPoint: fig(samples['burst point']),
      duplicatesFound: pct(found, 50),
      lookupAlone: { p50: r2(pct(alone, 50)), p95: r2(pct(alone, 95)) },
    };
    const ratio = (x: number, y: number) => r2(x / y);
    results.push({
      ...f,
      burstOverNoPoint: {
        p50: ratio(f.burstPoint.p50, f.noPoint.p50),
        p95: ratio(f.burstPoint.p95, f.noPoint.p95),
      },
    });
    log(
      `${String(level).padStart(7)} cases at the point (${count}; filled in ${fillMs} ms; machine ${quiet.busyCores} cores busy before, ` +
        `others ${cpu.otherCores} during)`,
    );
    for (const [name, x] of [
      ['no point (baseline)', f.noPoint],
      ['empty spot', f.emptySpot],
      ['burst point', f.burstPoint],
    ] as const)
      log(
        `    ${name.padEnd(22)} p50 ${String(x.p50).padStart(7)}  p95 ${String(x.p95).padStart(7)}  p99 ${String(x.p99).padStart(7)} ms`,
      );
    log(
      `    burst ÷ baseline       p50 ${ratio(f.burstPoint.p50, f.noPoint.p50)}  p95 ${ratio(f.burstPoint.p95, f.noPoint.p95)}; ` +
        `${f.duplicatesFound} likely duplicates listed; the lookup alone p50 ${f.lookupAlone.p50} p95 ${f.lookupAlone.p95} ms`,
    );
  }
  const plan = await sql<{ 'QUERY PLAN': string }>`EXPLAIN (ANALYZE, BUFFERS) ${lookupSql}`.execute(db);
  const inner = await sql<{ 'QUERY PLAN': string }>`
    EXPLAIN (ANALYZE, BUFFERS)
    SELECT c.id FROM cases c
    WHERE c.ward_id = ${ward.id} AND c.category_id = (SELECT id FROM categories WHERE code = 'ngap_ung')
      AND c.received_at > now() - interval '30 days'
      AND c.location_lat IS NOT NULL AND c.location_lng IS NOT NULL AND c.status <> 'rejected'
      AND point(c.location_lng, c.location_lat) <@ box(point(${P.lng - 0.001}, ${P.lat - 0.001}), point(${P.lng + 0.001}, ${P.lat + 0.001}))
    ORDER BY point(c.location_lng, c.location_lat) <-> point(${P.lng}, ${P.lat})
    LIMIT 20`.execute(db);
  log(`\nthe lookup's candidates at the last level (EXPLAIN ANALYZE, BUFFERS):`);
  for (const r of inner.rows) log(`  ${r['QUERY PLAN']}`);
  log(`(load average ${load().join(' ')})`);
  const file = writeResult(`nearby-${run.tag}.json`, {
    tag: run.tag,
    code: gitState(),
    machine: machineInfo(),
    server: await serverVersion(run.pgBase),
    settings: await serverSettings(run.pgBase),
    reps,
    warmup,
    lookups,
    levels: results,
    plans: {
      lookup: plan.rows.map((r) => r['QUERY PLAN']),
      candidates: inner.rows.map((r) => r['QUERY PLAN']),
    },
  });
  log(`results: ${path.relative(root, file)}`);
  return true;
}

await runGuarded(
  {
    what: 'bench/nearby',
    budgetMs: 30 * 60_000,
    cleanup: run.cleanup,
    children: run.children,
    check: false,
    say: log,
  },
  main,
);
