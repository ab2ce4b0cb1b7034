import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { type CaseJson, countCases, listAll, postCase } from '../support/cases.ts';
import { createApiClient, createCategory, createWard, type Ward } from '../support/fixtures.ts';
import { uid } from '../support/ids.ts';
import { signJwt } from '../support/jwt.ts';
import { expectProblem } from '../support/problems.ts';

const JWT_SECRET = `scoping-test-secret-${'x'.repeat(40)}`;

let t: TestApp;
let wardA: Ward;
let wardB: Ward;
let keyA: string; // smart_haiphong client A
let keyB: string; // smart_haiphong client B
let hotlineKey: string;
let cases: Record<'a1' | 'a2' | 'a3' | 'b1', CaseJson>;

type Caller = { name: string; headers: Record<string, string> };

beforeAll(async () => {
  t = await createTestApp({ JWT_SECRET, RATE_LIMIT_LOGIN_PER_MINUTE: '1000' });
  [wardA, wardB, keyA, keyB, hotlineKey] = await Promise.all([
    createWard(t),
    createWard(t),
    createApiClient(t, 'smart_haiphong'),
    createApiClient(t, 'smart_haiphong'),
    createApiClient(t, 'hotline_1022'),
  ]);
  const [infraCat, cultureCat] = await Promise.all([
    createCategory(t, { defaultDepartmentCode: 'ktht' }),
    createCategory(t, { defaultDepartmentCode: 'vhxh' }),
  ]);
  const [a1, a2, a3, b1] = await Promise.all([
    // Ward A, infrastructure, created by client A, confidential reporter.
    postCase(
      t.app,
      { 'x-api-key': keyA },
      caseBody(wardA.code, {
        categoryCode: infraCat.code,
        reporter: { name: 'Trần Thị Bí Mật', phone: '0987654321', confidential: true },
      }),
    ),
    // Ward A, culture department, logged by ward A's intake.
    postCase(
      t.app,
      bearer(wardA.tokens.intake),
      caseBody(wardA.code, { channel: 'walk_in', categoryCode: cultureCat.code }),
    ),
    // Ward A, unclassified (received), created by client B.
    postCase(t.app, { 'x-api-key': keyB }, caseBody(wardA.code)),
    // Ward B, infrastructure, logged by ward B's intake.
    postCase(
      t.app,
      bearer(wardB.tokens.intake),
      caseBody(wardB.code, { channel: 'hotline_1022', categoryCode: infraCat.code }),
    ),
  ]);
  cases = { a1: a1 as CaseJson, a2: a2 as CaseJson, a3: a3 as CaseJson, b1: b1 as CaseJson };
  expect(cases.a1.departmentId).toBe(wardA.departments.infra.id);
  expect(cases.a2.departmentId).toBe(wardA.departments.culture.id);
  expect(cases.a3.status).toBe('received');
  expect(cases.b1.departmentId).toBe(wardB.departments.infra.id);
});
afterAll(() => t.close());

type CaseKey = keyof typeof cases;
const allKeys: CaseKey[] = ['a1', 'a2', 'a3', 'b1'];

/** Which of the four cases each caller may see. */
function visibility(): { caller: Caller; sees: CaseKey[]; staff: boolean }[] {
  return [
    { caller: { name: 'admin', headers: bearer(t.adminToken) }, sees: allKeys, staff: true },
    {
      caller: { name: 'intake A', headers: bearer(wardA.tokens.intake) },
      sees: ['a1', 'a2', 'a3'],
      staff: true,
    },
    {
      caller: { name: 'chairman A', headers: bearer(wardA.tokens.chairman) },
      sees: ['a1', 'a2', 'a3'],
      staff: true,
    },
    { caller: { name: 'infra head A', headers: bearer(wardA.tokens.infraHead) }, sees: ['a1'], staff: true },
    {
      caller: { name: 'infra officer A', headers: bearer(wardA.tokens.infraOfficer) },
      sees: ['a1'],
      staff: true,
    },
    {
      caller: { name: 'culture head A', headers: bearer(wardA.tokens.cultureHead) },
      sees: ['a2'],
      staff: true,
    },
    { caller: { name: 'intake B', headers: bearer(wardB.tokens.intake) }, sees: ['b1'], staff: true },
    { caller: { name: 'infra head B', headers: bearer(wardB.tokens.infraHead) }, sees: ['b1'], staff: true },
    { caller: { name: 'culture head B', headers: bearer(wardB.tokens.cultureHead) }, sees: [], staff: true },
    { caller: { name: 'client A', headers: { 'x-api-key': keyA } }, sees: ['a1'], staff: false },
    { caller: { name: 'client B', headers: { 'x-api-key': keyB } }, sees: ['a3'], staff: false },
    { caller: { name: 'hotline client', headers: { 'x-api-key': hotlineKey } }, sees: [], staff: false },
  ];
}

