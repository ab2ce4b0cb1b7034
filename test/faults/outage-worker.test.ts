import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { reportCase } from '../support/cases.ts';
import { escalationsOf, sortedStepsOf } from '../support/escalations.ts';
import { createCategory, createWard } from '../support/fixtures.ts';
import { summary } from '../support/http.ts';
import { uid } from '../support/ids.ts';
import { quickPolicy, quickSla, setWardPolicy } from '../support/ladders.ts';
import { until } from '../support/polling.ts';
import {
  closeWithAll,
  isolatedEnv,
  quickWebhooks,
  spawnWorker,
  stopAllStarted,
  workerEnv,
} from '../support/processes.ts';
import { receiver } from '../support/receiver.ts';

// A worker SIGKILLed in the middle of a burst of escalations and of their webhook deliveries, some of
// them in flight at the receiver. Real worker processes; a database of this file's own on the
// shared Postgres, a prefix of its own on the shared Redis.

afterAll(stopAllStarted);

describe('a worker killed mid-batch', () => {
  it('leaves every escalation fired once and every webhook delivered, retried under one delivery id', {
    timeout: 90_000,
  }, async () => {
    const shared = await isolatedEnv();
    const t = closeWithAll(await createTestApp(shared));
    const env = workerEnv(shared, { ...quickWebhooks, WEBHOOK_MAX_ATTEMPTS: '10' });
    const first = spawnWorker(env);
    const db = t.container.db;
    const ward = await createWard(t, { staff: 'inserted' });
    await setWardPolicy(db, ward.id, quickPolicy);
    const category = await createCategory(t, { defaultDepartmentCode: 'ktht', sla: quickSla });
    // Answers each delivery's first try only after holding it 1.5 s (and then with 500), its second
    // with 503, and from the third on with 200.
    const rx = closeWithAll(
      receiver((r) => (r.attempt === 1 ? { status: 500, holdMs: 1_500 } : r.attempt === 2 ? 503 : 200)),
    );
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
    const inFlightAtKill = rx.inFlight().map((h) => h.id);
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
    for (const id of ids) expect(sortedStepsOf(rows, id)).toEqual(['chairman', 'overdue', 'reminder']);
    expect(rows.length).toBe(total);
    expect(firedBefore + second.fired.length).toBe(total);
    const deliveries = await deliveriesOf();
    expect(deliveries.length).toBe(total);
    expect(new Set(deliveries.map((d) => d.event_key)).size).toBe(total);
    expect(deliveries.filter((d) => d.status !== 'delivered')).toEqual([]);

    // Every delivery was tried until it succeeded, every try under its one delivery id, with the same
    // signed bytes; those cut off by the kill were tried again.
    const byId = Map.groupBy(rx.received, (h) => h.id);
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
