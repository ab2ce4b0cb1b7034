import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app.ts';
import { escalationsOf, notificationCounts, sortedStepsOf } from '../support/escalations.ts';
import { createCategory, createWard } from '../support/fixtures.ts';
import { keepAlive, ready, reportAt, summary } from '../support/http.ts';
import { uid } from '../support/ids.ts';
import { quickPolicy, quickSla, setWardPolicy } from '../support/ladders.ts';
import { sleep, until } from '../support/polling.ts';
import { onPath, type PrivateRedis, startPrivateRedis } from '../support/private-servers.ts';
import {
  closeWithAll,
  isolatedEnv,
  spawnApi,
  spawnWorker,
  stopAllStarted,
  workerEnv,
} from '../support/processes.ts';

// Redis goes away (a private redis-server, stopped and started again empty) under a real API and a
// real worker. Postgres is the run's shared server, on a database of this file's own.

afterAll(stopAllStarted);

// Skipped only where there is no redis-server binary to run a private one (e.g. Redis in a container).
describe.skipIf(!onPath('redis-server'))('Redis outage', () => {
  it('keeps intake answering, reports it in /ready, and fires every escalation that fell due once Redis is back', {
    timeout: 90_000,
  }, async () => {
    const redis: PrivateRedis = await startPrivateRedis();
    const shared = await isolatedEnv(redis.url);
    const worker = spawnWorker(workerEnv(shared));
    const api = spawnApi({ ...shared, DATABASE_POOL_SIZE: '5' });
    const t = closeWithAll(await createTestApp(shared));
    const db = t.container.db;
    const ward = await createWard(t, { staff: 'inserted' });
    await setWardPolicy(db, ward.id, quickPolicy);
    const category = await createCategory(t, { defaultDepartmentCode: 'ktht', sla: quickSla });
    const [base] = await Promise.all([api.ready, worker.ready]);
    const agent = keepAlive();
    const post = (externalId: string) =>
      reportAt(base, ward, { externalId, categoryCode: category.code }, agent);

    // Before the outage: cases whose timers the scheduler hands to Redis (and Redis then loses).
    const before = await Promise.all(Array.from({ length: 4 }, () => post(`redis-before-${uid()}`)));
    expect(before.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    const beforeIds = before.map((r) => (JSON.parse(r.body) as { id: string }).id);
    await until(
      async () => {
        const row = await db
          .selectFrom('case_timers')
          .select(sql<string>`count(*)`.as('n'))
          .where('case_id', 'in', beforeIds)
          .where('enqueued_at', 'is not', null)
          .executeTakeFirstOrThrow();
        return Number(row.n) === beforeIds.length * 3;
      },
      10_000,
      () => `the worker did not hand the first timers to Redis\n${worker.output().slice(-2000)}`,
    );

    await redis.stop();
    const stoppedAt = Date.now();

    // /ready says so, at once, with the API still serving.
    const probe = await ready(base);
    expect(probe.status).toBe(503);
    expect(probe.json?.checks).toMatchObject({ database: 'ok', redis: 'down' });
    expect(probe.ms).toBeLessThan(3_000);

    // Intake answers 201 throughout; the timers wait in Postgres.
    const during = [];
    for (let i = 0; i < 8; i++) during.push(await post(`redis-during-${uid()}`));
    expect(
      during.map((r) => r.status),
      during.map((r) => r.body).join('\n'),
    ).toEqual(Array(8).fill(201));
    const duringIds = during.map((r) => (JSON.parse(r.body) as { id: string }).id);
    const ids = [...beforeIds, ...duringIds];
    const timers = await db
      .selectFrom('case_timers')
      .select(['case_id', 'step', 'status'])
      .where('case_id', 'in', duringIds)
      .execute();
    expect(timers.length).toBe(duringIds.length * 3);
    expect(timers.every((r) => r.status === 'pending')).toBe(true);

    // Every step of every case falls due while Redis is away; nothing can fire meanwhile.
    await until(
      async () => {
        const row = await db
          .selectFrom('case_timers')
          .select(sql<Date>`max(due_at)`.as('last'))
          .where('case_id', 'in', ids)
          .executeTakeFirstOrThrow();
        const now = await sql<{ now: Date }>`SELECT now()`.execute(db);
        return row.last.getTime() < (now.rows[0]?.now.getTime() ?? 0);
      },
      15_000,
      () => 'timers not yet due',
      200,
    );
    expect(await escalationsOf(db, duringIds)).toEqual([]);
    const stillDown = await ready(base);
    expect(stillDown.status).toBe(503);
    expect(stillDown.json?.checks.redis).toBe('down');
    expect(stillDown.json?.checks.worker).toBe('down');
    const outageMs = Date.now() - stoppedAt;

    // Redis comes back, empty. The worker re-arms the horizon from Postgres and catches up.
    await redis.start();
    const restartedAt = Date.now();
    const total = ids.length * 3;
    await until(
      async () => (await escalationsOf(db, ids)).length >= total,
      20_000,
      () => `escalations missing after Redis came back\n${worker.output().slice(-3000)}`,
      100,
    );
    const caughtUpMs = Date.now() - restartedAt;
    await until(
      // Its Redis check; the rest of /ready (migrations, the worker) is not what this test is about.
      async () => (await ready(base)).json?.checks.redis === 'ok',
      10_000,
      () => 'the API did not report Redis back',
      100,
    );
    // Another tick or two: a doubled job would show now.
    await sleep(1_200);

    const rows = await escalationsOf(db, ids);
    for (const id of ids)
      expect(sortedStepsOf(rows, id), `escalations of case ${id}`).toEqual([
        'chairman',
        'overdue',
        'reminder',
      ]);
    expect(rows.length).toBe(total);
    // Each was reported fired by the worker once, and nobody was told twice.
    const firedOnce = new Map<string, number>();
    for (const f of worker.fired) firedOnce.set(f.timerId, (firedOnce.get(f.timerId) ?? 0) + 1);
    expect([...firedOnce.values()].filter((n) => n !== 1)).toEqual([]);
    expect(worker.fired.length).toBe(total);
    const counts = await notificationCounts(db, ids);
    expect(counts.filter((c) => c.n !== '1')).toEqual([]);
    // reminder → head; overdue → intake + head; chairman → chairman.
    expect(counts.length).toBe(ids.length * 4);
    const pending = await db
      .selectFrom('case_timers')
      .select('id')
      .where('case_id', 'in', ids)
      .where('status', '=', 'pending')
      .execute();
    expect(pending).toEqual([]);
    // The worker lived through it: the same process fired them all.
    expect(worker.child.exitCode).toBeNull();
    expect(api.child.exitCode).toBeNull();
    expect((await post(`redis-after-${uid()}`)).status).toBe(201);
    agent.destroy();

    console.info(
      `Redis down ${outageMs} ms; intake during the outage ${summary(during.map((r) => r.ms))}; ` +
        `/ready answered in ${probe.ms} ms; ${total} escalations fired ${caughtUpMs} ms after Redis came back`,
    );
  });
});