const get = (app: FastifyInstance, url: string, headers: Record<string, string>) =>
  app.inject({ method: 'GET', url, headers });

describe('case visibility per role', () => {
  it('GET /cases/{id}: 200 for visible cases, 404 (same as a missing id) for all others', async () => {
    const missing = await get(t.app, '/api/v1/cases/999999999999', bearer(t.adminToken));
    expectProblem(missing, 404);
    for (const { caller, sees } of visibility()) {
      for (const key of allKeys) {
        const res = await get(t.app, `/api/v1/cases/${cases[key].id}`, caller.headers);
        const expected = sees.includes(key) ? 200 : 404;
        expect(res.statusCode, `${caller.name} GET ${key}: ${res.body}`).toBe(expected);
        if (expected === 200) expect(res.json().id).toBe(cases[key].id);
        else {
          const body = expectProblem(res, 404) as { detail?: string; type?: string };
          // Nothing distinguishes "exists elsewhere" from "does not exist".
          expect(body.type).toBe(missing.json().type);
          expect(body.detail).toBe(missing.json().detail);
        }
      }
    }
  });

  it('GET /cases/{id}/events: staff as GET; API clients get 403 even for their own case', async () => {
    for (const { caller, sees, staff } of visibility()) {
      for (const key of allKeys) {
        const res = await get(t.app, `/api/v1/cases/${cases[key].id}/events`, caller.headers);
        const expected = !staff ? 403 : sees.includes(key) ? 200 : 404;
        expect(res.statusCode, `${caller.name} events ${key}: ${res.body}`).toBe(expected);
        if (expected === 200) expect(res.json().items.length).toBeGreaterThan(0);
        else expectProblem(res, expected);
      }
    }
  });

  it('GET /cases lists only visible cases for every staff role; API clients get 403', async () => {
    for (const { caller, sees, staff } of visibility()) {
      if (!staff) {
        expectProblem(await get(t.app, '/api/v1/cases', caller.headers), 403);
        continue;
      }
      const items = await listAll(t.app, '/api/v1/cases', caller.headers);
      const ids = new Set(items.map((c) => c.id));
      for (const key of allKeys)
        expect(ids.has(cases[key].id), `${caller.name} list has ${key}`).toBe(sees.includes(key));
      if (caller.name === 'admin') continue;
      // Nothing outside the caller's ward (or department) appears, whatever other tests created.
      const ward = caller.name.endsWith(' A') ? wardA : wardB;
      for (const c of items) expect(c.wardId, caller.name).toBe(ward.id);
      if (caller.name.startsWith('infra'))
        for (const c of items) expect(c.departmentId).toBe(ward.departments.infra.id);
      if (caller.name.startsWith('culture'))
        for (const c of items) expect(c.departmentId).toBe(ward.departments.culture.id);
      if (caller.name.startsWith('intake') || caller.name.startsWith('chairman'))
        // Ward roles see the whole ward: every case in it, each exactly once.
        expect(items.length).toBe(await countCases(t, ward.id));
    }
  });

  it('a confidential reporter is null for department roles, present for intake, chairman, admin and the owning client', async () => {
    const url = `/api/v1/cases/${cases.a1.id}`;
    for (const token of [wardA.tokens.infraHead, wardA.tokens.infraOfficer]) {
      expect(
        (await call(t.app, { method: 'GET', url, headers: bearer(token) }, 200)).json().reporter,
      ).toBeNull();
      const listed = await listAll(t.app, '/api/v1/cases', bearer(token));
      const item = listed.find((c) => c.id === cases.a1.id);
      expect(item?.reporter).toBeNull();
      expect(JSON.stringify(listed)).not.toContain('0987654321');
    }
    const expected = { name: 'Trần Thị Bí Mật', phone: '0987654321', email: null, confidential: true };
    for (const headers of [
      bearer(wardA.tokens.intake),
      bearer(wardA.tokens.chairman),
      bearer(t.adminToken),
      { 'x-api-key': keyA },
    ]) {
      expect((await call(t.app, { method: 'GET', url, headers }, 200)).json().reporter).toEqual(expected);
    }
    // A non-confidential reporter stays visible to departments.
    const a2 = await call(
      t.app,
      { method: 'GET', url: `/api/v1/cases/${cases.a2.id}`, headers: bearer(wardA.tokens.cultureHead) },
      200,
    );
    expect(a2.json().reporter).toEqual({
      name: 'Nguyễn Văn A',
      phone: '0912345678',
      email: null,
      confidential: false,
    });
  });
});

