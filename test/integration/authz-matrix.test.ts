import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { type CaseJson, postCase } from '../support/cases.ts';
import { createApiClient, createCategory, createStaff, createWard, type Ward } from '../support/fixtures.ts';
import { uid } from '../support/ids.ts';
import { captureLogs, expectNoLeaks } from '../support/logs.ts';
import { deref, type JsonSchema, type Operation, operations } from '../support/openapi.ts';

/**
 * Generated from openapi.json: every role × every operation on /api/v1/cases/{id}… × a case of
 * another department in the caller's ward and a case of another ward. A caller outside the case's
 * scope gets 404 when its role may perform the operation at all and 403 when it never may
 * (design.md §2, the operation's `x-access`), exactly as for a case that does not exist; never 2xx,
 * never the case's code, description or reporter phone. Admins see every case.
 */
const log = captureLogs();
let t: TestApp;
let wardA: Ward;
let wardB: Ward;
let keyA: string;

type Target = {
  name: 'other department' | 'other ward';
  case: CaseJson;
  extensionId: string;
  /** An officer's answer proposal waiting for the head ({pid}). */
  proposalId: string;
  phone: string;
  description: string;
  before?: { status: string; version: number };
};
const targets = {} as Record<'otherDept' | 'otherWard', Target>;

type Caller = {
  role: 'admin' | 'intake' | 'department_head' | 'department_officer' | 'chairman' | 'api_client';
  headers: () => Record<string, string>;
};
const callers: Caller[] = [
  { role: 'admin', headers: () => bearer(t.adminToken) },
  { role: 'intake', headers: () => bearer(wardA.tokens.intake) },
  { role: 'department_head', headers: () => bearer(wardA.tokens.infraHead) },
  { role: 'department_officer', headers: () => bearer(wardA.tokens.infraOfficer) },
  { role: 'chairman', headers: () => bearer(wardA.tokens.chairman) },
  { role: 'api_client', headers: () => ({ 'x-api-key': keyA }) },
];

const caseOps = operations().filter((op) => op.path.startsWith('/api/v1/cases/{id}'));

