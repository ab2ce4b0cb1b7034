/**
 * bench/campaigns: the installation campaign at the scale of a large ward — 30,000 households in 60
 * residential groups, 120 submitting units, 100,000 listed rows — its big upload (a 20,000-row list:
 * the dry run and the confirm) and the dashboard's reads, against a baseline timed in the same run.
 *
 *   npm run bench:campaigns -- [--households 30000] [--groups 60] [--rows 100000] [--big 20000]
 *                              [--uploads 3] [--reps 200] [--warmup 20] [--quiet-wait 30]
 *                              [--upload-budget 10] [--budget 50] [--keep-db] [--check]
 *
 * A fresh database (pakn_bench_campaigns_<tag>, dropped at the end unless --keep-db) is migrated and
 * given its admin as `npm start` does (bootstrap); the app is then built in-process as src/main/api.ts
 * builds it and called with app.inject(), as bench/console does (routing, auth, multipart, the
 * services, Kysely, pg and the rendering run; no socket does). Redis under a prefix of its own.
 *
 * Seeding, through the API as the ward's culture office (Phòng Văn hoá – Xã hội) does it, timed: the
 * ward, the groups' household counts (one import), the campaign, the units, then every unit's list as
 * an .xlsx in the official template (title rows, a merged title, numbers without the zero, with dots,
 * with +84; repeated rows; a third of other units' people already on a group's list; a few numbers
 * under two names), each confirmed (POST …/lists, which re-tallies the whole campaign). Then the
 * campaign's daily snapshots from its start until today (SQL, scaled from today's), so the timeline
 * has its real length.
 *
 * Measured:
 *   big upload   --uploads times, alternately: the women's union's list again (--big rows, 5 % of the
 *                people new each time), ?dryRun=true and then the confirm; wall time, SQL time, the
 *                response's size. Budget: each under --upload-budget seconds.
 *   small upload a group's list again (~1,000 rows), dry run and confirm, --uploads times.
 *   reads        round robin, --warmup then --reps rounds, each a full GET as the coordinator:
 *                GET /api/v1/me (the baseline: the floor of a signed-in request); the dashboard's
 *                API reads (progress, timeline, ranking live and frozen, units, conflicts); the
 *                console's dashboard, units and conflicts pages. Budget: p95 under --budget ms.
 * Results: bench/results/campaigns-<tag>.json. `--check` exits 1 when a budget is not met.
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { snapshot } from '../../src/modules/campaigns/campaign-tally.ts';
import { vietnamDayOf } from '../../src/shared/vietnam-day.ts';
import { figuresOf, pct, printFigures, type Sample } from '../console/figures.ts';
import { apiToken, signInConsole } from '../console/sign-in.ts';
import { runGuarded } from '../lib/cleanup.ts';
import { intArg, parseCommandLine } from '../lib/cli.ts';
import { startCpuMeter, waitForQuiet } from '../lib/cpu-meter.ts';
import { startInProcessApp } from '../lib/in-process.ts';
import { machineInfo } from '../lib/machine.ts';
import { serverSettings, serverVersion } from '../lib/pg-admin.ts';
import { gitState, root, writeResult } from '../lib/results.ts';
import { serverRun } from '../lib/server-run.ts';
import { installCapture, record } from '../queries/capture.ts';
import { listXlsx, planWard, revise } from './ward.ts';

const args = parseCommandLine(import.meta.url, {
  households: { type: 'string', default: '30000' },
  groups: { type: 'string', default: '60' },
  rows: { type: 'string', default: '100000' },
  big: { type: 'string', default: '20000' },
  uploads: { type: 'string', default: '3' },
  reps: { type: 'string', default: '200' },
  warmup: { type: 'string', default: '20' },
  'quiet-wait': { type: 'string', default: '30' },
  'upload-budget': { type: 'string', default: '10' },
  budget: { type: 'string', default: '50' },
  'keep-db': { type: 'boolean', default: false },
  check: { type: 'boolean', default: false },
});
const size = {
  households: intArg('households', args.households, 100, 1_000_000),
  groups: intArg('groups', args.groups, 1, 500),
  rows: intArg('rows', args.rows, 100, 1_000_000),
  bigList: intArg('big', args.big, 10, 30_000),
};
const uploads = intArg('uploads', args.uploads, 1, 50);
const reps = intArg('reps', args.reps, 1, 100_000);
const warmup = intArg('warmup', args.warmup, 0, 10_000);
const quietWaitMs = intArg('quiet-wait', args['quiet-wait'], 0, 600) * 1000;
const uploadBudgetMs = intArg('upload-budget', args['upload-budget'], 1, 600) * 1000;
const budgetMs = intArg('budget', args.budget, 1, 10_000);
const log = (msg: string) => process.stdout.write(`${msg}\n`);
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);
const r1 = (x: number) => Math.round(x * 10) / 10;

const run = serverRun({
  bench: 'campaigns',
  names: 'pakn_bench_campaigns',
  keepDb: args['keep-db'],
  keepLogs: false,
  stopGraceMs: 5_000,
  say: log,
});
const ADMIN = { username: 'admin', password: 'bench-campaigns-admin' };
const STAFF_PASSWORD = 'bench-campaigns-2026';

/** A multipart/form-data body with one file part, as a browser sends it. */
function multipart(fileName: string, bytes: Buffer) {
  const boundary = `----paknbench${Math.random().toString(16).slice(2)}`;
  return {
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
          'Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n',
      ),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
  };
}

