import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Container, createContainer } from '../../src/container.ts';
import { recordWebhookEvent } from '../../src/modules/notifications/webhook-outbox.ts';
import {
  startWebhookDelivery,
  type WebhookDelivery,
} from '../../src/modules/notifications/webhook-worker.ts';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { postCase } from '../support/cases.ts';
import { createApiClient, createCategory, createWard, type Ward } from '../support/fixtures.ts';
import { uid } from '../support/ids.ts';
import { sleep, until } from '../support/polling.ts';
import { type Received, receiver } from '../support/receiver.ts';

/**
 * Outgoing webhooks end to end: the API records deliveries, a real deliveries consumer and sweep run
 * in this process (a container of role 'worker' on the test's Redis prefix), and a real HTTP receiver
 * on 127.0.0.1 answers according to the path of the URL it was registered with.
 */

const SECRET = 'a-very-secret-webhook-key-0123';
let t: TestApp;
let worker: Container;
let delivery: WebhookDelivery;
let ward: Ward;
let apiKey: string;
let category: { code: string };
/** /down/… answers 503, /flaky/… 500 to a delivery's first two tries; anything else 200. */
const hooks = receiver((r) =>
  r.path.startsWith('/down/') ? 503 : r.path.startsWith('/flaky/') && r.attempt <= 2 ? 500 : 200,
);
const received = hooks.received;
let base: string;
const created: string[] = [];

beforeAll(async () => {
  const env = {
    WEBHOOK_BACKOFF_MS: '100',
    WEBHOOK_MAX_ATTEMPTS: '4',
    WEBHOOK_SWEEP_MS: '300',
    WEBHOOK_TIMEOUT_MS: '2000',
  };
  t = await createTestApp(env);
  worker = await createContainer(t.config, { role: 'worker' });
  delivery = startWebhookDelivery(worker);
  ward = await createWard(t);
  apiKey = await createApiClient(t);
  category = await createCategory(t);
  base = await hooks.listen();
});

afterAll(async () => {
  // Deactivate what this file registered: other files' cases must not keep producing deliveries for it.
  for (const id of created)
    await t.app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${id}`, headers: bearer(t.adminToken) });
  await delivery?.close();
  await worker?.close();
  await t?.close();
  await hooks.close();
});

async function createHook(scenario: string, events = ['case.status_changed']) {
  const res = await call(
    t.app,
    {
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: bearer(t.adminToken),
      payload: { url: `${base}/${scenario}/${uid()}`, events, secret: SECRET },
    },
    201,
  );
  const hook = res.json() as { id: string; url: string; events: string[]; active: boolean };
  created.push(hook.id);
  return { ...hook, path: new URL(hook.url).pathname };
}

async function assignedCase(app = t.app) {
  const c = await postCase(
    app,
    { 'x-api-key': apiKey },
    caseBody(ward.code, { categoryCode: category.code }),
  );
  await call(
    app,
    {
      method: 'POST',
      url: `/api/v1/cases/${c.id}/assign`,
      headers: bearer(ward.tokens.intake),
      payload: { departmentId: ward.departments.infra.id },
    },
    200,
  );
  return c.id;
}

type LogItem = {
  id: string;
  event: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
};

async function log(hookId: string, query = '') {
  const res = await call(
    t.app,
    { method: 'GET', url: `/api/v1/webhooks/${hookId}/deliveries${query}`, headers: bearer(t.adminToken) },
    200,
  );
  return res.json() as { items: LogItem[]; nextCursor: string | null };
}

/** The delivery (row) of `hookId` for the case, once the producer committed it. */
const deliveryOf = (hookId: string, caseId: string) =>
  until(
    () =>
      worker.db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('webhook_id', '=', hookId)
        .where(sql<string>`payload->>'caseId'`, '=', caseId)
        .executeTakeFirst(),
    8_000,
    () => `a delivery for case ${caseId}`,
  );

const settled = (hookId: string, deliveryId: string, status: string) =>
  until(
    async () => (await log(hookId)).items.find((d) => d.id === deliveryId && d.status === status),
    8_000,
    () => `delivery ${deliveryId} ${status}`,
  );

const requestsFor = (path: string, deliveryId: string) =>
  received.filter((r) => r.path === path && r.headers['x-pakn-delivery'] === deliveryId);

function verifies(r: Received, secret: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`);
  const got = Buffer.from(String(r.headers['x-pakn-signature']));
  return got.length === expected.length && timingSafeEqual(got, expected);
}

