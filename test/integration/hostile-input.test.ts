import { XMLValidator } from 'fast-xml-parser';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookDeliverer } from '../../src/modules/notifications/webhook-delivery.ts';
import { recordWebhookEvent } from '../../src/modules/notifications/webhook-outbox.ts';
import { bearer, call, createTestApp, metricsAuth, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { postCase } from '../support/cases.ts';
import { createApiClient, createCategory, createStaff, createWard, type Ward } from '../support/fixtures.ts';
import { uid } from '../support/ids.ts';
import { expectProblem } from '../support/problems.ts';
import { receiver } from '../support/receiver.ts';

// Issue 14, tried as an attacker would: each finding reproduced, then shown refused. This app runs
// as `npm start` runs it, with the webhook guard on (WEBHOOK_ALLOW_PRIVATE=false); receivers listen on
// loopback only.

let t: TestApp;
let wardA: Ward;
let wardB: Ward;
let appKey: string;
let switchboardKey: string;
// An "internal service": it answers every request with a secret in a 500's body.
const internal = receiver(() => ({ status: 500, body: 'INTERNAL-SECRET redis_version:7.0.15' }));
const received = internal.received;
let receiverUrl: string;

beforeAll(async () => {
  t = await createTestApp({ WEBHOOK_ALLOW_PRIVATE: 'false' });
  [wardA, wardB] = [await createWard(t), await createWard(t)];
  appKey = await createApiClient(t, 'smart_haiphong');
  switchboardKey = await createApiClient(t, 'hotline_1022');
  receiverUrl = `${await internal.listen()}/hook`;
});
afterAll(async () => {
  await t.close();
  await internal.close();
});

const admin = () => bearer(t.adminToken);

describe('webhooks cannot reach inside', () => {
  it('refuses loopback, private, link-local, unspecified and multicast targets in every spelling, and credentials', async () => {
    for (const url of [
      'http://127.0.0.1:6379/',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://127.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:7f00:1]/',
      'http://localhost/',
      'http://0.0.0.0/',
      'http://10.1.2.3/',
      'http://172.20.0.5/',
      'http://192.168.1.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://100.64.0.1/',
      'http://224.0.0.1/',
      'http://[fe80::1]/',
      'http://[fd00::1]/',
      receiverUrl,
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/webhooks',
        headers: admin(),
        payload: { url, events: ['case.escalated'], secret: 'webhook-secret-0123456789' },
      });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
      expect(res.json().errors[0].path).toBe('url');
    }
    const withCredentials = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: admin(),
      payload: {
        url: 'https://user:pass@93.184.216.34/hook',
        events: ['case.escalated'],
        secret: 'webhook-secret-0123456789',
      },
    });
    expectProblem(withCredentials, 400);
    expect(withCredentials.body).not.toContain('pass@');
    // A public address is taken (nothing is sent at registration).
    await call(
      t.app,
      {
        method: 'POST',
        url: '/api/v1/webhooks',
        headers: admin(),
        payload: {
          url: 'https://93.184.216.34/hook',
          events: ['case.escalated'],
          secret: 'webhook-secret-0123456789',
        },
      },
      201,
    );
  });

  it('refuses at sending too (a row from before), and never records what a receiver said', async () => {
    const db = t.container.db;
    const hook = await db
      .insertInto('webhooks')
      .values({ url: receiverUrl, events: ['case.status_changed'], secret: 'webhook-secret-0123456789' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const [deliveryId] = await recordWebhookEvent(db, 'case.status_changed', `hostile:${uid()}`, { x: 1 });
    const guarded = createWebhookDeliverer({
      db,
      timeoutMs: 2_000,
      maxAttempts: 3,
      backoffMs: 10,
      allowPrivate: false,
    });
    const before = received.length;
    await guarded.deliver(deliveryId as string);
    expect(received.length).toBe(before);
    const refused = await db
      .selectFrom('webhook_deliveries')
      .select(['status', 'last_error'])
      .where('id', '=', deliveryId as string)
      .executeTakeFirstOrThrow();
    expect(refused).toEqual({ status: 'failed', last_error: 'refused: the address is not public' });

    // Where private targets are allowed (development), the receiver's answer is only its status.
    const [second] = await recordWebhookEvent(db, 'case.status_changed', `hostile:${uid()}`, { x: 2 });
    const open = createWebhookDeliverer({
      db,
      timeoutMs: 2_000,
      maxAttempts: 3,
      backoffMs: 10,
      allowPrivate: true,
    });
    await open.deliver(second as string);
    const log = (
      await call(
        t.app,
        { method: 'GET', url: `/api/v1/webhooks/${hook.id}/deliveries`, headers: admin() },
        200,
      )
    ).json().items;
    const tried = log.find((d: { id: string }) => d.id === second);
    expect(tried).toMatchObject({ lastStatusCode: 500, lastError: 'HTTP 500' });
    expect(JSON.stringify(log)).not.toMatch(/INTERNAL-SECRET|redis_version/);
    await db.updateTable('webhooks').set({ active: false }).where('id', '=', hook.id).execute();
  });
});

