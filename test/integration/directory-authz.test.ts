import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import { createApiClient, createCategory, createWard, type Ward, wardUsers } from '../support/fixtures.ts';
import { type Operation, operations } from '../support/openapi.ts';

/**
 * Generated from openapi.json, as the case matrix is (authz-matrix.test.ts): every role × every
 * operation on one directory object (/api/v1/{wards,departments,categories,users,api-clients}/{id}…).
 * A role that may never perform the operation gets 403; a ward role reaching for another ward's ward,
 * department or user gets 404, exactly as for an object that does not exist, and never its name.
 * Admins (city-wide) read all. Changes inside a caller's reach are the lifecycle tests' business.
 */
let t: TestApp;
let wardA: Ward;
let wardB: Ward;
let keyA: string;

type Role = 'admin' | 'intake' | 'department_head' | 'department_officer' | 'chairman' | 'api_client';
type Caller = { role: Role; headers: () => Record<string, string> };
const callers: Caller[] = [
  { role: 'admin', headers: () => bearer(t.adminToken) },
  { role: 'intake', headers: () => bearer(wardA.tokens.intake) },
  { role: 'department_head', headers: () => bearer(wardA.tokens.infraHead) },
  { role: 'department_officer', headers: () => bearer(wardA.tokens.infraOfficer) },
  { role: 'chairman', headers: () => bearer(wardA.tokens.chairman) },
  { role: 'api_client', headers: () => ({ 'x-api-key': keyA }) },
];

const collection =
  /^\/api\/v1\/(wards|departments|categories|users|api-clients)\/\{id\}(?:\/(?:deactivate|reactivate|password|rotate))?$/;
const ops = operations().filter((op) => collection.test(op.path));
/** Per collection: an object of ward A, one of ward B (null: the objects are city-wide), and a name each shows. */
const targets = {} as Record<string, { own: string; other: string | null; otherName: string | null }>;

beforeAll(async () => {
  t = await createTestApp();
  [wardA, wardB, keyA] = await Promise.all([createWard(t), createWard(t), createApiClient(t)]);
  const category = await createCategory<{ id: string }>(t);
  const [usersA, usersB] = await Promise.all([
    wardUsers(t.container.db, wardA),
    wardUsers(t.container.db, wardB),
  ]);
  const client = await t.container.db
    .selectFrom('api_clients')
    .select('id')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  const nameOf = async (url: string, field: string) =>
    (await t.app.inject({ method: 'GET', url, headers: bearer(t.adminToken) })).json()[field] as string;
  targets.wards = {
    own: wardA.id,
    other: wardB.id,
    otherName: await nameOf(`/api/v1/wards/${wardB.id}`, 'name'),
  };
  targets.departments = {
    own: wardA.departments.infra.id,
    other: wardB.departments.culture.id,
    otherName: await nameOf(`/api/v1/departments/${wardB.departments.culture.id}`, 'name'),
  };
  targets.users = {
    own: usersA.infraOfficer,
    other: usersB.infraHead,
    otherName: await nameOf(`/api/v1/users/${usersB.infraHead}`, 'username'),
  };
  targets.categories = { own: category.id, other: null, otherName: null };
  targets['api-clients'] = { own: client.id, other: null, otherName: null };
}, 60_000);
afterAll(() => t.close());

const mayPerform = (op: Operation, caller: Caller) =>
  caller.role === 'api_client'
    ? op.access?.apiClient === true
    : (op.access?.roles.includes(caller.role) ?? false);

function request(op: Operation, caller: Caller, id: string): InjectOptions {
  const body =
    op.method === 'PATCH'
      ? { name: 'Tên kiểm tra quyền', fullName: 'Tên kiểm tra quyền' }
      : op.path.endsWith('/password')
        ? { newPassword: 'mat-khau-kiem-tra-quyen' }
        : op.path.endsWith('/rotate')
          ? {}
          : undefined;
  const payload =
    op.method === 'PATCH' && op.path.startsWith('/api/v1/users') ? { fullName: 'Tên kiểm tra quyền' } : body;
  return {
    method: op.method as InjectOptions['method'],
    url: op.path.replace('{id}', id),
    headers: caller.headers(),
    ...(payload !== undefined ? { payload } : {}),
  };
}

describe('authorisation matrix over the directory objects', () => {
  it('covers each object’s read, change, deactivate and reactivate, each with its x-access', () => {
    for (const kind of ['wards', 'departments', 'categories', 'users', 'api-clients'])
      for (const suffix of ['', '/deactivate', '/reactivate'])
        expect(
          ops.some((op) => op.path === `/api/v1/${kind}/{id}${suffix}`),
          `${kind}${suffix}`,
        ).toBe(true);
    for (const op of ops) expect(op.access, op.operationId).not.toBeNull();
  });

  for (const caller of callers)
    for (const op of ops)
      it(`${caller.role} × ${op.method} ${op.path}`, async () => {
        const kind = collection.exec(op.path)?.[1] as string;
        const target = targets[kind] as (typeof targets)[string];
        const may = mayPerform(op, caller);
        const missing = await t.app.inject(request(op, caller, '999999999999'));
        if (!may) {
          // Never allowed: 403, whether the object exists, is its own or another ward's.
          for (const id of [target.own, target.other, '999999999999'].filter(
            (x): x is string => x !== null,
          )) {
            const res = await t.app.inject(request(op, caller, id));
            expect(res.statusCode, `${op.operationId} ${id}: ${res.body}`).toBe(403);
          }
          return;
        }
        expect(missing.statusCode, missing.body).toBe(404);
        if (caller.role === 'admin') {
          if (op.method === 'GET')
            for (const id of [target.own, target.other].filter((x): x is string => x !== null))
              expect((await t.app.inject(request(op, caller, id))).statusCode).toBe(200);
          return;
        }
        // A ward role allowed the operation: its own ward's object it reads; another ward's is 404.
        if (op.method === 'GET')
          expect((await t.app.inject(request(op, caller, target.own))).statusCode).toBe(200);
        if (target.other !== null) {
          const res = await t.app.inject(request(op, caller, target.other));
          expect(res.statusCode, res.body).toBe(404);
          expect(res.body).toBe(
            missing.body.replace(/"requestId":"[^"]*"/, `"requestId":"${res.json().requestId}"`),
          );
          expect(res.body.includes(target.otherName as string)).toBe(false);
        }
      });
});