describe('webhook administration', () => {
  it('is for admins only', async () => {
    const intake = bearer(ward.tokens.intake);
    const body = { url: `${base}/ok/x`, events: ['case.escalated'], secret: SECRET };
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: intake, payload: body }))
        .statusCode,
    ).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/webhooks', headers: intake })).statusCode).toBe(
      403,
    );
    expect(
      (await t.app.inject({ method: 'DELETE', url: '/api/v1/webhooks/1', headers: intake })).statusCode,
    ).toBe(403);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/webhooks/1/deliveries', headers: intake }))
        .statusCode,
    ).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/webhooks' })).statusCode).toBe(401);
  });

  it('validates the subscription and never shows the secret', async () => {
    const post = (payload: object) =>
      t.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: bearer(t.adminToken), payload });
    const ok = { url: `${base}/ok/v`, events: ['case.created'], secret: SECRET };
    for (const bad of [
      { ...ok, url: 'ftp://127.0.0.1/x' },
      { ...ok, url: 'file:///etc/passwd' },
      { ...ok, url: `https://example.org/${'a'.repeat(2000)}` },
      { ...ok, events: [] },
      { ...ok, events: ['case.deleted'] },
      { ...ok, secret: 'too-short' },
      { ...ok, secret: 'x'.repeat(201) },
    ])
      expect((await post(bad)).statusCode, JSON.stringify(bad).slice(0, 80)).toBe(400);

    const res = await post({ ...ok, events: ['case.created', 'case.created', 'case.escalated'] });
    expect(res.statusCode).toBe(201);
    const hook = res.json();
    created.push(hook.id);
    expect(hook).toEqual({
      id: expect.any(String),
      url: ok.url,
      events: ['case.created', 'case.escalated'],
      active: true,
      createdAt: expect.any(String),
    });
    expect(res.body).not.toContain(SECRET);

    const list = await call(
      t.app,
      { method: 'GET', url: '/api/v1/webhooks?limit=200', headers: bearer(t.adminToken) },
      200,
    );
    expect(list.body).not.toContain(SECRET);
    expect(list.json().items.find((w: { id: string }) => w.id === hook.id)).toMatchObject({ active: true });

    const del = () =>
      t.app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${hook.id}`, headers: bearer(t.adminToken) });
    expect((await del()).statusCode).toBe(204);
    expect((await del()).statusCode).toBe(204);
    const after = await call(
      t.app,
      { method: 'GET', url: '/api/v1/webhooks?limit=200', headers: bearer(t.adminToken) },
      200,
    );
    expect(after.json().items.find((w: { id: string }) => w.id === hook.id)).toMatchObject({ active: false });
    expect(
      (
        await t.app.inject({
          method: 'DELETE',
          url: '/api/v1/webhooks/999999999',
          headers: bearer(t.adminToken),
        })
      ).statusCode,
    ).toBe(404);
    expect((await log(hook.id)).items).toEqual([]);
  });
});

describe('webhook delivery', () => {
  it('sends one signed case.status_changed delivery for a status change', async () => {
    const hook = await createHook('ok');
    const caseId = await assignedCase();
    const row = await deliveryOf(hook.id, caseId);
    const entry = await settled(hook.id, row.id, 'delivered');
    expect(entry).toMatchObject({
      event: 'case.status_changed',
      attempts: 1,
      lastStatusCode: 200,
      lastError: null,
    });
    expect(entry.deliveredAt).not.toBeNull();

    // Longer than a sweep interval: nothing sends it again.
    await sleep(700);
    const forCase = received.filter((r) => r.path === hook.path && JSON.parse(r.body).caseId === caseId);
    expect(forCase).toHaveLength(1);
    const [req] = forCase;
    if (!req) throw new Error('unreachable');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['user-agent']).toBe('pakn-webhooks/1');
    expect(req.headers['x-pakn-event']).toBe('case.status_changed');
    expect(req.headers['x-pakn-delivery']).toBe(row.id);
    expect(req.headers['x-pakn-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifies(req, SECRET)).toBe(true);
    expect(verifies(req, `${SECRET}-wrong`)).toBe(false);
    expect(JSON.parse(req.body)).toMatchObject({
      event: 'case.status_changed',
      caseId,
      fromStatus: 'received',
      toStatus: 'assigned',
    });
    expect(
      await worker.db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('webhook_id', '=', hook.id)
        .where('event', '=', 'case.status_changed')
        .where(sql<string>`payload->>'caseId'`, '=', caseId)
        .executeTakeFirstOrThrow(),
    ).toEqual({ n: '1' });
  });

  it('sends case.created from intake once, however often the filing is repeated, naming no reporter', async () => {
    const hook = await createHook('ok', ['case.created']);
    const body = caseBody(ward.code, { categoryCode: category.code, externalId: `app-${uid()}` });
    const file = () =>
      t.app.inject({ method: 'POST', url: '/api/v1/cases', headers: { 'x-api-key': apiKey }, payload: body });
    const first = await file();
    expect(first.statusCode).toBe(201);
    const c = first.json() as { id: string; code: string; version: number };
    expect((await file()).statusCode).toBe(200);

    const row = await deliveryOf(hook.id, c.id);
    await settled(hook.id, row.id, 'delivered');
    await sleep(700);
    const forCase = received.filter((r) => r.path === hook.path && JSON.parse(r.body).caseId === c.id);
    expect(forCase).toHaveLength(1);
    const [req] = forCase;
    if (!req) throw new Error('unreachable');
    expect(req.headers['x-pakn-event']).toBe('case.created');
    expect(verifies(req, SECRET)).toBe(true);
    expect(JSON.parse(req.body)).toEqual({
      event: 'case.created',
      caseId: c.id,
      caseCode: c.code,
      wardCode: ward.code,
      channel: body.channel,
      status: 'received',
      statusLabel: expect.any(String),
      categoryCode: category.code,
      urgency: 'normal',
      version: c.version,
      at: expect.any(String),
    });
    expect(req.body).not.toContain(body.reporter.phone);
  });

  it('retries with backoff under the same delivery id until the receiver answers 2xx', async () => {
    const hook = await createHook('flaky');
    const caseId = await assignedCase();
    const row = await deliveryOf(hook.id, caseId);
    const entry = await settled(hook.id, row.id, 'delivered');
    expect(entry).toMatchObject({ attempts: 3, lastStatusCode: 200, lastError: null });

    const tries = requestsFor(hook.path, row.id);
    expect(tries).toHaveLength(3);
    expect(new Set(tries.map((r) => r.body)).size).toBe(1);
    expect(new Set(tries.map((r) => r.headers['x-pakn-signature'])).size).toBe(1);
    for (const r of tries) expect(verifies(r, SECRET)).toBe(true);
    // Exponential backoff: 100 ms after the first failure, 200 ms after the second.
    const [a, b, c] = tries.map((r) => r.at);
    expect((b ?? 0) - (a ?? 0)).toBeGreaterThanOrEqual(90);
    expect((c ?? 0) - (b ?? 0)).toBeGreaterThanOrEqual(190);
  });

  it('gives up after the last attempt and marks the delivery failed', async () => {
    const hook = await createHook('down');
    const caseId = await assignedCase();
    const row = await deliveryOf(hook.id, caseId);
    const entry = await settled(hook.id, row.id, 'failed');
    expect(entry).toMatchObject({ attempts: 4, lastStatusCode: 503, deliveredAt: null });
    expect(entry.lastError).toMatch(/^HTTP 503/);
    expect(requestsFor(hook.path, row.id)).toHaveLength(4);

    expect((await log(hook.id, '?status=failed')).items.map((d) => d.id)).toContain(row.id);
    expect((await log(hook.id, '?status=delivered')).items.map((d) => d.id)).not.toContain(row.id);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: `/api/v1/webhooks/${hook.id}/deliveries?status=lost`,
          headers: bearer(t.adminToken),
        })
      ).statusCode,
    ).toBe(400);
    await sleep(500);
    expect(requestsFor(hook.path, row.id)).toHaveLength(4);
  });

  it('sweeps up pending deliveries whose job never reached (or was lost from) Redis', async () => {
    const hook = await createHook('ok', ['case.created']);
    // As if the producer committed but could not enqueue (or Redis lost the job): rows, no jobs.
    const ids = [
      ...(await recordWebhookEvent(worker.db, 'case.created', `test:${uid()}`, { caseId: 'lost-1' })),
      ...(await recordWebhookEvent(worker.db, 'case.created', `test:${uid()}`, { caseId: 'lost-2' })),
    ];
    const mine = (
      await worker.db
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('id', 'in', ids)
        .where('webhook_id', '=', hook.id)
        .execute()
    ).map((r) => r.id);
    expect(mine).toHaveLength(2);
    for (const id of mine) expect(await worker.queues.deliveries.getJobState(`d-${id}`)).toBe('unknown');

    for (const id of mine) await settled(hook.id, id, 'delivered');
    for (const id of mine) {
      const tries = requestsFor(hook.path, id);
      expect(tries).toHaveLength(1);
      expect(tries[0]?.headers['x-pakn-event']).toBe('case.created');
      expect(verifies(tries[0] as Received, SECRET)).toBe(true);
    }

    // The log pages newest first.
    const first = await log(hook.id, '?limit=1');
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const second = await log(hook.id, `?limit=1&cursor=${first.nextCursor}`);
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect([first.items[0]?.id, second.items[0]?.id]).toEqual([mine[1], mine[0]]);
  });

  it('delivers a status change whose job went to a Redis that lost it', async () => {
    const hook = await createHook('ok');
    // An API on another Redis prefix stands for a Redis that restarted empty: its job never reaches
    // this worker, only the row in Postgres does.
    const other = await createTestApp({ REDIS_PREFIX: `test-lost-${uid()}` });
    try {
      const caseId = await assignedCase(other.app);
      const row = await deliveryOf(hook.id, caseId);
      await settled(hook.id, row.id, 'delivered');
      expect(requestsFor(hook.path, row.id)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('stops delivering to a deactivated webhook', async () => {
    const hook = await createHook('down');
    const caseId = await assignedCase();
    const row = await deliveryOf(hook.id, caseId);
    await until(
      () => requestsFor(hook.path, row.id).length > 0,
      8_000,
      () => 'a first try',
    );
    await call(
      t.app,
      { method: 'DELETE', url: `/api/v1/webhooks/${hook.id}`, headers: bearer(t.adminToken) },
      204,
    );
    const entry = await settled(hook.id, row.id, 'failed');
    expect(entry.attempts).toBeLessThan(4);
    const count = requestsFor(hook.path, row.id).length;
    await sleep(600);
    expect(requestsFor(hook.path, row.id)).toHaveLength(count);

    const later = await assignedCase();
    await sleep(200);
    expect(
      await worker.db
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('webhook_id', '=', hook.id)
        .where(sql<string>`payload->>'caseId'`, '=', later)
        .execute(),
    ).toEqual([]);
  });
});
