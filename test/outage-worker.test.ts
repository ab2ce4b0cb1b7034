import http from 'node:http';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createCategory, createTestApp, type TestApp, uid } from './helpers.ts';
import { onLoopback, quickPolicy, quickSla, stopAllStarted, summary, until } from './support-outage.ts';
import {
  createIsolatedDatabase,
  createLeanWard,
  escalationsOf,
  killAllWorkers,
  reportCase,
  setWardPolicy,
  spawnWorker,
  testPrefix,
  workerEnv,
} from './support-worker.ts';

// A worker SIGKILLed in the middle of a burst of escalations and of their webhook deliveries, some of
// them in flight at the receiver. Real worker processes; a database of this file's own on the
// shared Postgres, a prefix of its own on the shared Redis.

type Hit = { id: string; attempt: number; body: string; signature: string; at: number; answered?: number };

/**
 * A webhook receiver that answers each delivery's first try only after holding it `holdMs` (and then
 * with 500), its second with 503, and from the third on with 200; it records every try.
 */
function receiver(holdMs: number) {
  const hits: Hit[] = [];
  const tries = new Map<string, number>();
  const open = new Set<string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = String(req.headers['x-pakn-delivery']);
      const attempt = (tries.get(id) ?? 0) + 1;
      tries.set(id, attempt);
      const hit: Hit = {
        id,
        attempt,
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(req.headers['x-pakn-signature']),
        at: Date.now(),
      };
      hits.push(hit);
      const answer = (status: number) => {
        open.delete(`${id}#${attempt}`);
        if (res.destroyed) return;
        hit.answered = status;
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'not now');
      };
      if (attempt === 1) {
        open.add(`${id}#${attempt}`);
        const timer = setTimeout(() => answer(500), holdMs);
        res.on('close', () => {
          clearTimeout(timer);
          open.delete(`${id}#${attempt}`);
        });
      } else answer(attempt === 2 ? 503 : 200);
    });
  });
  return {
    hits,
    /** The delivery ids whose first try is being held right now. */
    inFlight: () => [...open].map((k) => k.split('#')[0] as string),
    ...onLoopback(server),
  };
}

let t: TestApp | undefined;
let dropDatabase: (() => Promise<void>) | undefined;
let hook: ReturnType<typeof receiver> | undefined;
afterAll(async () => {
  await killAllWorkers();
  await stopAllStarted();
  await hook?.close();
  await t?.close();
  await dropDatabase?.();
});

