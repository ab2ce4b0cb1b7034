import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { countCases } from '../support/cases.ts';
import { createApiClient, createCategory, createWard, type Ward } from '../support/fixtures.ts';
import { uid } from '../support/ids.ts';
import { expectProblem } from '../support/problems.ts';

let t: TestApp;
let ward: Ward;
let apiKey: string;
let category: { code: string };
let casesBefore: number;
let accepted = 0;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_LOGIN_PER_MINUTE: '1000' });
  [ward, apiKey, category] = await Promise.all([
    createWard(t),
    createApiClient(t, 'smart_haiphong'),
    createCategory(t, { defaultDepartmentCode: 'ktht' }),
  ]);
  casesBefore = await countCases(t, ward.id);
});
afterAll(async () => {
  // None of the refused requests left a case (or half of one) behind.
  expect(await countCases(t, ward.id)).toBe(casesBefore + accepted);
  const orphans = await t.container.db
    .selectFrom('case_events as e')
    .leftJoin('cases as c', 'c.id', 'e.case_id')
    .select('e.id')
    .where('c.id', 'is', null)
    .execute();
  expect(orphans).toHaveLength(0);
  await t.close();
});

const post = (payload: unknown, extra: Partial<InjectOptions> = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/cases',
    headers: { 'x-api-key': apiKey, ...(extra.headers ?? {}) },
    ...(typeof payload === 'string' ? { body: payload } : { payload: payload as object }),
    ...(extra.method ? { method: extra.method } : {}),
  });

/** A valid case body with one field removed (dotted path). */
function without(path: string): Record<string, unknown> {
  const body = structuredClone(caseBody(ward.code)) as Record<string, unknown>;
  const keys = path.split('.');
  let o = body as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  delete o[keys.at(-1) as string];
  return body;
}