describe('intake permissions', () => {
  it('intake of ward A may not log a case for ward B (403, nothing written)', async () => {
    const before = await countCases(t, wardB.id);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: bearer(wardA.tokens.intake),
      payload: caseBody(wardB.code, { channel: 'walk_in' }),
    });
    expectProblem(res, 403);
    expect(await countCases(t, wardB.id)).toBe(before);
  });

  it('an API client may only post on its own channel (403)', async () => {
    const before = await countCases(t, wardA.id);
    for (const channel of ['hotline_1022', 'walk_in', 'web', 'email']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: { 'x-api-key': keyA },
        payload: caseBody(wardA.code, { channel }),
      });
      expectProblem(res, 403);
    }
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { 'x-api-key': hotlineKey },
      payload: caseBody(wardA.code, { channel: 'smart_haiphong' }),
    });
    expectProblem(res, 403);
    expect(await countCases(t, wardA.id)).toBe(before);
  });

  it('chairman and department roles may not log cases (403)', async () => {
    for (const token of [wardA.tokens.chairman, wardA.tokens.infraHead, wardA.tokens.infraOfficer]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: bearer(token),
        payload: caseBody(wardA.code, { channel: 'walk_in' }),
      });
      expectProblem(res, 403);
    }
  });

  it("another client's externalId is neither taken nor revealed: each client has its own", async () => {
    const externalId = `shared-${uid()}`;
    const first = await postCase(
      t.app,
      { 'x-api-key': keyA },
      caseBody(wardA.code, { externalId, reporter: { name: 'Khúc Thị Riêng', phone: '0912777888' } }),
    );
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { 'x-api-key': keyB },
      payload: caseBody(wardA.code, { externalId }),
    });
    // No 409 that would confirm the id exists: client B's report is its own new case.
    expect(res.statusCode).toBe(201);
    expect(res.json().id).not.toBe(first.id);
    expect(res.body).not.toMatch(/Khúc Thị Riêng|0912777888/);
    // Each client's retry still finds its own.
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { 'x-api-key': keyA },
      payload: caseBody(wardA.code, {
        externalId,
        reporter: { name: 'Khúc Thị Riêng', phone: '0912777888' },
      }),
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.id);
  });
});

