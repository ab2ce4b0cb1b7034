import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app.ts';
import { reportCase } from '../support/cases.ts';
import { escalationsOf, sortedStepsOf } from '../support/escalations.ts';
import { createCategory, createWard } from '../support/fixtures.ts';
import { type HttpResult, isProblem503, keepAlive, reportAt, request, summary } from '../support/http.ts';
import { uid } from '../support/ids.ts';
import { quickPolicy, quickSla, setWardPolicy } from '../support/ladders.ts';
import { sleep, until } from '../support/polling.ts';
import {
  closeWithAll,
  isolatedEnv,
  quickWebhooks,
  spawnApi,
  spawnWorker,
  stopAllStarted,
  workerEnv,
} from '../support/processes.ts';
import { receiver } from '../support/receiver.ts';

// Graceful shutdown (SIGTERM) of a real API under load and of a real worker in the middle of a burst
// of escalations and webhook deliveries. A database of this file's own on the shared Postgres, a
// prefix of its own on the shared Redis.

let locker: pg.Client | undefined;
afterAll(async () => {
  await locker?.end().catch(() => {});
  await stopAllStarted();
});

type Sent = HttpResult & { externalId: string };

describe('graceful shutdown under load', () => {
  it('completes in-flight requests, loses no case and no job, and picks pending work up after a restart', {
    timeout: 90_000,
  }, async () => {
    const shared = await isolatedEnv();
    const t = closeWithAll(await createTestApp(shared));
    const env = workerEnv(shared, quickWebhooks);
    const firstWorker = spawnWorker(env);
    const apiEnv = { ...env, DATABASE_POOL_SIZE: '10', SHUTDOWN_TIMEOUT_MS: '10000' };
    const api = spawnApi(apiEnv);
    const db = t.container.db;
    const ward = await createWard(t, { staff: 'inserted' });
    await setWardPolicy(db, ward.id, quickPolicy);
    const slow = await createCategory(t, { defaultDepartmentCode: 'ktht' });
    const fast = await createCategory(t, { defaultDepartmentCode: 'ktht', sla: quickSla });
    // Holds each delivery's first try 800 ms, then answers 500; answers every later try 200 at once.
    const rx = closeWithAll(receiver((r) => (r.attempt > 1 ? 200 : { status: 500, holdMs: 800 })));
    const webhook = await db
      .insertInto('webhooks')
      .values({
        url: `${await rx.listen()}/escalations/${uid()}`,
        events: ['case.escalated'],
        secret: 'outage-test-secret-0123456789',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const [base] = await Promise.all([api.ready, firstWorker.ready]);

    // --- The API: SIGTERM while requests are in flight and more keep coming -----------------------
    const agent = keepAlive();
    const sent: Sent[] = [];
    const reads: HttpResult[] = [];
    let inFlight = 0;
    let terminated = false;
    const post = async (categoryCode: string): Promise<Sent> => {
      const externalId = `term-${uid()}`;
      inFlight++;
      const r = await reportAt(base, ward, { externalId, categoryCode }, agent);
      inFlight--;
      return { ...r, externalId };
    };
    // Writers post until their request after the SIGTERM is answered; readers read until refused.
    const writers = Array.from({ length: 6 }, async () => {
      while (!terminated) sent.push(await post(slow.code));
    });
    await until(
      () => sent.some((r) => r.status === 201),
      10_000,
      () => 'no case created',
    );
    const someCase = (JSON.parse(sent.find((r) => r.status === 201)?.body ?? '{}') as { id: string }).id;
    const readers = Array.from({ length: 2 }, async () => {
      for (;;) {
        const r = await request(base, {
          method: 'GET',
          path: `/api/v1/cases/${someCase}`,
          headers: { 'x-api-key': ward.apiKey },
          agent,
        });
        reads.push(r);
        // A reset is the keep-alive race with the closing server; the next try opens a new connection.
        if (r.error === 'ECONNREFUSED' || reads.length > 10_000) return;
        await sleep(5);
      }
    });
    await until(
      () => sent.filter((r) => r.status === 201).length >= 12,
      10_000,
      () => 'no load',
    );

    // Hold every insert into cases: each writer's next request is then certainly in flight.
    locker = new pg.Client({ connectionString: shared.DATABASE_URL });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE cases IN SHARE MODE');
    // Each writer's request waits in Postgres for the lock: none is answered until it is released.
    const waiting = async () => {
      const row = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'cases'::regclass AND NOT granted`.execute(
        db,
      );
      return row.rows[0]?.n ?? 0;
    };
    await until(
      async () => (await waiting()) >= 6,
      5_000,
      () => `only ${inFlight} requests in flight`,
    );
    const heldFrom = sent.length;

    api.child.kill('SIGTERM');
    terminated = true;
    const termAt = Date.now();
    // The API stops listening (new connections are refused) while the held requests are still open.
    await until(
      async () => (await request(base, { method: 'GET', path: '/health' })).error === 'ECONNREFUSED',
      5_000,
      () => `the API still accepts connections after SIGTERM\n${api.output().slice(-2000)}`,
    );
    // The line is written before the server closes, but reaches this process through a pipe: wait
    // for it to arrive rather than race it.
    await until(
      () => api.output().includes('"msg":"shutting down"'),
      2_000,
      () => `no shutdown line from the API\n${api.output().slice(-2000)}`,
    );
    expect(api.output()).toContain('"msg":"shutting down"');
    await locker.query('COMMIT');
    const releasedAt = Date.now();
    await Promise.all([...writers, ...readers]);
    const exit = await api.exited;
    const exitedMs = Date.now() - releasedAt;
    agent.destroy();

    // It exited by itself, cleanly, soon after its last request: not killed by the grace timeout.
    expect(exit, api.output().slice(-2000)).toEqual({ code: 0, signal: null });
    expect(exitedMs).toBeLessThan(5_000);
    // The requests in flight at SIGTERM were answered, each with 201.
    const held = sent.slice(heldFrom);
    expect(held.length).toBe(6);
    expect(
      held.map((r) => r.status),
      JSON.stringify(held.map((r) => r.error ?? r.body.slice(0, 200))),
    ).toEqual(Array(held.length).fill(201));
    // …telling the client not to send more on that connection, which lets the API close it.
    expect(held.map((r) => r.headers.connection)).toEqual(Array(held.length).fill('close'));
    // Whatever was acknowledged is stored; whatever is stored was acknowledged; nothing else failed.
    const acknowledged = sent.filter((r) => r.status === 201);
    const stored = await db
      .selectFrom('cases')
      .select('external_id')
      .where('ward_id', '=', ward.id)
      .execute();
    expect(new Set(stored.map((s) => s.external_id))).toEqual(new Set(acknowledged.map((r) => r.externalId)));
    // Anything else came after the SIGTERM and was refused, never cut off once accepted: the
    // connection refused, a 503 problem+json saying `Connection: close` on a connection kept alive, or
    // a connection reset before the API read the request (the race every keep-alive client has with a
    // closing server: the API never logged it).
    const refusedOrUnread = (r: HttpResult) =>
      r.error === 'ECONNREFUSED' ||
      (isProblem503(r) && r.headers.connection === 'close') ||
      (r.status === null && r.error !== 'TIMEOUT' && !api.logged.has(r.requestId));
    const bad = [...sent.filter((r) => r.status !== 201), ...reads.filter((r) => r.status !== 200)].filter(
      (r) => !refusedOrUnread(r),
    );
    expect(
      bad.map((r) => ({
        status: r.status,
        error: r.error,
        logged: api.logged.has(r.requestId),
        afterTermMs: r.startedAt - termAt,
        body: r.body.slice(0, 200),
      })),
    ).toEqual([]);
    const lateReads = reads.filter((r) => r.startedAt >= termAt);
    console.info(
      `API SIGTERM: ${sent.length} posts (${held.length} held across the SIGTERM, answered ` +
        `${summary(held.map((r) => r.ms))}); ${lateReads.length} reads after it: ` +
        `${lateReads.filter((r) => r.status === 200).length} × 200, ${lateReads.filter(isProblem503).length} × 503 problem, ` +
        `${lateReads.filter((r) => r.status === 503 && !isProblem503(r)).length} × 503 other, ` +
        `${lateReads.filter((r) => r.error === 'ECONNREFUSED').length} refused, ` +
        `${lateReads.filter((r) => r.status === null && r.error !== 'ECONNREFUSED').length} reset unread; exited ${exitedMs} ms after the last held request was released`,
    );

    // --- The worker: SIGTERM in the middle of escalations and deliveries ---------------------------
    // Cases through the test's own app (the API process has gone), each with a ladder of three steps.
    const laddered = [];
    for (let i = 0; i < 12; i++) laddered.push(await reportCase(t, ward, fast.code));
    const ids = laddered.map((c) => c.id);
    const total = ids.length * 3;

    await until(
      () => firstWorker.fired.length >= 3 && rx.inFlight().length >= 1,
      15_000,
      () => `no burst to interrupt\n${firstWorker.output().slice(-2000)}`,
      5,
    );
    const inFlightAtTerm = rx.inFlight();
    const workerExit = await firstWorker.stop();
    expect(workerExit, firstWorker.output().slice(-2000)).toEqual({ code: 0, signal: null });
    // It finished what it had started: the deliveries in flight were answered, not cut off.
    expect(inFlightAtTerm.every((h) => h.answered === 500)).toBe(true);
    // What it did is in Postgres: each escalation it reported, and each try with its outcome.
    const firedBefore = await escalationsOf(db, ids);
    expect(firedBefore.length).toBe(firstWorker.fired.length);
    expect(firedBefore.length).toBeLessThan(total);
    const deliveriesOf = () =>
      db
        .selectFrom('webhook_deliveries')
        .select(['id', 'status', 'attempts', 'last_status_code'])
        .where('webhook_id', '=', webhook.id)
        .execute();
    const afterTerm = await deliveriesOf();
    for (const d of afterTerm) {
      const hits = rx.received.filter((h) => h.id === d.id);
      expect(d.attempts, `tries of ${d.id}`).toBe(hits.length);
      expect(d.last_status_code ?? null, `last answer to ${d.id}`).toBe(hits.at(-1)?.answered ?? null);
    }

    // A new worker picks up the rest: the steps due meanwhile, the deliveries still to retry.
    const secondWorker = spawnWorker(env);
    let state = '';
    await until(
      async () => {
        const fired = (await escalationsOf(db, ids)).length;
        const deliveries = await deliveriesOf();
        state = `${fired}/${total} fired; ${JSON.stringify(deliveries.filter((d) => d.status !== 'delivered'))}`;
        return (
          fired >= total && deliveries.length >= total && deliveries.every((d) => d.status === 'delivered')
        );
      },
      20_000,
      () => `${state}\n${secondWorker.output().slice(-3000)}`,
      100,
    );
    const rows = await escalationsOf(db, ids);
    for (const id of ids) expect(sortedStepsOf(rows, id)).toEqual(['chairman', 'overdue', 'reminder']);
    expect(firedBefore.length + secondWorker.fired.length).toBe(total);
    const byId = Map.groupBy(rx.received, (h) => h.id);
    expect(byId.size).toBe(total);
    for (const [id, hits] of byId)
      expect(
        hits.map((h) => h.answered),
        `tries of ${id}`,
      ).toEqual([500, 200]);
    expect((await secondWorker.stop()).code).toBe(0);
    console.info(
      `worker SIGTERM after ${firedBefore.length}/${total} escalations with ${inFlightAtTerm.length} ` +
        `deliveries in flight; the next worker fired ${secondWorker.fired.length}`,
    );
  });
});