describe('a worker killed mid-batch', () => {
  it('leaves every escalation fired once and every webhook delivered, retried under one delivery id', {
    timeout: 90_000,
  }, async () => {
    const database = await createIsolatedDatabase();
    dropDatabase = database.drop;
    const shared = { DATABASE_URL: database.url, REDIS_PREFIX: testPrefix() };
    t = await createTestApp(shared);
    const env = workerEnv(
      { ...shared, REDIS_URL: t.config.REDIS_URL },
      {
        WEBHOOK_BACKOFF_MS: '200',
        WEBHOOK_SWEEP_MS: '500',
        WEBHOOK_TIMEOUT_MS: '5000',
        WEBHOOK_MAX_ATTEMPTS: '10',
      },
    );
    const first = spawnWorker(env);
    const db = t.container.db;
    const ward = await createLeanWard(t);
    await setWardPolicy(db, ward.id, quickPolicy);
    const category = await createCategory(t, { defaultDepartmentCode: 'ktht', sla: quickSla });
    const rx = receiver(1_500);
    hook = rx;
    const hookBase = await rx.listen();
    const webhook = await db
      .insertInto('webhooks')
      .values({
        url: `${hookBase}/escalations/${uid()}`,
        events: ['case.escalated'],
        secret: 'outage-test-secret-0123456789',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await first.ready;

    const created = await Promise.all(
      Array.from({ length: 16 }, () => reportCase(t as TestApp, ward, category.code)),
    );
    expect(created.map((c) => c.status)).toEqual(Array(16).fill('assigned'));
    const ids = created.map((c) => c.id);
    const total = ids.length * 3;

    // SIGKILL once escalations are firing and deliveries are in flight at the receiver.
    await until(
      () => first.fired.length >= 3 && rx.inFlight().length >= 2,
      15_000,
      () => `no burst to interrupt (fired ${first.fired.length})\n${first.output().slice(-2000)}`,
      5,
    );
    const inFlightAtKill = rx.inFlight();
    await first.kill();
    const killedAt = Date.now();
    // Once Postgres has seen its sessions end, whatever the killed worker committed is all it did.
    await until(
      async () => {
        const { rows } = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'pakn-worker'`.execute(db);
        return rows[0]?.n === 0;
      },
      5_000,
      () => 'the killed worker still has sessions',
    );
    const firedBefore = (await escalationsOf(db, ids)).length;
    expect(firedBefore).toBeLessThan(total);

    const second = spawnWorker(env);
    await second.ready;
    const deliveriesOf = () =>
      db
        .selectFrom('webhook_deliveries')
        .select(['id', 'event_key', 'status', 'attempts'])
        .where('webhook_id', '=', webhook.id)
        .execute();
    let state = '';
    await until(
      async () => {
        const fired = (await escalationsOf(db, ids)).length;
        const pending = (await deliveriesOf()).filter((d) => d.status !== 'delivered');
        state = `${fired}/${total} escalations; not delivered: ${JSON.stringify(pending)}`;
        return fired >= total && pending.length === 0 && (await deliveriesOf()).length >= total;
      },
      45_000,
      () => `after the kill: ${state}\n${second.output().slice(-3000)}`,
      200,
    );
    const recoveredMs = Date.now() - killedAt;

    // Exactly once: each step of each case, each escalation one delivery.
    const rows = await escalationsOf(db, ids);
    for (const id of ids)
      expect(
        rows
          .filter((e) => e.case_id === id)
          .map((e) => e.step)
          .sort(),
      ).toEqual(['chairman', 'overdue', 'reminder']);
    expect(rows.length).toBe(total);
    expect(firedBefore + second.fired.length).toBe(total);
    const deliveries = await deliveriesOf();
    expect(deliveries.length).toBe(total);
    expect(new Set(deliveries.map((d) => d.event_key)).size).toBe(total);
    expect(deliveries.filter((d) => d.status !== 'delivered')).toEqual([]);

    // Every delivery was tried until it succeeded, every try under its one delivery id, with the same
    // signed bytes; those cut off by the kill were tried again.
    const byId = Map.groupBy(rx.hits, (h) => h.id);
    expect(new Set(byId.keys())).toEqual(new Set(deliveries.map((d) => d.id)));
    for (const [id, hits] of byId) {
      expect(hits.at(-1)?.answered, `the last try of ${id}`).toBe(200);
      expect(hits.filter((h) => h.answered === 200).length, `successful tries of ${id}`).toBe(1);
      expect(hits.length, `tries of ${id}`).toBeGreaterThanOrEqual(3);
      expect(new Set(hits.map((h) => h.body)).size).toBe(1);
      expect(new Set(hits.map((h) => h.signature)).size).toBe(1);
    }
    for (const id of inFlightAtKill) expect(byId.get(id)?.some((h) => h.at > killedAt)).toBe(true);
    expect(second.child.exitCode).toBeNull();

    const retried = inFlightAtKill.map((id) => {
      const hits = byId.get(id) ?? [];
      return (hits.find((h) => h.at > killedAt)?.at ?? Number.NaN) - killedAt;
    });
    console.info(
      `killed after ${firedBefore}/${total} escalations with ${inFlightAtKill.length} deliveries in flight; ` +
        `all fired and delivered ${recoveredMs} ms later; in-flight deliveries retried after ${summary(retried)}`,
    );
  });
});