describe('POST /api/v1/cases validation', () => {
  it('sanity: the unmodified body is accepted', async () => {
    const res = await post(caseBody(ward.code, { categoryCode: category.code }));
    expect(res.statusCode, res.body).toBe(201);
    accepted++;
  });

  it.each(['wardCode', 'channel', 'description', 'reporter.phone', 'reporter'])(
    'missing required field %s → 400 naming it',
    async (field) => {
      expectProblem(await post(without(field)), 400, field);
    },
  );

  it.each(['12345', '+8412345678', '09123456789', '0912-345-67', '+84 912345678x', '', '1912345678'])(
    'phone %j → 400 at reporter.phone',
    async (phone) => {
      const body = caseBody(ward.code, { reporter: { name: 'A', phone } });
      expectProblem(await post(body), 400, 'reporter.phone');
    },
  );

  it('bad enums → 400 at channel / urgency', async () => {
    expectProblem(await post(caseBody(ward.code, { channel: 'fax' })), 400, 'channel');
    expectProblem(await post(caseBody(ward.code, { urgency: 'very_urgent' })), 400, 'urgency');
    expectProblem(await post(caseBody(ward.code, { channel: 'SMART_HAIPHONG' })), 400, 'channel');
  });

  it('coordinates out of range or unpaired → 400 at location.lat / location.lng', async () => {
    expectProblem(await post(caseBody(ward.code, { location: { lat: 91, lng: 106 } })), 400, 'location.lat');
    expectProblem(
      await post(caseBody(ward.code, { location: { lat: -90.5, lng: 106 } })),
      400,
      'location.lat',
    );
    expectProblem(await post(caseBody(ward.code, { location: { lat: 20, lng: 181 } })), 400, 'location.lng');
    expectProblem(await post(caseBody(ward.code, { location: { lat: 20.9 } })), 400, 'location.lat');
  });

  it('over-long title and description → 400', async () => {
    expectProblem(await post(caseBody(ward.code, { title: 'Đ'.repeat(201) })), 400, 'title');
    expectProblem(await post(caseBody(ward.code, { description: 'ư'.repeat(5001) })), 400, 'description');
    expectProblem(await post(caseBody(ward.code, { description: '   ' })), 400, 'description');
  });

  it('wrong types → 400 naming the field', async () => {
    expectProblem(await post(caseBody(ward.code, { description: 12345 })), 400, 'description');
    expectProblem(await post(caseBody(ward.code, { wardCode: 42 })), 400, 'wardCode');
    expectProblem(
      await post(caseBody(ward.code, { reporter: { phone: 912345678, confidential: false } })),
      400,
      'reporter.phone',
    );
    expectProblem(
      await post(caseBody(ward.code, { reporter: { phone: '0912345678', confidential: 'yes' } })),
      400,
      'reporter.confidential',
    );
    expectProblem(
      await post(caseBody(ward.code, { location: { lat: '20.9', lng: '106.3' } })),
      400,
      'location.lat',
    );
    expectProblem(await post(caseBody(ward.code, { attachments: 'photo.jpg' })), 400, 'attachments');
    expectProblem(await post(caseBody(ward.code, { attachments: [{ url: 'javascript:alert(1)' }] })), 400);
    expectProblem(await post([caseBody(ward.code)]), 400);
    expectProblem(await post('null', { headers: { 'content-type': 'application/json' } }), 400);
    expectProblem(await post('"text"', { headers: { 'content-type': 'application/json' } }), 400);
  });

  it('unknown wardCode / categoryCode → 400 naming the field', async () => {
    expectProblem(await post(caseBody(`ZZ${uid()}`.slice(0, 20))), 400, 'wardCode');
    expectProblem(
      await post(caseBody(ward.code, { categoryCode: `nope_${uid().toLowerCase()}` })),
      400,
      'categoryCode',
    );
    expectProblem(await post(caseBody(ward.code, { categoryCode: 'Not A Code!' })), 400, 'categoryCode');
    // The category exists, the ward does not.
    expectProblem(
      await post(caseBody(`ZZ${uid()}`.slice(0, 20), { categoryCode: category.code })),
      400,
      'wardCode',
    );
  });

  it('malformed JSON → 400 problem', async () => {
    for (const raw of ['{"wardCode": ', '{wardCode: "X"}', '{"a":1}}', '\u0000']) {
      expectProblem(await post(raw, { headers: { 'content-type': 'application/json' } }), 400);
    }
  });

  it('prototype poisoning in JSON → 400 problem, never accepted', async () => {
    const body = JSON.stringify(caseBody(ward.code)).replace(/^\{/, '{"__proto__":{"admin":true},');
    expectProblem(await post(body, { headers: { 'content-type': 'application/json' } }), 400);
  });

  it('an empty body → 400 problem', async () => {
    expectProblem(await post('', { headers: { 'content-type': 'application/json' } }), 400);
  });

  it('wrong content-type → 415 problem', async () => {
    const json = JSON.stringify(caseBody(ward.code));
    for (const type of [
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await post(json, { headers: { 'content-type': type } });
      expect(res.statusCode, type).toBe(415);
      expectProblem(res, 415);
    }
  });

  it('text/plain is not JSON: 415 rather than a case or a validation error', async () => {
    const res = await post(JSON.stringify(caseBody(ward.code)), {
      headers: { 'content-type': 'text/plain' },
    });
    expectProblem(res, 415);
  });
});

describe('body limit', () => {
  it('a body over BODY_LIMIT_BYTES → 413 problem, a body under it is accepted', async () => {
    const small = await createTestApp({ BODY_LIMIT_BYTES: '4096' });
    try {
      // Same database and signing secret: the main app's ward and tokens work here too.
      const before = await countCases(small, ward.id);
      const res = await small.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: bearer(ward.tokens.intake),
        payload: caseBody(ward.code, { channel: 'walk_in', description: 'a'.repeat(5000) }),
      });
      expectProblem(res, 413);
      expect(await countCases(small, ward.id)).toBe(before);
      await call(
        small.app,
        {
          method: 'POST',
          url: '/api/v1/cases',
          headers: bearer(ward.tokens.intake),
          payload: caseBody(ward.code, { channel: 'walk_in', description: 'a'.repeat(3000) }),
        },
        201,
      );
      accepted++;
    } finally {
      await small.close();
    }
  });

  it('the default limit (1 MiB) refuses a 2 MiB body with 413', async () => {
    const res = await post(caseBody(ward.code, { description: 'x'.repeat(2 * 1024 * 1024) }));
    expectProblem(res, 413);
  });
});