describe('ids nobody can squat', () => {
  it("a clerk of another ward cannot take the app's externalId: the citizen's report is still filed", async () => {
    const externalId = `s1-${uid()}`;
    // The attack: a clerk of ward B files first on the app's channel with the app's next id.
    const squat = await postCase(
      t.app,
      bearer(wardB.tokens.intake),
      caseBody(wardB.code, { channel: 'smart_haiphong', externalId }),
    );
    const real = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { 'x-api-key': appKey },
      payload: caseBody(wardA.code, { externalId, reporter: { name: 'Bạch Thị Thật', phone: '0912555666' } }),
    });
    expect(real.statusCode, real.body).toBe(201);
    expect(real.json().id).not.toBe(squat.id);
    expect(real.json().wardId).toBe(wardA.id);
    // And the app's own ids in ward B are its own there too: no 409 confirms the clerk's.
    const inB = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { 'x-api-key': appKey },
      payload: caseBody(wardB.code, { externalId }),
    });
    expect(inB.statusCode).toBe(201);
    expect(inB.json().id).not.toBe(squat.id);
  });

  it('a 1022 call filed by the switchboard and by a clerk with the same call id is one case, in either order', async () => {
    const category = await createCategory(t);
    for (const order of ['switchboard first', 'clerk first'] as const) {
      const callId = `1022-${uid()}`;
      const body = caseBody(wardA.code, {
        channel: 'hotline_1022',
        externalId: callId,
        categoryCode: category.code,
      });
      const bySwitchboard = () =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/cases',
          headers: { 'x-api-key': switchboardKey },
          payload: body,
        });
      const byClerk = () =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/cases',
          headers: bearer(wardA.tokens.intake),
          payload: body,
        });
      const [first, second] =
        order === 'switchboard first'
          ? [await bySwitchboard(), await byClerk()]
          : [await byClerk(), await bySwitchboard()];
      expect(first.statusCode, order).toBe(201);
      expect(second.statusCode, order).toBe(200);
      expect(second.json().id, order).toBe(first.json().id);
      // The switchboard follows the call whichever filed first.
      await call(
        t.app,
        { method: 'GET', url: `/api/v1/cases/${first.json().id}`, headers: { 'x-api-key': switchboardKey } },
        200,
      );
    }
  });
});