async function main(): Promise<boolean> {
  const plan = planWard(size);
  log(`\n== bench/campaigns: ${run.dbName} ==`);
  log(
    `ward: ${size.households.toLocaleString('en')} households in ${plan.groups.length} groups, ${plan.units.length} units, ` +
      `${plan.rows.toLocaleString('en')} listed rows naming ${plan.people.toLocaleString('en')} numbers`,
  );

  installCapture();
  const { app, container } = await startInProcessApp(run, ADMIN, { RATE_LIMIT_LOGIN_PER_MINUTE: '1000' });

  const inject = async (
    method: string,
    url: string,
    o: { token?: string; body?: unknown; multipart?: ReturnType<typeof multipart>; expect?: number } = {},
  ) => {
    const res = await app.inject({
      method: method as 'GET',
      url,
      remoteAddress: '127.0.0.1',
      headers: {
        ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        ...(o.multipart?.headers ?? {}),
      },
      ...(o.multipart
        ? { payload: o.multipart.payload }
        : o.body !== undefined
          ? { payload: o.body as object }
          : {}),
    });
    if (res.statusCode !== (o.expect ?? (method === 'POST' ? 201 : 200)))
      throw new Error(`${method} ${url}: ${res.statusCode} ${res.body.slice(0, 400)}`);
    return res;
  };

  // ---- the ward, its culture office, the campaign, as the ward sets it up ---------------------------

  const seedStart = performance.now();
  const admin = await apiToken(app, ADMIN.username, ADMIN.password);
  const ward = (
    await inject('POST', '/api/v1/wards', {
      token: admin,
      body: { code: 'LACH_TRAY', name: 'Phường Lạch Tray' },
    })
  ).json();
  const culture = (
    await inject('POST', '/api/v1/departments', {
      token: admin,
      body: { wardId: ward.id, code: 'vhxh', name: 'Phòng Văn hoá – Xã hội' },
    })
  ).json();
  const user = (username: string, role: string, place: object) =>
    inject('POST', '/api/v1/users', {
      token: admin,
      body: { username, password: STAFF_PASSWORD, fullName: `Cán bộ ${username}`, role, ...place },
    });
  await user('lt.vhxh', 'department_head', { departmentId: culture.id });
  await user('lt.chutich', 'chairman', { wardId: ward.id });
  const coordinator = await apiToken(app, 'lt.vhxh', STAFF_PASSWORD);

  const imported = (
    await inject('POST', `/api/v1/wards/${ward.id}/residential-group-imports`, {
      token: coordinator,
      expect: 200,
      body: {
        source: 'Báo cáo các tổ dân phố',
        groups: plan.groups.map((g) => ({
          name: g.name,
          households: g.households,
          smartphoneHouseholds: g.smartphoneHouseholds,
        })),
      },
    })
  ).json() as { groups: { id: string; name: string }[] };
  const groupId = new Map(imported.groups.map((g) => [g.name, g.id]));
  const campaign = (
    await inject('POST', '/api/v1/campaigns', {
      token: coordinator,
      body: {
        wardId: ward.id,
        name: 'Cài đặt Smart Hải Phòng 2026',
        documentNumber: '45/KH-UBND',
        documentDate: '2026-05-10',
        startsOn: '2026-05-15',
        endsOn: '2026-12-31',
      },
    })
  ).json() as { id: string };
  const unitId = new Map<string, string>();
  for (const u of plan.units) {
    const body = {
      kind: u.kind,
      name: u.name,
      ...(u.headcount ? { headcount: u.headcount } : {}),
      ...(u.kind === 'residential_group' ? { residentialGroupId: groupId.get(u.name) } : {}),
    };
    unitId.set(
      u.key,
      (await inject('POST', `/api/v1/campaigns/${campaign.id}/units`, { token: coordinator, body })).json()
        .id,
    );
  }
  const listsUrl = (key: string) => `/api/v1/campaigns/${campaign.id}/units/${unitId.get(key)}/lists`;
  let seedUploadMs = 0;
  for (const [i, u] of plan.units.entries()) {
    const file = await listXlsx(u.name, plan.lists.get(u.key) ?? [], 1000 + i);
    const t = performance.now();
    await inject('POST', listsUrl(u.key), {
      token: coordinator,
      multipart: multipart(`${u.key}.xlsx`, file),
    });
    seedUploadMs += performance.now() - t;
    if ((i + 1) % 30 === 0) log(`  seeded ${i + 1}/${plan.units.length} lists`);
  }
  // Daily snapshots from the start until yesterday, scaled linearly up to today's (which the worker takes).
  const db = container.db;
  await snapshot(db, { id: campaign.id, wardId: ward.id });
  const today = vietnamDayOf(new Date());
  await sql`
    INSERT INTO campaign_snapshots (campaign_id, day, group_id, people, covered_households, smartphone_households)
    SELECT s.campaign_id, d::date, s.group_id,
           round(s.people * (d::date - DATE '2026-05-15')::numeric / (${today}::date - DATE '2026-05-15')),
           round(s.covered_households * (d::date - DATE '2026-05-15')::numeric / (${today}::date - DATE '2026-05-15')),
           s.smartphone_households
    FROM campaign_snapshots s, generate_series(DATE '2026-05-15', ${today}::date - 1, interval '1 day') d
    WHERE s.campaign_id = ${campaign.id} AND s.day = ${today}::date`.execute(db);
  await inject('POST', `/api/v1/campaigns/${campaign.id}/ranking/freeze`, {
    token: coordinator,
    body: { frozenOn: today },
  });
  await sql`ANALYZE`.execute(db);
  const seedSeconds = r1((performance.now() - seedStart) / 1000);
  const progress = (
    await inject('GET', `/api/v1/campaigns/${campaign.id}/progress`, { token: coordinator })
  ).json();
  const tables = (
    await sql<{ rows: number; snapshots: number; conflicts: number }>`
      SELECT (SELECT count(*)::int FROM campaign_list_rows) AS rows,
             (SELECT count(*)::int FROM campaign_snapshots) AS snapshots,
             (SELECT count(*)::int FROM campaign_conflicts) AS conflicts`.execute(db)
  ).rows[0];
  log(
    `seeded through the API in ${seedSeconds} s (uploads ${r1(seedUploadMs / 1000)} s): ${tables?.rows.toLocaleString('en')} list rows stored, ` +
      `${progress.totals.people.toLocaleString('en')} people, ${progress.totals.coveredHouseholds.toLocaleString('en')} of ` +
      `${progress.totals.smartphoneHouseholds.toLocaleString('en')} smartphone households covered, ` +
      `${tables?.conflicts} conflicts, ${tables?.snapshots.toLocaleString('en')} snapshot rows`,
  );

  const quiet = await waitForQuiet(1.0, quietWaitMs);
  log(
    `  (machine ${quiet.busyCores} cores busy${quiet.quiet ? '' : `, not quiet after ${quietWaitMs / 1000} s`}; load average ${load().join(' ')})`,
  );
  const backends = async () =>
    (
      await sql<{ pid: number }>`
        SELECT pid FROM pg_stat_activity WHERE datname = ${run.dbName} AND application_name = 'pakn-api'`.execute(
        db,
      )
    ).rows.map((r) => r.pid);

  // ---- uploads -----------------------------------------------------------------------------------------

  type Upload = {
    name: string;
    rows: number;
    dryRun: boolean;
    ms: number[];
    sqlMs: number[];
    bytes: number[];
  };
  const timeUpload = async (u: Upload, key: string, file: Buffer) => {
    const t = performance.now();
    const { result, statements } = await record(() =>
      inject('POST', `${listsUrl(key)}${u.dryRun ? '?dryRun=true' : ''}`, {
        token: coordinator,
        multipart: multipart(`${key}.xlsx`, file),
        expect: u.dryRun ? 200 : 201,
      }),
    );
    u.ms.push(performance.now() - t);
    u.sqlMs.push(statements.reduce((a, s) => a + s.ms, 0));
    u.bytes.push(result.rawPayload.length);
  };
  const big = plan.units.find((u) => u.name === 'Hội Phụ nữ phường');
  const small = plan.units[0];
  if (!big || !small) throw new Error('the plan has no women union or group');
  const bigList = plan.lists.get(big.key) ?? [];
  const smallList = plan.lists.get(small.key) ?? [];
  const up = (name: string, rows: number, dryRun: boolean): Upload => ({
    name,
    rows,
    dryRun,
    ms: [],
    sqlMs: [],
    bytes: [],
  });
  const measured = [
    up(`${bigList.length.toLocaleString('en')}-row list, dry run`, bigList.length, true),
    up(`${bigList.length.toLocaleString('en')}-row list, confirm`, bigList.length, false),
    up(`${smallList.length.toLocaleString('en')}-row list, dry run`, smallList.length, true),
    up(`${smallList.length.toLocaleString('en')}-row list, confirm`, smallList.length, false),
  ] as const;
  const uploadCpuEnd = startCpuMeter([], await backends());
  for (let i = 0; i < uploads; i++) {
    const bigFile = await listXlsx(big.name, revise(bigList, 0.05, 50_000_000 + i * 100_000, 7 + i), 70 + i);
    await timeUpload(measured[0], big.key, bigFile);
    await timeUpload(measured[1], big.key, bigFile);
    const smallFile = await listXlsx(
      small.name,
      revise(smallList, 0.05, 60_000_000 + i * 100_000, 9 + i),
      90 + i,
    );
    await timeUpload(measured[2], small.key, smallFile);
    await timeUpload(measured[3], small.key, smallFile);
  }
  const uploadCpu = uploadCpuEnd(await backends());
  const uploadFigures = measured.map((u) => ({
    name: u.name,
    rows: u.rows,
    dryRun: u.dryRun,
    n: u.ms.length,
    medianMs: Math.round(pct(u.ms, 50)),
    maxMs: Math.round(Math.max(...u.ms)),
    sqlMedianMs: Math.round(pct(u.sqlMs, 50)),
    responseKB: Math.round(pct(u.bytes, 50) / 1024),
    all: u.ms.map(Math.round),
  }));
  log('\nuploads (as the coordinator; wall ms through app.inject, SQL ms of it, response size):');
  for (const f of uploadFigures)
    log(
      `  ${f.name.padEnd(28)} median ${String(f.medianMs).padStart(6)} ms  max ${String(f.maxMs).padStart(6)} ms  ` +
        `SQL ${String(f.sqlMedianMs).padStart(5)} ms  ${String(f.responseKB).padStart(5)} KB   (${f.all.join(', ')})`,
    );
  log(
    `  (machine ${uploadCpu.machineCores} cores busy; this process ${uploadCpu.loadCores}, its Postgres backends ` +
      `${uploadCpu.dbBackendCores}, everything else ${uploadCpu.otherCores})`,
  );

  // ---- reads ---------------------------------------------------------------------------------------------

  const cookies = await signInConsole(app, 'lt.vhxh', STAFF_PASSWORD);
  const c = `/api/v1/campaigns/${campaign.id}`;
  type Read = { name: string; url: string; console: boolean; baseline: boolean; samples: Sample[] };
  const read = (name: string, url: string, o: { console?: boolean; baseline?: boolean } = {}): Read => ({
    name,
    url,
    console: o.console ?? false,
    baseline: o.baseline ?? false,
    samples: [],
  });
  const reads: Read[] = [
    read('api me (baseline)', '/api/v1/me', { baseline: true }),
    read('progress', `${c}/progress`),
    read('timeline', `${c}/timeline`),
    read('ranking, live', `${c}/ranking?live=true`),
    read('ranking, frozen', `${c}/ranking`),
    read('units', `${c}/units`),
    read('conflicts', `${c}/conflicts`),
    read('console dashboard', `/console/campaigns/${campaign.id}`, { console: true }),
    read('console units', `/console/campaigns/${campaign.id}/units`, { console: true }),
    read('console conflicts', `/console/campaigns/${campaign.id}/conflicts`, { console: true }),
  ];
  const call = async (r: Read): Promise<Sample> => {
    const start = performance.now();
    const { result: res, statements } = await record(() =>
      app.inject({
        method: 'GET',
        url: r.url,
        remoteAddress: '127.0.0.1',
        ...(r.console ? { cookies } : { headers: { authorization: `Bearer ${coordinator}` } }),
      }),
    );
    const ms = performance.now() - start;
    if (res.statusCode !== 200) throw new Error(`GET ${r.url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return { ms, sqlMs: statements.reduce((a, s) => a + s.ms, 0), statements, bytes: res.rawPayload.length };
  };
  await waitForQuiet(1.0, quietWaitMs);
  const readCpuEnd = startCpuMeter([], await backends());
  for (let i = 0; i < warmup + reps; i++)
    for (const r of reads) {
      const s = await call(r);
      if (i >= warmup) r.samples.push(s);
    }
  const readCpu = readCpuEnd(await backends());
  const baseline = reads[0] as Read;
  const baseFig = figuresOf({ ...baseline, who: 'lt.vhxh', request: baseline.url }, null);
  const readFigures = reads.map((r) => figuresOf({ ...r, who: 'lt.vhxh', request: r.url }, baseFig));
  log(`\nreads as the coordinator (${reps} rounds after ${warmup} warm-up rounds; ms):`);
  printFigures(log, readFigures, 'api me');
  log(
    `  (machine ${readCpu.machineCores} cores busy; this process ${readCpu.loadCores}, its Postgres backends ` +
      `${readCpu.dbBackendCores}, everything else ${readCpu.otherCores}; load average ${load().join(' ')})`,
  );

  // ---- verdict -------------------------------------------------------------------------------------------

  const slowUploads = uploadFigures.filter((f) => f.maxMs >= uploadBudgetMs);
  const slowReads = readFigures.filter((f) => !f.baseline && f.p95 >= budgetMs);
  log(
    `\nbudget: every upload under ${uploadBudgetMs / 1000} s — ${slowUploads.length ? `NOT met by ${slowUploads.map((f) => f.name).join(', ')}` : 'met'}; ` +
      `reads p95 < ${budgetMs} ms — ${slowReads.length ? `NOT met by ${slowReads.map((f) => f.name).join(', ')}` : 'met by all'}`,
  );
  const file = writeResult(`campaigns-${run.tag}.json`, {
    tag: run.tag,
    code: gitState(),
    machine: machineInfo(),
    server: await serverVersion(run.pgBase),
    settings: await serverSettings(run.pgBase),
    size,
    ward: {
      groups: plan.groups.length,
      units: plan.units.length,
      rows: plan.rows,
      numbers: plan.people,
      stored: tables,
      totals: progress.totals,
    },
    seed: { seconds: seedSeconds, uploadSeconds: r1(seedUploadMs / 1000) },
    quiet,
    uploads: { figures: uploadFigures, cpu: uploadCpu, budgetMs: uploadBudgetMs },
    reads: { figures: readFigures, cpu: readCpu, reps, warmup, budgetMs },
  });
  log(`results: ${path.relative(root, file)}`);
  return slowUploads.length === 0 && slowReads.length === 0;
}

await runGuarded(
  {
    what: 'bench/campaigns',
    budgetMs: 30 * 60_000,
    cleanup: run.cleanup,
    children: run.children,
    check: args.check,
    say: log,
  },
  main,
);