describe('directory writes are admin-only', () => {
  const writes = () => [
    { url: '/api/v1/wards', payload: { code: `X${uid()}`.slice(0, 20), name: 'Phường X' } },
    {
      url: '/api/v1/departments',
      payload: { wardId: wardA.id, code: `d_${uid().toLowerCase()}`, name: 'Đơn vị' },
    },
    {
      url: '/api/v1/categories',
      payload: {
        code: `c_${uid().toLowerCase()}`,
        name: 'Lĩnh vực',
        sla: {
          normal: { duration: 'P5D', clock: 'working' },
          urgent: { duration: 'PT4H', clock: 'continuous' },
        },
      },
    },
    {
      url: '/api/v1/users',
      payload: {
        username: `x-${uid().toLowerCase()}`,
        password: 'password-123',
        fullName: 'Người lạ',
        role: 'admin',
      },
    },
    { url: '/api/v1/api-clients', payload: { name: 'Ứng dụng lạ', channel: 'web' } },
  ];

  it('every non-admin role and API clients get 403 on POST wards/departments/categories/users/api-clients', async () => {
    const callers: Caller[] = [
      { name: 'intake', headers: bearer(wardA.tokens.intake) },
      { name: 'chairman', headers: bearer(wardA.tokens.chairman) },
      { name: 'department_head', headers: bearer(wardA.tokens.infraHead) },
      { name: 'department_officer', headers: bearer(wardA.tokens.infraOfficer) },
      { name: 'api client', headers: { 'x-api-key': keyA } },
    ];
    for (const caller of callers) {
      for (const w of writes()) {
        const res = await t.app.inject({
          method: 'POST',
          url: w.url,
          headers: caller.headers,
          payload: w.payload,
        });
        expect(res.statusCode, `${caller.name} POST ${w.url}: ${res.body}`).toBe(403);
        expectProblem(res, 403);
      }
    }
    // Nothing was written: no user by those names, no ward by that code.
    const strangers = await t.container.db
      .selectFrom('users')
      .select('id')
      .where('full_name', '=', 'Người lạ')
      .execute();
    expect(strangers).toHaveLength(0);
    const apps = await t.container.db
      .selectFrom('api_clients')
      .select('id')
      .where('name', '=', 'Ứng dụng lạ')
      .execute();
    expect(apps).toHaveLength(0);
  });

  it('without credentials every directory write and every case route answers 401', async () => {
    for (const w of writes()) {
      expectProblem(await t.app.inject({ method: 'POST', url: w.url, payload: w.payload }), 401);
    }
    for (const [method, url] of [
      ['GET', '/api/v1/cases'],
      ['GET', `/api/v1/cases/${cases.a1.id}`],
      ['GET', `/api/v1/cases/${cases.a1.id}/events`],
      ['POST', '/api/v1/cases'],
      ['GET', '/api/v1/wards'],
      ['GET', '/api/v1/departments'],
      ['GET', '/api/v1/categories'],
    ] as const) {
      const res = await t.app.inject({
        method,
        url,
        ...(method === 'POST' ? { payload: caseBody(wardA.code) } : {}),
      });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expectProblem(res, 401);
    }
  });
});

