import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHeartbeat } from '../../src/modules/ops/worker-heartbeat.ts';
import { warningWeek } from '../../src/modules/sla/calendar-years.ts';
import { createEscalationJob } from '../../src/modules/sla/escalation-job.ts';
import { createTimerScheduler, escalationJobOptions } from '../../src/modules/sla/scheduler.ts';
import { escalationJobId } from '../../src/shared/queues.ts';
import { vietnamDayOf } from '../../src/shared/vietnam-day.ts';
import { bearer, call, createTestApp, metricsAuth, type TestApp } from '../support/app.ts';
import { reportCase } from '../support/cases.ts';
import { createIsolatedDatabase } from '../support/database.ts';
import {
  createCategory,
  createStaff,
  createWard,
  type Ward,
  type WardUsers,
  wardUsers,
} from '../support/fixtures.ts';
import { uid } from '../support/ids.ts';
import { sleep } from '../support/polling.ts';
import { expectProblem } from '../support/problems.ts';

// The engine's parts in-process (no worker process): the scheduler's horizon and sweep, the job's
// decisions, the inbox and escalation routes, the queue dashboard's guard, /ready and /metrics.

const silent = pino({ level: 'silent' });
let database: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let t: TestApp;
let ward: Ward;
let users: WardUsers;
let category: { code: string };
let job: ReturnType<typeof createEscalationJob>;
let scheduler: ReturnType<typeof createTimerScheduler>;
let webhookId: string;

