import { afterAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/db/database.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { escalationsOf, sortedStepsOf } from '../support/escalations.ts';
import { createCategory, createWard } from '../support/fixtures.ts';
import {
  type HttpResult,
  isProblem503,
  keepAlive,
  ready,
  reportAt,
  summary,
  tally,
} from '../support/http.ts';
import { testPrefix, uid } from '../support/ids.ts';
import { quickPolicy, quickSla, setWardPolicy } from '../support/ladders.ts';
import { sleep, until } from '../support/polling.ts';
import { postgresBinDir, startPrivatePostgres } from '../support/private-servers.ts';
import { killAllWorkers, spawnApi, spawnWorker, stopAllStarted, workerEnv } from '../support/processes.ts';

// Postgres restarts (a private cluster of this file's own, stopped with `pg_ctl stop -m fast` and
// started again) while a real API serves a stream of intake requests and a real worker runs. The run's
// shared Postgres is never touched; Redis is the shared one, on a prefix of this file's own.

// Skipped only where there are no PostgreSQL server binaries to run a private cluster with.
const bin = postgresBinDir();
let t: TestApp | undefined;
let check: Db | undefined;
afterAll(async () => {
  await killAllWorkers();
  await t?.close().catch(() => {});
  await check?.destroy();
  await stopAllStarted();
});

type Sent = HttpResult & { externalId: string };

describe.skipIf(!bin)('Postgres restart', () => {
  it('answers 503 problem+json fast while it is down, recovers by itself, and keeps every acknowledged case', {
    timeout: 90_000,
  }, async () => {
    const pg = await startPrivatePostgres(bin as string);
    const shared = { DATABASE_URL: pg.url, REDIS_PREFIX: testPrefix() };
    t = await createTestApp(shared);
    const env = { ...shared, REDIS_URL: t.config.REDIS_URL };
    const worker = spawnWorker(workerEnv(env));
    // No reference cache: every request also looks its API key and ward up in Postgres.
    const api = spawnApi({ ...env, DATABASE_POOL_SIZE: '5', REFERENCE_CACHE_TTL_MS: '0' });
    const db = t.container.db;
    const ward = await createWard(t, { staff: 'inserted' });
    await setWardPolicy(db, ward.id, quickPolicy);
    // The stream's cases have a five-day deadline; a few cases have a ladder in seconds that falls due
    // while Postgres is away, for the worker.
    const slow = await createCategory(t, { defaultDepartmentCode: 'ktht' });
    const fast = await createCategory(t, { defaultDepartmentCode: 'ktht', sla: quickSla });
    const [base] = await Promise.all([api.ready, worker.ready]);
    // The in-process app is only for setup: checks after the restart use a pool of their own.
    await t.close();
    t = undefined;

    const agent = keepAlive();
    const post = async (categoryCode: string): Promise<Sent> => {
      const externalId = `pg-${uid()}`;
      const r = await reportAt(base, ward, { externalId, categoryCode }, agent);
      return { ...r, externalId };
    };

    const laddered = await Promise.all(Array.from({ length: 6 }, () => post(fast.code)));
    expect(laddered.map((r) => r.status)).toEqual(Array(6).fill(201));

    // Four clients post without pause until told to stop.
    const sent: Sent[] = [];
    let streaming = true;
    const clients = Array.from({ length: 4 }, async () => {
      while (streaming) {
        sent.push(await post(slow.code));
        await sleep(5);
      }
    });
    const count = (p: (r: Sent) => boolean, from = 0) => sent.slice(from).filter(p).length;
    await until(
      () => count((r) => r.status === 201) >= 20,
      10_000,
      () => 'the stream did not start',
    );

    const stopAt = sent.length;
    const stoppedAt = Date.now();
    await pg.stop();
    await until(
      () => count((r) => r.status === 503, stopAt) >= 20,
      10_000,
      () =>
        `too few 503s while Postgres is down: ${JSON.stringify(tally(sent.slice(stopAt)))}, API ` +
        `${api.child.exitCode === null ? 'running' : `exited ${api.child.exitCode}`}\n${api.output().slice(-3000)}`,
    );
    const probe = await ready(base);
    // Down until the ladder's answer deadline has passed, so that its steps fall due meanwhile.
    const lastDue = Math.max(
      ...laddered.map((r) => Date.parse((JSON.parse(r.body) as { dueAt: string }).dueAt)),
    );
    await until(
      () => Date.now() > lastDue + 200,
      10_000,
      () => 'the ladder did not fall due',
    );
    expect(probe.status).toBe(503);
    expect(probe.json?.checks).toMatchObject({ database: 'down', redis: 'ok' });
    expect(probe.ms).toBeLessThan(3_000);

    await pg.start();
    const startedAgainAt = Date.now();
    const downMs = startedAgainAt - stoppedAt;
    const startAt = sent.length;
    // Recovery without a restart: successes again, then a few more for good measure.
    await until(
      () => count((r) => r.status === 201, startAt) >= 20,
      15_000,
      () => `the API did not recover: ${JSON.stringify(sent.slice(-3))}\n${api.output().slice(-3000)}`,
    );
    streaming = false;
    await Promise.all(clients);
    agent.destroy();
    await until(
      async () => (await ready(base)).json?.checks.database === 'ok',
      10_000,
      () => 'the API did not report Postgres back',
    );

    // While it was down: 503 problem+json, never a 500, never a dropped connection, never a hang.
    const outage = sent.slice(stopAt, startAt);
    const unexpected = sent.filter((r) => r.status !== 201 && !isProblem503(r));
    expect(unexpected.map((r) => ({ status: r.status, error: r.error, body: r.body.slice(0, 300) }))).toEqual(
      [],
    );
    const refused = sent.filter((r) => r.status === 503);
    expect(refused.every((r) => r.headers['retry-after'] === '5')).toBe(true);
    expect(Math.max(...refused.map((r) => r.ms))).toBeLessThan(3_000);
    expect(api.child.exitCode).toBeNull();

    // Every case that got a 2xx is in the database, exactly once.
    check = createDb({ url: pg.url, poolSize: 2 });
    const acknowledged = sent.filter((r) => r.status === 201);
    const ids = acknowledged.map((r) => (JSON.parse(r.body) as { id: string }).id);
    const stored = await check
      .selectFrom('cases')
      .select(['id', 'external_id'])
      .where('channel', '=', 'smart_haiphong')
      .where(
        'external_id',
        'in',
        acknowledged.map((r) => r.externalId),
      )
      .execute();
    expect(stored.length).toBe(acknowledged.length);
    expect(new Set(stored.map((s) => s.id))).toEqual(new Set(ids));

    // The worker came through too: the ladder that fell due meanwhile fired, each step once.
    const ladderIds = laddered.map((r) => (JSON.parse(r.body) as { id: string }).id);
    await until(
      async () => (await escalationsOf(check as Db, ladderIds)).length >= ladderIds.length * 3,
      20_000,
      () => `escalations missing after the restart\n${worker.output().slice(-3000)}`,
      100,
    );
    await sleep(1_000);
    const rows = await escalationsOf(check, ladderIds);
    for (const id of ladderIds) expect(sortedStepsOf(rows, id)).toEqual(['chairman', 'overdue', 'reminder']);
    expect(worker.child.exitCode).toBeNull();

    const firstBack = sent.slice(startAt).find((r) => r.status === 201);
    const recoveredMs = firstBack ? firstBack.startedAt + firstBack.ms - startedAgainAt : Number.NaN;
    console.info(
      `Postgres down ${downMs} ms, first 201 ${recoveredMs} ms after it was back; ${sent.length} requests: ${acknowledged.length} × 201, ${refused.length} × 503 ` +
        `(503 ${summary(refused.map((r) => r.ms))}); during the outage ${outage.length} requests; ` +
        `/ready answered in ${probe.ms} ms`,
    );
  });
});