beforeAll(async () => {
  t = await createTestApp({}, { logger: log.logger });
  let infra: { code: string };
  let culture: { code: string };
  [wardA, wardB, keyA, infra, culture] = await Promise.all([
    createWard(t),
    createWard(t),
    createApiClient(t, 'smart_haiphong'),
    createCategory(t, { defaultDepartmentCode: 'ktht' }),
    createCategory(t, { defaultDepartmentCode: 'vhxh' }),
  ]);
  // Ward A, culture department (not the department roles' infrastructure), logged by intake A; ward B,
  // infrastructure, logged by intake B. Each accepted, with a pending extension request ({rid}) and an
  // officer's answer proposal waiting for the head ({pid}).
  const cultureOfficerA = (
    await createStaff(t, 'department_officer', { departmentId: wardA.departments.culture.id })
  ).token;
  const make = async (
    name: Target['name'],
    w: Ward,
    categoryCode: string,
    head: string,
    officer: string,
  ): Promise<Target> => {
    const phone = `09${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const description = `Ma trận quyền ${uid()}: rác thải ở ngõ 7 chưa được thu gom.`;
    const kase = await postCase(
      t.app,
      bearer(w.tokens.intake),
      caseBody(w.code, {
        channel: 'walk_in',
        categoryCode,
        description,
        reporter: { name: 'Người phản ánh ma trận', phone },
      }),
    );
    await call(
      t.app,
      { method: 'POST', url: `/api/v1/cases/${kase.id}/accept`, headers: bearer(head), payload: {} },
      200,
    );
    const extension = await call(
      t.app,
      {
        method: 'POST',
        url: `/api/v1/cases/${kase.id}/extension-requests`,
        headers: bearer(head),
        payload: { extendBy: 'P2D', reason: 'Chờ đơn vị cấp nước' },
      },
      201,
    );
    const proposal = await call(
      t.app,
      {
        method: 'POST',
        url: `/api/v1/cases/${kase.id}/respond`,
        headers: bearer(officer),
        payload: { answer: 'Dự thảo trả lời của cán bộ' },
      },
      201,
    );
    return {
      name,
      case: kase,
      extensionId: extension.json().id,
      proposalId: proposal.json().id,
      phone,
      description,
    };
  };
  [targets.otherDept, targets.otherWard] = await Promise.all([
    make('other department', wardA, culture.code, wardA.tokens.cultureHead, cultureOfficerA),
    make('other ward', wardB, infra.code, wardB.tokens.infraHead, wardB.tokens.infraOfficer),
  ]);
  for (const target of Object.values(targets)) {
    const now = (await call(t.app, get(`/api/v1/cases/${target.case.id}`, bearer(t.adminToken)), 200)).json();
    target.before = { status: now.status, version: now.version };
  }
}, 120_000);
afterAll(() => t.close());

const get = (url: string, headers: Record<string, string>): InjectOptions => ({
  method: 'GET',
  url,
  headers,
});

/** Whether the caller's role may perform the operation at all (its `x-access` in openapi.json). */
const mayPerform = (op: Operation, caller: Caller) =>
  caller.role === 'api_client'
    ? op.access?.apiClient === true
    : (op.access?.roles.includes(caller.role) ?? false);

/** Whether the target lies inside the caller's scope (design.md §2): then it is not a leak to see it. */
const inScope = (caller: Caller, target: Target) =>
  caller.role === 'admin' ||
  ((caller.role === 'intake' || caller.role === 'chairman') && target.name === 'other department');

/** A body the operation's schema accepts, so the answer comes from authorisation, not validation. */
function bodyFor(op: Operation): unknown {
  if (!op.body) return undefined;
  const ward = wardA.departments.infra.id;
  const examples: Record<string, unknown> = {
    departmentId: ward,
    note: 'Ghi chú kiểm tra quyền',
    answer: 'Đã xử lý xong.',
    extendBy: 'P1D',
    comment: 'Tốt',
  };
  const example = (schema: JsonSchema, name: string): unknown => {
    const s = deref(schema);
    if (name in examples) return examples[name];
    if (s.anyOf) return example(s.anyOf.find((a) => a.type === 'object') ?? (s.anyOf[0] as JsonSchema), name);
    if (s.enum) return s.enum[0];
    if (s.type === 'integer' || s.type === 'number') return s.minimum ?? 1;
    if (s.type === 'boolean') return false;
    if (s.type === 'array') return [];
    if (s.type === 'object' || s.properties)
      return Object.fromEntries(
        (s.required ?? []).map((k) => [k, example(s.properties?.[k] as JsonSchema, k)]),
      );
    return 'Lý do kiểm tra quyền';
  };
  return example(op.body, '');
}

function request(
  op: Operation,
  caller: Caller,
  caseId: string,
  extensionId: string,
  proposalId: string,
): InjectOptions {
  const url = op.path.replace('{id}', caseId).replace('{rid}', extensionId).replace('{pid}', proposalId);
  const body = bodyFor(op);
  return {
    method: op.method as InjectOptions['method'],
    url,
    headers: caller.headers(),
    ...(body !== undefined ? { payload: body as object } : {}),
  };
}

function expectNoCaseData(res: LightMyRequestResponse, target: Target, what: string) {
  for (const [name, value] of [
    ['code', target.case.code],
    ['description', target.description],
    ['reporter phone', target.phone],
    ['reporter phone digits', target.phone.slice(1)],
  ] as const)
    expect(
      res.body.includes(value),
      `${what}: the body carries the case's ${name}: ${res.body.slice(0, 300)}`,
    ).toBe(false);
}

describe('authorisation matrix over /api/v1/cases/{id}…', () => {
  it('covers the case operations of openapi.json, each with its x-access', () => {
    expect(caseOps.length).toBeGreaterThanOrEqual(15);
    for (const op of caseOps) expect(op.access, op.operationId).not.toBeNull();
  });

  for (const caller of callers) {
    for (const op of caseOps) {
      it(`${caller.role} × ${op.method} ${op.path}`, async () => {
        // The answer for a case that does not exist: the out-of-scope answer must not differ from it.
        const missing = await t.app.inject(
          request(op, caller, '999999999999999', '999999999999998', '999999999999997'),
        );
        for (const target of Object.values(targets)) {
          const what = `${caller.role} ${op.method} ${op.path} on a case of the ${target.name}`;
          if (inScope(caller, target)) {
            // Inside the scope: admins and ward roles read it (a sanity check that the targets are
            // real and that the data check below would catch them). Actions inside the scope are the
            // workflow tests' business, and would move the targets: not sent.
            if (op.method === 'GET') {
              const res = await t.app.inject(
                request(op, caller, target.case.id, target.extensionId, target.proposalId),
              );
              expect(res.statusCode, `${what}: ${res.body}`).toBe(mayPerform(op, caller) ? 200 : 403);
              if (op.operationId === 'getCase') {
                expect(res.body).toContain(target.case.code);
                expect(res.body).toContain(target.phone);
              }
            }
            continue;
          }
          const res = await t.app.inject(
            request(op, caller, target.case.id, target.extensionId, target.proposalId),
          );
          expect(res.statusCode, `${what}: ${res.body}`).toBeLessThan(500);
          const expected = mayPerform(op, caller) ? 404 : 403;
          expect(res.statusCode, `${what}: ${res.body}`).toBe(expected);
          expect(res.headers['content-type'], what).toMatch(/^application\/problem\+json/);
          expectNoCaseData(res, target, what);
          // Indistinguishable from a case that does not exist.
          expect(res.statusCode, `${what} vs a missing case: ${missing.body}`).toBe(missing.statusCode);
          const [body, none] = [res.json(), missing.json()];
          expect({ type: body.type, title: body.title, detail: body.detail }, what).toEqual({
            type: none.type,
            title: none.title,
            detail: none.detail,
          });
        }
      });
    }
  }

  it('left both cases exactly as they were (no action got through)', async () => {
    for (const target of Object.values(targets)) {
      const now = (
        await call(t.app, get(`/api/v1/cases/${target.case.id}`, bearer(t.adminToken)), 200)
      ).json();
      expect({ status: now.status, version: now.version }, target.name).toEqual(target.before);
      const extension = await t.container.db
        .selectFrom('extension_requests')
        .select('status')
        .where('id', '=', target.extensionId)
        .executeTakeFirstOrThrow();
      expect(extension.status, target.name).toBe('pending');
      const proposal = await t.container.db
        .selectFrom('answer_proposals')
        .select('status')
        .where('id', '=', target.proposalId)
        .executeTakeFirstOrThrow();
      expect(proposal.status, target.name).toBe('proposed');
    }
  });

  it('left no phone number, bearer token or API key in the log', () => {
    expect(log.lines.length).toBeGreaterThan(caseOps.length * callers.length);
    const secrets: Record<string, string> = { 'API key': keyA };
    for (const [name, token] of Object.entries({ admin: t.adminToken, ...wardA.tokens, ...wardB.tokens })) {
      secrets[`${name} token`] = token;
      secrets[`${name} token signature`] = token.split('.')[2] as string;
    }
    expectNoLeaks(log.lines, {
      secrets,
      phones: [targets.otherDept.phone, targets.otherWard.phone, '0912345678'],
    });
  });
});