describe('list and path parameters', () => {
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: bearer(ward.tokens.intake) });

  it.each([
    ['cursor', '/api/v1/cases?cursor=not-a-cursor'],
    ['cursor', `/api/v1/cases?cursor=${Buffer.from('id:abc').toString('base64url')}`],
    ['cursor', `/api/v1/cases?cursor=${Buffer.from('id:0').toString('base64url')}`],
    ['cursor', `/api/v1/cases?cursor=${'A'.repeat(201)}`],
    ['limit', '/api/v1/cases?limit=0'],
    ['limit', '/api/v1/cases?limit=201'],
    ['limit', '/api/v1/cases?limit=-1'],
    ['limit', '/api/v1/cases?limit=abc'],
    ['limit', '/api/v1/cases?limit=1.5'],
    ['status', '/api/v1/cases?status=bogus'],
    ['status', '/api/v1/cases?status=received,bogus'],
    ['channel', '/api/v1/cases?channel=fax'],
    ['overdue', '/api/v1/cases?overdue=yes'],
    ['departmentId', '/api/v1/cases?departmentId=abc'],
    ['receivedFrom', '/api/v1/cases?receivedFrom=yesterday'],
    ['receivedTo', '/api/v1/cases?receivedTo=2026-13-45'],
    ['limit', '/api/v1/wards?limit=500'],
    ['cursor', '/api/v1/categories?cursor=%%%'],
    ['cursor', '/api/v1/departments?cursor=zzzz'],
  ])('%s: %s → 400', async (field, url) => {
    expectProblem(await get(url), 400, field);
  });

  it('limit at the bounds 1 and 200 is accepted', async () => {
    await call(
      t.app,
      { method: 'GET', url: '/api/v1/cases?limit=1', headers: bearer(ward.tokens.intake) },
      200,
    );
    await call(
      t.app,
      { method: 'GET', url: '/api/v1/cases?limit=200', headers: bearer(ward.tokens.intake) },
      200,
    );
  });

  it('a non-numeric or absurd id in the path → 400 or 404, never 5xx', async () => {
    for (const id of [
      'abc',
      '0',
      '-1',
      '1.5',
      '1e3',
      '99999999999999999999999',
      '9223372036854775808',
      "1'--",
      '%00',
    ]) {
      for (const url of [`/api/v1/cases/${id}`, `/api/v1/cases/${id}/events`]) {
        const res = await get(url);
        expect([400, 404], `${url}: ${res.statusCode} ${res.body}`).toContain(res.statusCode);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    }
  });

  it('a malformed percent-encoding in the path → 400 problem+json with a request id', async () => {
    for (const url of ['/api/v1/cases/%zz', '/api/v1/cases/%E0%A4%A', '/%zz']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type'], `${url}: ${res.body}`).toMatch(/^application\/problem\+json/);
      expect(res.headers['x-request-id'], url).toBeDefined();
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
    }
  });

  it('an over-long path parameter → a 4xx problem+json (like every other error), never 5xx', async () => {
    const res = await get(`/api/v1/cases/${'9'.repeat(300)}`);
    expect([400, 404, 414], `${res.statusCode} ${res.body}`).toContain(res.statusCode);
    expect(res.headers['content-type'], res.body).toMatch(/^application\/problem\+json/);
    expect(res.json().status).toBe(res.statusCode);
  });
});

