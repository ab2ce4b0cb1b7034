import { createHmac } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { bearer, call, login, type TestApp, uid } from './helpers.ts';

/** A staff user created through the API; returns the credentials and a fresh token. */
export async function createStaff(
  t: TestApp,
  role: string,
  extra: Record<string, string>,
): Promise<{ username: string; password: string; token: string }> {
  const username = `s-${uid().toLowerCase()}`;
  const password = `pw-${uid()}-secret`;
  await call(
    t.app,
    {
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(t.adminToken),
      payload: { username, password, fullName: `Cán bộ ${role}`, role, ...extra },
    },
    201,
  );
  return { username, password, token: await login(t.app, username, password) };
}

/** Posts a case and returns its body, failing loudly on any other status than 201. */
export async function postCase(
  app: FastifyInstance,
  headers: Record<string, string>,
  body: Record<string, unknown>,
): Promise<CaseJson> {
  return (await call(app, { method: 'POST', url: '/api/v1/cases', headers, payload: body }, 201)).json();
}

export type CaseJson = {
  id: string;
  code: string;
  wardId: string;
  status: string;
  departmentId: string | null;
  categoryCode: string | null;
  channel: string;
  title: string | null;
  description: string;
  reporter: { name: string | null; phone: string; confidential: boolean } | null;
  overdue: boolean;
  receivedAt: string;
  acceptDueAt: string | null;
  dueAt: string | null;
  version: number;
  publication?: 'public' | 'status_only';
  answerPublished?: boolean | null;
  publicAnswer?: string | null;
};

export async function countCases(t: TestApp, wardId: string): Promise<number> {
  const row = await t.container.db
    .selectFrom('cases')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('ward_id', '=', wardId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Every item of a list endpoint, following nextCursor. */
export async function listAll<T = CaseJson>(
  app: FastifyInstance,
  url: string,
  headers: Record<string, string>,
  limit = 200,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const sep = url.includes('?') ? '&' : '?';
    const res = await call(
      app,
      {
        method: 'GET',
        url: `${url}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        headers,
      },
      200,
    );
    const body = res.json() as { items: T[]; nextCursor: string | null };
    items.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) return items;
  }
  throw new Error('pagination did not end');
}

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** A compact JWS built by hand, so tests can forge tokens the service must refuse. */
export function signJwt(payload: object, secret: string | null, alg = 'HS256'): string {
  const head = `${b64url(JSON.stringify({ alg, typ: 'JWT' }))}.${b64url(JSON.stringify(payload))}`;
  if (secret === null) return `${head}.`;
  const hash = alg === 'HS512' ? 'sha512' : alg === 'HS384' ? 'sha384' : 'sha256';
  return `${head}.${createHmac(hash, secret).update(head).digest('base64url')}`;
}

/** Asserts an RFC 9457 problem response and returns its body. */
export function expectProblem(
  res: LightMyRequestResponse,
  status: number,
  fieldPath?: string,
): { status: number; errors?: { path: string; message: string }[] } {
  if (res.statusCode !== status)
    throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body.slice(0, 500)}`);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body.status).toBe(status);
  expect(typeof body.type).toBe('string');
  expect(typeof body.title).toBe('string');
  if (fieldPath !== undefined) {
    expect(Array.isArray(body.errors) && body.errors.length > 0, res.body).toBe(true);
    // The path names the field itself or an element inside it (`status.1` for the 2nd status).
    const paths: string[] = body.errors.map((e: { path: string }) => e.path);
    expect(
      paths.some((p) => p === fieldPath || p.startsWith(`${fieldPath}.`)),
      `errors[].path ${JSON.stringify(paths)} should name ${fieldPath}`,
    ).toBe(true);
  }
  return body;
}