describe('credentials', () => {
  const claims = () => ({
    sub: '1',
    usr: 'admin',
    role: 'admin',
    ward: null,
    dept: null,
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 3600,
  });

  /** The user and session of a token this app issued: a forged token can only name a live session. */
  const sessionOf = (token: string) => {
    const c = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
      sub: string;
      sid: string;
    };
    return { sub: c.sub, sid: c.sid };
  };

  it('accepts a well-formed token signed with the right secret (sanity check of the forger)', async () => {
    const token = signJwt({ ...claims(), ...sessionOf(t.adminToken) }, JWT_SECRET);
    await call(t.app, { method: 'GET', url: '/api/v1/cases?limit=1', headers: bearer(token) }, 200);
  });

  it('refuses a token signed with the right secret whose session does not exist', async () => {
    const token = signJwt(
      { ...claims(), sub: sessionOf(t.adminToken).sub, sid: 'a-session-that-was-never-started' },
      JWT_SECRET,
    );
    const res = await get(t.app, '/api/v1/cases', bearer(token));
    expect(res.statusCode).toBe(401);
    expectProblem(res, 401);
  });

  it('refuses malformed, forged, alg:none, expired and ill-typed bearer tokens with 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const real = t.adminToken;
    const [h, p] = real.split('.') as [string, string, string];
    const tokens: Record<string, string> = {
      garbage: 'not-a-token',
      'three dots': 'a.b.c',
      truncated: real.slice(0, -5),
      'tampered payload': `${h}.${Buffer.from(JSON.stringify({ ...claims(), role: 'admin', sub: '2' })).toString('base64url')}.${real.split('.')[2]}`,
      'no signature': `${h}.${p}.`,
      'wrong secret': signJwt(claims(), `wrong-secret-${'y'.repeat(40)}`),
      'alg none': signJwt(claims(), null, 'none'),
      'alg NONE': signJwt(claims(), null, 'NONE'),
      'HS512 with the right secret': signJwt(claims(), JWT_SECRET, 'HS512'),
      'alg none with signature': `${signJwt(claims(), null, 'none')}${real.split('.')[2]}`,
      expired: signJwt({ ...claims(), iat: now - 7200, exp: now - 3600 }, JWT_SECRET),
      'unknown role': signJwt({ ...claims(), role: 'superuser' }, JWT_SECRET),
      'missing claims': signJwt({ sub: '1', exp: now + 3600 }, JWT_SECRET),
    };
    for (const [name, token] of Object.entries(tokens)) {
      const res = await get(t.app, '/api/v1/cases', bearer(token));
      expect(res.statusCode, `${name}: ${res.body}`).toBe(401);
      expectProblem(res, 401);
    }
    for (const header of ['Basic YWRtaW46YWRtaW4=', 'Bearer', 'Bearer ', `Token ${real}`, '']) {
      const res = await get(t.app, '/api/v1/cases', { authorization: header });
      expect(res.statusCode, `authorization "${header}"`).toBe(401);
    }
  });

  it('refuses a wrong, revoked-looking or oversized API key with 401', async () => {
    for (const key of [`${keyA}x`, `pakn_${'A'.repeat(43)}`, 'x', 'k'.repeat(500)]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: { 'x-api-key': key },
        payload: caseBody(wardA.code),
      });
      expect(res.statusCode, `key ${key.slice(0, 20)}`).toBe(401);
      expectProblem(res, 401);
      expectProblem(await get(t.app, `/api/v1/cases/${cases.a1.id}`, { 'x-api-key': key }), 401);
    }
  });
});

describe('department listing', () => {
  it("staff see only their own ward's departments; another ward's id is 404", async () => {
    const ownIds = Object.values(wardA.departments)
      .map((d) => d.id)
      .sort();
    for (const token of [
      wardA.tokens.intake,
      wardA.tokens.chairman,
      wardA.tokens.infraHead,
      wardA.tokens.infraOfficer,
      wardA.tokens.cultureHead,
    ]) {
      const all = await listAll<{ id: string; wardId: string }>(t.app, '/api/v1/departments', bearer(token));
      expect(all.map((d) => d.id).sort()).toEqual(ownIds);
      const filtered = await listAll<{ id: string }>(
        t.app,
        `/api/v1/departments?wardId=${wardA.id}`,
        bearer(token),
      );
      expect(filtered.map((d) => d.id).sort()).toEqual(ownIds);
      expectProblem(await get(t.app, `/api/v1/departments?wardId=${wardB.id}`, bearer(token)), 404);
      const wards = await listAll<{ id: string }>(t.app, '/api/v1/wards', bearer(token));
      expect(wards.map((w) => w.id)).toEqual([wardA.id]);
    }
  });

  it("admin sees any ward's departments by wardId", async () => {
    const b = await listAll<{ id: string; wardId: string }>(
      t.app,
      `/api/v1/departments?wardId=${wardB.id}`,
      bearer(t.adminToken),
    );
    expect(b.map((d) => d.id).sort()).toEqual(
      Object.values(wardB.departments)
        .map((d) => d.id)
        .sort(),
    );
  });

  it('API clients may not list departments or wards (403)', async () => {
    expectProblem(await get(t.app, '/api/v1/departments', { 'x-api-key': keyA }), 403);
    expectProblem(await get(t.app, '/api/v1/wards', { 'x-api-key': keyA }), 403);
  });
});