describe('directory input', () => {
  const admin = (url: string, payload: unknown) =>
    t.app.inject({ method: 'POST', url, headers: bearer(t.adminToken), payload: payload as object });

  it('a duplicate ward code → 409, whatever its case', async () => {
    const code = `D${uid()}`.slice(0, 20);
    await call(
      t.app,
      { method: 'POST', url: '/api/v1/wards', headers: bearer(t.adminToken), payload: { code, name: 'Một' } },
      201,
    );
    expectProblem(await admin('/api/v1/wards', { code, name: 'Hai' }), 409);
    expectProblem(await admin('/api/v1/wards', { code: code.toLowerCase(), name: 'Ba' }), 409);
  });

  it('a duplicate username → 409, whatever its case', async () => {
    const username = `dup-${uid().toLowerCase()}`;
    const body = {
      username,
      password: 'password-123',
      fullName: 'Trùng Tên',
      role: 'intake',
      wardId: ward.id,
    };
    const created = await call(
      t.app,
      { method: 'POST', url: '/api/v1/users', headers: bearer(t.adminToken), payload: body },
      201,
    );
    // The password (or its hash) is never returned.
    expect(created.body).not.toMatch(/password|argon2/i);
    expectProblem(await admin('/api/v1/users', body), 409);
    expectProblem(await admin('/api/v1/users', { ...body, username: username.toUpperCase() }), 409);
  });

  it('a duplicate department code in the same ward → 409; a duplicate category code → 409', async () => {
    expectProblem(await admin('/api/v1/departments', { wardId: ward.id, code: 'ktht', name: 'Lặp' }), 409);
    expectProblem(
      await admin('/api/v1/categories', {
        code: category.code,
        name: 'Lặp',
        sla: {
          normal: { duration: 'P5D', clock: 'working' },
          urgent: { duration: 'PT4H', clock: 'continuous' },
        },
      }),
      409,
    );
  });

  it('bad directory bodies → 400 naming the field', async () => {
    expectProblem(await admin('/api/v1/wards', { code: 'X', name: 'Quá ngắn' }), 400, 'code');
    expectProblem(await admin('/api/v1/wards', { code: 'PHUONG ĐÔNG', name: 'Có dấu' }), 400, 'code');
    expectProblem(await admin('/api/v1/wards', { code: `OK${uid()}`.slice(0, 20) }), 400, 'name');
    expectProblem(
      await admin('/api/v1/departments', { wardId: '999999999999', code: 'abc', name: 'Ma' }),
      400,
      'wardId',
    );
    expectProblem(
      await admin('/api/v1/departments', { wardId: 'abc', code: 'abc', name: 'Ma' }),
      400,
      'wardId',
    );
    expectProblem(
      await admin('/api/v1/users', {
        username: `u-${uid().toLowerCase()}`,
        password: 'short',
        fullName: 'A',
        role: 'intake',
        wardId: ward.id,
      }),
      400,
      'password',
    );
    expectProblem(
      await admin('/api/v1/users', {
        username: `u-${uid().toLowerCase()}`,
        password: 'password-123',
        fullName: 'A',
        role: 'root',
        wardId: ward.id,
      }),
      400,
      'role',
    );
    expectProblem(
      await admin('/api/v1/users', {
        username: `u-${uid().toLowerCase()}`,
        password: 'password-123',
        fullName: 'A',
        role: 'department_head',
      }),
      400,
      'departmentId',
    );
    expectProblem(await admin('/api/v1/api-clients', { name: 'App', channel: 'fax' }), 400, 'channel');
    expectProblem(
      await admin('/api/v1/categories', {
        code: `c_${uid().toLowerCase()}`,
        name: 'SLA sai',
        sla: {
          normal: { duration: '5 days', clock: 'working' },
          urgent: { duration: 'PT4H', clock: 'continuous' },
        },
      }),
      400,
      'sla.normal.duration',
    );
  });

  it('bad login bodies → 400; wrong password → 401', async () => {
    expectProblem(
      await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: {} }),
      400,
      'username',
    );
    expectProblem(
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/token',
        payload: { username: 'x', password: 5 },
      }),
      400,
      'password',
    );
    expectProblem(
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/token',
        payload: { username: 'nobody-here', password: 'whatever-123' },
      }),
      401,
    );
  });
});