beforeAll(async () => {
  database = await createIsolatedDatabase();
  t = await createTestApp({ DATABASE_URL: database.url, RATE_LIMIT_LOGIN_PER_MINUTE: '100' });
  ward = await createWard(t);
  users = await wardUsers(t.container.db, ward);
  // The default ladder on the working clock: every timer lies days ahead until a test moves it.
  category = await createCategory(t, { defaultDepartmentCode: 'ktht' });
  const { db, queues, redis } = t.container;
  job = createEscalationJob({ db, queues, log: silent });
  scheduler = createTimerScheduler({
    db,
    queues,
    redis,
    prefix: t.config.REDIS_PREFIX,
    log: silent,
    tickMs: 1_000,
    horizonMs: 60_000,
    batchSize: 2,
  });
  await scheduler.checkRedis();
  webhookId = (
    await db
      .insertInto('webhooks')
      .values({
        url: 'http://127.0.0.1:9/hook',
        events: ['case.escalated'],
        secret: 'escalation-api-secret-0123',
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
});
afterAll(async () => {
  await t?.close();
  await database?.drop();
});

const timersOf = (caseId: string) =>
  t.container.db
    .selectFrom('case_timers')
    .select(['id', 'step', 'status', 'generation', 'due_at', 'enqueued_at'])
    .where('case_id', '=', caseId)
    .orderBy('due_at')
    .execute();

async function timer(caseId: string, step: string) {
  const found = (await timersOf(caseId)).find((x) => x.step === step && x.status === 'pending');
  if (!found) throw new Error(`no pending ${step} timer for case ${caseId}`);
  return found;
}

/** Moves a timer to `ms` from now (negative: already due). */
const dueIn = (timerId: string, ms: number) =>
  t.container.db
    .updateTable('case_timers')
    .set({ due_at: sql`now() + make_interval(secs => ${ms / 1000})` })
    .where('id', '=', timerId)
    .execute();

const jobOf = (timerId: string) => t.container.queues.escalations.getJob(escalationJobId(timerId));

describe('scheduler', () => {
  it('hands the queue only the timers due within the horizon, once, as delayed jobs', async () => {
    const c = await reportCase(t, ward, category.code);
    const overdue = await timer(c.id, 'overdue');
    await dueIn(overdue.id, 30_000);

    const first = await scheduler.tick();
    expect(first.enqueued).toBe(1);
    const queued = await jobOf(overdue.id);
    expect(await queued?.getState()).toBe('delayed');
    expect(queued?.data).toEqual({ timerId: overdue.id });
    expect(Math.abs((queued?.opts.delay ?? 0) - 30_000)).toBeLessThan(1_500);
    // Days away: in Postgres only.
    for (const step of ['reminder', 'chairman']) {
      const far = await timer(c.id, step);
      expect(await jobOf(far.id)).toBeUndefined();
      expect(far.enqueued_at).toBeNull();
    }
    expect((await timer(c.id, 'overdue')).enqueued_at).not.toBeNull();

    const second = await scheduler.tick();
    expect(second.enqueued).toBe(0);
    expect(await t.container.queues.escalations.getJobCountByTypes('delayed', 'waiting')).toBe(1);
    await queued?.remove();
  });

  it('moves a backlog in batches and two concurrent ticks never hand a timer over twice', async () => {
    const cases = await Promise.all(Array.from({ length: 5 }, () => reportCase(t, ward, category.code)));
    const ids = await Promise.all(cases.map(async (c) => (await timer(c.id, 'chairman')).id));
    for (const id of ids) await dueIn(id, 20_000);
    const [a, b] = await Promise.all([scheduler.tick(), scheduler.tick()]);
    expect(a.enqueued + b.enqueued).toBe(5);
    for (const id of ids) expect(await (await jobOf(id))?.getState()).toBe('delayed');
    await t.container.queues.escalations.drain(true);
  });

  it('re-adds a due timer whose job Redis lost, and nothing once it fired', async () => {
    const c = await reportCase(t, ward, category.code);
    const overdue = await timer(c.id, 'overdue');
    await dueIn(overdue.id, 5_000);
    await scheduler.tick();
    await (await jobOf(overdue.id))?.remove();
    await dueIn(overdue.id, -1_000);

    const swept = await scheduler.tick();
    expect(swept.resent).toBeGreaterThanOrEqual(1);
    expect(await (await jobOf(overdue.id))?.getState()).toBe('waiting');

    expect((await job.run(overdue.id)).kind).toBe('fired');
    await (await jobOf(overdue.id))?.remove();
    await scheduler.tick();
    expect(await jobOf(overdue.id)).toBeUndefined();
    // Jobs leave Redis once done, so a later re-add of the same id is never swallowed.
    expect(escalationJobOptions('1', 0)).toMatchObject({ removeOnComplete: true, removeOnFail: true });
  });

  it('re-arms the whole horizon when Redis lost its data', async () => {
    const c = await reportCase(t, ward, category.code);
    const overdue = await timer(c.id, 'overdue');
    await dueIn(overdue.id, 40_000);
    await scheduler.tick();
    expect(await jobOf(overdue.id)).toBeDefined();
    expect(await scheduler.checkRedis()).toBe(false);

    // What a FLUSHDB does to this prefix.
    await t.container.queues.escalations.obliterate({ force: true });
    await t.container.queues.sweeps.obliterate({ force: true });
    await t.container.redis.del(`${t.config.REDIS_PREFIX}:escalations:armed`);
    expect(await jobOf(overdue.id)).toBeUndefined();

    expect(await scheduler.checkRedis()).toBe(true);
    expect(await (await jobOf(overdue.id))?.getState()).toBe('delayed');
    expect(await t.container.queues.sweeps.getJobScheduler('escalation-sweep')).toMatchObject({
      every: 1_000,
    });
    expect(await scheduler.checkRedis()).toBe(false);

    // The tick's scheduler removed by hand (e.g. from the dashboard) comes back at the next check.
    await t.container.queues.sweeps.removeJobScheduler('escalation-sweep');
    expect(await scheduler.checkRedis()).toBe(false);
    expect(await t.container.queues.sweeps.getJobScheduler('escalation-sweep')).toBeDefined();
    await t.container.queues.escalations.drain(true);
  });
});

describe('escalation job', () => {
  it('fires once, tells the step’s roles, and does nothing the second time', async () => {
    const c = await reportCase(t, ward, category.code);
    const overdue = await timer(c.id, 'overdue');
    await dueIn(overdue.id, -500);
    const outcome = await job.run(overdue.id);
    expect(outcome).toMatchObject({ kind: 'fired', step: 'overdue', notified: 2, caseId: c.id });
    expect(await job.run(overdue.id)).toEqual({ kind: 'skipped', reason: 'not_pending' });
    const notified = await t.container.db
      .selectFrom('notifications')
      .select(['user_id', 'type', 'step', 'title'])
      .where('case_id', '=', c.id)
      .orderBy('user_id')
      .execute();
    expect(notified.map((n) => n.user_id).sort()).toEqual([users.intake, users.infraHead].sort());
    expect(notified[0]).toMatchObject({
      type: 'escalation',
      step: 'overdue',
      title: `Phản ánh ${c.code} quá hạn trả lời`,
    });
    expect((await timersOf(c.id)).find((x) => x.id === overdue.id)?.status).toBe('fired');

    // One case.escalated delivery per subscribed webhook, handed to the deliveries queue after commit.
    if (outcome.kind !== 'fired') throw new Error('not fired');
    const delivery = await t.container.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'event', 'payload'])
      .where('webhook_id', '=', webhookId)
      .where('event_key', '=', `escalation:${outcome.escalationId}`)
      .executeTakeFirstOrThrow();
    expect(delivery.payload).toMatchObject({
      event: 'case.escalated',
      escalationId: outcome.escalationId,
      caseId: c.id,
      caseCode: c.code,
      wardCode: ward.code,
      step: 'overdue',
      generation: 1,
      notify: ['intake', 'department_head'],
    });
    expect(JSON.stringify(delivery.payload)).not.toContain('0912000111');
    expect(await t.container.queues.deliveries.getJob(`d-${delivery.id}`)).toBeDefined();
  });

  it('waits when delivered early, and cancels a timer whose condition no longer holds', async () => {
    const c = await reportCase(t, ward, category.code);
    const reminder = await timer(c.id, 'reminder');
    await dueIn(reminder.id, 5_000);
    const early = await job.run(reminder.id);
    expect(early.kind).toBe('early');
    if (early.kind === 'early') expect(early.inMs).toBeGreaterThan(3_000);
    expect((await timer(c.id, 'reminder')).status).toBe('pending');

    // A stale generation: the deadline moved in a transaction that did not (yet) cancel this timer.
    await t.container.db
      .updateTable('cases')
      .set({ sla_generation: sql`sla_generation + 1`, version: sql`version + 1` })
      .where('id', '=', c.id)
      .execute();
    await dueIn(reminder.id, -100);
    expect(await job.run(reminder.id)).toEqual({ kind: 'skipped', reason: 'stale_generation' });
    expect((await timersOf(c.id)).find((x) => x.id === reminder.id)?.status).toBe('cancelled');

    // An acceptance warning for a case already dispatched.
    const waiting = await reportCase(t, ward);
    const accept = await timer(waiting.id, 'accept_overdue');
    await t.container.db
      .updateTable('cases')
      .set({ status: 'assigned', department_id: ward.departments.infra.id, version: sql`version + 1` })
      .where('id', '=', waiting.id)
      .execute();
    await dueIn(accept.id, -100);
    expect(await job.run(accept.id)).toEqual({ kind: 'skipped', reason: 'not_awaiting_dispatch' });
    const escalations = await t.container.db
      .selectFrom('escalations')
      .select('id')
      .where('case_id', 'in', [c.id, waiting.id])
      .execute();
    expect(escalations).toEqual([]);
  });

  it('reports a timer that does not exist', async () => {
    expect(await job.run('999999999')).toEqual({ kind: 'skipped', reason: 'missing' });
  });
});

describe('notifications and escalations over HTTP', () => {
  let caseId: string;
  let caseCode: string;

  beforeAll(async () => {
    const c = await reportCase(t, ward, category.code);
    caseId = c.id;
    caseCode = c.code;
    for (const step of ['reminder', 'overdue']) {
      const x = await timer(c.id, step);
      await dueIn(x.id, step === 'reminder' ? -2_000 : -1_000);
      expect((await job.run(x.id)).kind).toBe('fired');
    }
  });

  it("lists the caller's inbox newest first, pages it, filters unread and marks read", async () => {
    const page1 = (
      await call(
        t.app,
        { method: 'GET', url: '/api/v1/notifications?limit=1', headers: bearer(ward.tokens.infraHead) },
        200,
      )
    ).json();
    expect(page1.items).toHaveLength(1);
    expect(page1.items[0]).toEqual({
      id: expect.any(String),
      type: 'escalation',
      caseId,
      caseCode,
      step: 'overdue',
      createdAt: expect.any(String),
      readAt: null,
      title: `Phản ánh ${caseCode} quá hạn trả lời`,
      body: expect.stringContaining('Phòng Kinh tế – Hạ tầng – Đô thị chưa trả lời, hạn '),
    });
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = (
      await call(
        t.app,
        {
          method: 'GET',
          url: `/api/v1/notifications?limit=1&cursor=${page1.nextCursor}`,
          headers: bearer(ward.tokens.infraHead),
        },
        200,
      )
    ).json();
    expect(page2.items.map((n: { step: string }) => n.step)).toEqual(['reminder']);

    const id = page1.items[0].id;
    const read = (
      await call(
        t.app,
        { method: 'POST', url: `/api/v1/notifications/${id}/read`, headers: bearer(ward.tokens.infraHead) },
        200,
      )
    ).json();
    expect(read).toMatchObject({ id, caseCode, readAt: expect.any(String) });
    const again = (
      await call(
        t.app,
        { method: 'POST', url: `/api/v1/notifications/${id}/read`, headers: bearer(ward.tokens.infraHead) },
        200,
      )
    ).json();
    expect(again.readAt).toBe(read.readAt);

    const unread = (
      await call(
        t.app,
        { method: 'GET', url: '/api/v1/notifications?unread=true', headers: bearer(ward.tokens.infraHead) },
        200,
      )
    ).json();
    expect(
      unread.items.every((n: { id: string; readAt: string | null }) => n.id !== id && n.readAt === null),
    ).toBe(true);

    // Someone else's notification, or none at all: 404. A malformed id: 400.
    expectProblem(
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/notifications/${id}/read`,
        headers: bearer(ward.tokens.intake),
      }),
      404,
    );
    expectProblem(
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/notifications/999999999/read',
        headers: bearer(ward.tokens.infraHead),
      }),
      404,
    );
    expectProblem(
      await t.app.inject({
        method: 'GET',
        url: '/api/v1/notifications?unread=maybe',
        headers: bearer(ward.tokens.intake),
      }),
      400,
      'unread',
    );
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/v1/notifications' }), 401);
  });

  it("lists a case's escalations to those who may see the case, and 404 to others", async () => {
    for (const token of [ward.tokens.intake, ward.tokens.infraOfficer, t.adminToken]) {
      const res = (
        await call(
          t.app,
          { method: 'GET', url: `/api/v1/cases/${caseId}/escalations`, headers: bearer(token) },
          200,
        )
      ).json();
      expect(res.items.map((e: { step: string; generation: number }) => [e.step, e.generation])).toEqual([
        ['reminder', 1],
        ['overdue', 1],
      ]);
    }
    expectProblem(
      await t.app.inject({
        method: 'GET',
        url: `/api/v1/cases/${caseId}/escalations`,
        headers: bearer(ward.tokens.cultureHead),
      }),
      404,
    );
    const otherWard = (
      await call(
        t.app,
        {
          method: 'POST',
          url: '/api/v1/wards',
          headers: bearer(t.adminToken),
          payload: { code: `O${uid()}`.slice(0, 20), name: 'Phường khác' },
        },
        201,
      )
    ).json();
    const otherChairman = await createStaff(t, 'chairman', { wardId: otherWard.id });
    expectProblem(
      await t.app.inject({
        method: 'GET',
        url: `/api/v1/cases/${caseId}/escalations`,
        headers: bearer(otherChairman.token),
      }),
      404,
    );
  });
});

describe('operations', () => {
  const basic = (user: string, password: string) => ({
    authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
  });
  /** The admin this file's app created (password `admin-password`). */
  const newestAdmin = async () =>
    (
      await t.container.db
        .selectFrom('users')
        .select('username')
        .where('role', '=', 'admin')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow()
    ).username;

  it('guards the queue dashboard with an admin password', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/admin/queues' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm="pakn queues"/);
    const adminName = await newestAdmin();
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: '/admin/queues',
          headers: basic(adminName, 'wrong-password'),
        })
      ).statusCode,
    ).toBe(401);
    // A staff user with a valid password is not an admin.
    const intakeName = (
      await t.container.db
        .selectFrom('users')
        .select('username')
        .where('id', '=', users.intake)
        .executeTakeFirstOrThrow()
    ).username;
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: '/admin/queues',
          headers: basic(intakeName, 'password-123'),
        })
      ).statusCode,
    ).toBe(401);

    const page = await t.app.inject({
      method: 'GET',
      url: '/admin/queues',
      headers: basic(adminName, 'admin-password'),
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const api = await t.app.inject({
      method: 'GET',
      url: '/admin/queues/api/queues',
      headers: basic(adminName, 'admin-password'),
    });
    expect(api.statusCode).toBe(200);
    expect(
      api
        .json()
        .queues.map((q: { name: string }) => q.name)
        .sort(),
    ).toEqual([
      'calendar',
      'campaigns',
      'deliveries',
      'digests',
      'emails',
      'escalations',
      'messages',
      'sweeps',
    ]);
  });

  it('signs in to the dashboard as the API does: the username in any case', async () => {
    const adminName = await newestAdmin();
    const shouted = adminName.toUpperCase();
    expect(shouted).not.toBe(adminName);
    const token = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: { username: shouted, password: 'admin-password' },
    });
    expect(token.statusCode).toBe(200);
    const board = await t.app.inject({
      method: 'GET',
      url: '/admin/queues',
      headers: basic(shouted, 'admin-password'),
    });
    expect(board.statusCode).toBe(200);
  });

  it('rate-limits password checks on the dashboard', async () => {
    const strict = await createTestApp({ DATABASE_URL: database.url, RATE_LIMIT_LOGIN_PER_MINUTE: '3' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++)
        statuses.push(
          (
            await strict.app.inject({
              method: 'GET',
              url: '/admin/queues',
              headers: basic('nobody', `guess-${i}`),
            })
          ).statusCode,
        );
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await strict.close();
    }
  });

  it('reports the worker heartbeat in /ready without failing readiness', async () => {
    const ready = async () => {
      const res = await t.app.inject({ method: 'GET', url: '/ready' });
      expect(res.statusCode).toBe(200);
      return res.json();
    };
    const { warnings, ...readiness } = await ready();
    expect(readiness).toEqual({
      status: 'ok',
      checks: { database: 'ok', redis: 'ok', migrations: 'ok', worker: 'down' },
    });
    // Informational too: from 1 November, this database's wards still have next year provisional.
    expect(warnings?.map((w: { code: string }) => w.code)).toEqual(
      warningWeek(vietnamDayOf(new Date())) ? ['calendar_provisional'] : undefined,
    );
    const beat = startHeartbeat({
      redis: t.container.redis,
      prefix: t.config.REDIS_PREFIX,
      workerId: 'test-worker',
      intervalMs: 1_000,
      info: { pid: process.pid },
    });
    await sleep(50);
    expect((await ready()).checks.worker).toBe('ok');
    await beat.stop();
    expect((await ready()).checks.worker).toBe('down');
  });

  it('exposes escalation lag in /metrics', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: metricsAuth });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/^pakn_escalation_oldest_due_seconds \d/m);
    expect(res.body).toMatch(/^pakn_escalation_fire_lag_seconds\{stat="p50"\} \d/m);
    expect(res.body).toMatch(/^pakn_escalation_fire_lag_seconds\{stat="max"\} \d/m);
    expect(res.body).toMatch(/^pakn_queue_jobs\{queue="escalations",state="delayed"\} \d/m);
  });
});