describe('text is clean everywhere', () => {
  it('refuses C0 control characters, NUL and lone surrogates in every text field with a 400 naming it', async () => {
    for (const bad of ['\u0001', '\u000b', '\u001b', '\u0000', '\ud800']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: bearer(wardA.tokens.intake),
        payload: caseBody(wardA.code, { channel: 'walk_in', description: `Cống tắc${bad} ngõ 5` }),
      });
      expectProblem(res, 400);
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('description');
    }
    // Tab, line feed and carriage return are text.
    await postCase(
      t.app,
      bearer(wardA.tokens.intake),
      caseBody(wardA.code, { channel: 'walk_in', description: 'Dòng 1\r\nDòng 2\tcột' }),
    );
  });

  it('refuses them in Open311 attributes too: no 500 for a NUL, no U+FFFD stored for a lone surrogate', async () => {
    const category = await createCategory(t, { defaultDepartmentCode: 'ktht' });
    for (const bad of ['\u0000', '\ud800', '\u0001']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/open311/v2/requests.json',
        payload: {
          api_key: appKey,
          jurisdiction_id: wardA.code,
          service_code: category.code,
          lat: 20.86,
          long: 106.68,
          phone: '0912000111',
          description: 'Đèn hỏng',
          attribute: { title: `Đèn${bad}hỏng` },
        },
      });
      expect(res.statusCode, res.body).toBe(400);
    }
  });

  it('keeps both Open311 XML feeds well-formed even for a row stored with control characters before', async () => {
    const category = await createCategory(t, { defaultDepartmentCode: 'ktht' });
    const c = await postCase(
      t.app,
      { 'x-api-key': appKey },
      caseBody(wardA.code, { categoryCode: category.code }),
    );
    // What input refuses now could have been stored before: the writer must not emit it.
    await t.container.db
      .updateTable('cases')
      .set({ description: 'Cống\u0001 tắc\u000b ngõ\u001b 5 \ufffe', version: sql`version + 1` })
      .where('id', '=', c.id)
      .execute();
    for (const url of [
      `/open311/v2/requests.xml?jurisdiction_id=${wardA.code}`,
      `/open311/v2/requests/${c.code}.xml`,
    ]) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(XMLValidator.validate(res.body)).toBe(true);
      expect(res.body).toContain('Cống\ufffd tắc\ufffd ngõ\ufffd 5');
    }
  });
});

describe('the queue dashboard takes no cross-site requests', () => {
  it('refuses a state-changing request from another origin, with or without cached credentials', async () => {
    const { username, password } = await createStaff(t, 'admin', {});
    const basic = { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
    const attack = await t.app.inject({
      method: 'POST',
      url: '/admin/queues/api/queues/deliveries/add',
      headers: { ...basic, origin: 'https://evil.example', host: 'pakn.example.vn' },
    });
    expect(attack.statusCode).toBe(403);
    const noCors = await t.app.inject({
      method: 'POST',
      url: '/admin/queues/api/queues/deliveries/add',
      headers: { ...basic, 'sec-fetch-site': 'cross-site', host: 'pakn.example.vn' },
    });
    expect(noCors.statusCode).toBe(403);
    expect(await t.container.queues.deliveries.count()).toBe(0);
    // The dashboard itself still reads, and its sign-in still asks for the admin.
    const page = await t.app.inject({
      method: 'GET',
      url: '/admin/queues/api/queues',
      headers: { ...basic, 'sec-fetch-site': 'same-origin' },
    });
    expect(page.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues' })).statusCode).toBe(401);
  });
});

describe('headers and operations', () => {
  it('marks authenticated responses and exports no-store', async () => {
    const list = await call(
      t.app,
      { method: 'GET', url: '/api/v1/cases', headers: bearer(wardA.tokens.intake) },
      200,
    );
    expect(list.headers['cache-control']).toBe('no-store');
    const xlsx = await call(
      t.app,
      {
        method: 'GET',
        url: `/api/v1/reports/sla?wardId=${wardA.id}&from=2026-01-01&to=2026-12-31&format=xlsx`,
        headers: admin(),
      },
      200,
    );
    expect(xlsx.headers['cache-control']).toBe('no-store');
  });

  it('takes an X-Request-Id only when short and of a safe alphabet', async () => {
    const good = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'lb-42.a:b_c' },
    });
    expect(good.headers['x-request-id']).toBe('lb-42.a:b_c');
    for (const bad of ['x'.repeat(8_192), 'a b', '<script>', 'ok\u00e9']) {
      const res = await t.app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': bad } });
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body).not.toContain(bad);
    }
  });

  it('answers /metrics only with the configured bearer token', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: '/metrics' }), 401);
    expectProblem(
      await t.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer wrong-token-0123456789' },
      }),
      401,
    );
    expect((await t.app.inject({ method: 'GET', url: '/metrics', headers: metricsAuth })).statusCode).toBe(
      200,
    );
  });
});
