import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { reportCase } from '../support/cases.ts';
import { escalationsOf, expectOnTime, notificationCounts, sortedStepsOf } from '../support/escalations.ts';
import { createCategory, createWard, type LeanWard } from '../support/fixtures.ts';
import { uid } from '../support/ids.ts';
import { secondsSla, setWardPolicy } from '../support/ladders.ts';
import { sleep, until } from '../support/polling.ts';
import {
  closeWithAll,
  firedAtLeast,
  isolatedEnv,
  killAllWorkers,
  spawnWorker,
  stopAllStarted,
  type WorkerProcess,
  workerEnv,
} from '../support/processes.ts';

// Fault tests (design.md §7): kill workers, flush Redis, run replicas side by side; every escalation
// must still fire exactly once. The flush test owns Redis database 7, so it flushes nobody else's keys.

const FLUSHABLE_DB = 7;
afterEach(() => killAllWorkers());
afterAll(stopAllStarted);

/** A database of its own and a Redis prefix of its own; `workers` start before the app is set up. */
async function setup(redisUrl: string, workers: number) {
  const shared = await isolatedEnv(redisUrl);
  const env = workerEnv(shared);
  const started = Array.from({ length: workers }, () => spawnWorker(env));
  const t = closeWithAll(await createTestApp(shared));
  const ward = await createWard(t, { staff: 'inserted' });
  await setWardPolicy(t.container.db, ward.id);
  const category = await createCategory(t, { defaultDepartmentCode: 'ktht', sla: secondsSla });
  await Promise.all(started.map((w) => w.ready));
  return { t, ward, category, env, workers: started };
}

/** A webhook subscribed to escalations only, so no other test's events reach it. */
async function subscribe(db: Db): Promise<string> {
  const row = await db
    .insertInto('webhooks')
    .values({
      url: `http://127.0.0.1:9/escalations-${uid().toLowerCase()}`,
      events: ['case.escalated'],
      secret: 'fault-test-secret-0123456789',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** What the ladder must produce for these cases: three steps per dispatched case, one per waiting one. */
async function expectExactlyOnce(db: Db, assigned: string[], received: string[], webhookId: string) {
  const rows = await escalationsOf(db, [...assigned, ...received]);
  // Steps that fell due during an outage fire together on recovery, in no particular order.
  for (const id of assigned) expect(sortedStepsOf(rows, id)).toEqual(['chairman', 'overdue', 'reminder']);
  for (const id of received)
    expect(rows.filter((e) => e.case_id === id).map((e) => e.step)).toEqual(['accept_overdue']);

  const counts = await notificationCounts(db, [...assigned, ...received]);
  expect(counts.filter((c) => c.n !== '1')).toEqual([]);
  // reminder → head; overdue → intake + head; chairman → chairman; accept_overdue → intake.
  expect(counts.length).toBe(assigned.length * 4 + received.length);

  const pending = await db
    .selectFrom('case_timers')
    .select(['case_id', 'step'])
    .where('case_id', 'in', [...assigned, ...received])
    .where('status', '=', 'pending')
    .execute();
  expect(pending).toEqual([]);

  const deliveries = await db
    .selectFrom('webhook_deliveries')
    .select(['event_key'])
    .where('webhook_id', '=', webhookId)
    .execute();
  expect(deliveries.length).toBe(rows.length);
  expect(new Set(deliveries.map((d) => d.event_key)).size).toBe(rows.length);
  await db.updateTable('webhooks').set({ active: false }).where('id', '=', webhookId).execute();
  return rows;
}

const createCases = async (
  t: TestApp,
  ward: LeanWard,
  categoryCode: string,
  assigned: number,
  received: number,
) => {
  const made = await Promise.all([
    ...Array.from({ length: assigned }, () => reportCase(t, ward, categoryCode)),
    ...Array.from({ length: received }, () => reportCase(t, ward)),
  ]);
  return {
    assigned: made.filter((c) => c.status === 'assigned').map((c) => c.id),
    received: made.filter((c) => c.status === 'received').map((c) => c.id),
  };
};

describe('escalations survive faults', () => {
  it('fires every escalation once after a worker is SIGKILLed mid-run and Redis is flushed while it is down', async () => {
    const url = new URL(inject('redisUrl'));
    url.pathname = `/${FLUSHABLE_DB}`;
    const { t, ward, category, env, workers } = await setup(url.toString(), 1);
    const db = t.container.db;
    const webhookId = await subscribe(db);
    const [first] = workers as [WorkerProcess];
    const { assigned, received } = await createCases(t, ward, category.code, 16, 4);

    // Kill it in the middle of the first burst (20 timers fall due at once, 2 s after intake).
    await firedAtLeast(first, 3, 8_000);
    await first.kill();
    const before = (await escalationsOf(db, [...assigned, ...received])).length;
    expect(before).toBeGreaterThanOrEqual(3);
    // Redis forgets everything: delayed jobs, the active ones, the tick's job scheduler.
    const flusher = new Redis(url.toString());
    await flusher.flushdb();
    const afterFlush = await flusher.dbsize();
    flusher.disconnect();
    expect(afterFlush).toBe(0);
    // Restarted at once; the overdue steps (3 s) fall due while it boots.
    const second = spawnWorker(env);
    await second.ready;
    const restartedAt = Date.now();
    const total = assigned.length * 3 + received.length;
    await until(
      async () => (await escalationsOf(db, [...assigned, ...received])).length >= total,
      12_000,
      () => `not all fired\n${second.output().slice(-2000)}`,
      100,
    );
    const caughtUpMs = Date.now() - restartedAt;
    await sleep(800);
    await expectExactlyOnce(db, assigned, received, webhookId);
    console.info(
      `killed after ${before}/${total} escalations; the restarted worker caught up in ${caughtUpMs} ms ` +
        `(${second.fired.length} fired after restart)`,
    );
    expect(before + second.fired.length).toBe(total);
  });

  it('fires every escalation once with two workers and two API processes on one database and Redis', async () => {
    const { t, ward, category, workers } = await setup(inject('redisUrl'), 2);
    const t2 = closeWithAll(
      await createTestApp({
        DATABASE_URL: t.config.DATABASE_URL,
        REDIS_PREFIX: t.config.REDIS_PREFIX,
      }),
    );
    const db = t.container.db;
    const webhookId = await subscribe(db);

    const [one, two] = await Promise.all([
      createCases(t, ward, category.code, 8, 2),
      createCases(t2, ward, category.code, 8, 2),
    ]);
    const assigned = [...one.assigned, ...two.assigned];
    const received = [...one.received, ...two.received];
    const total = assigned.length * 3 + received.length;
    await until(
      async () => (await escalationsOf(db, [...assigned, ...received])).length >= total,
      12_000,
      () => `not all fired\n${workers.map((w) => w.output().slice(-1500)).join('\n---\n')}`,
      100,
    );
    await sleep(800);
    const rows = await expectExactlyOnce(db, assigned, received, webhookId);
    expectOnTime(rows, 1_000);
    // Each escalation was reported fired by exactly one worker.
    const firedBy = workers.map((w) => w.fired.length);
    expect(firedBy.reduce((a, b) => a + b, 0)).toBe(total);
    const lags = rows.map((e) => e.fired_at.getTime() - e.due_at.getTime()).sort((a, b) => a - b);
    console.info(
      `two workers fired ${firedBy.join(' + ')} = ${total}; lag p50 ${lags[Math.floor(lags.length / 2)]} ms, max ${lags.at(-1)} ms`,
    );
    for (const w of workers) expect((await w.stop()).code).toBe(0);
  });
});
