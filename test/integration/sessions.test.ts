import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, login, req, type TestApp } from '../support/app.ts';
import { createStaff, createWard, type Ward } from '../support/fixtures.ts';
import { expectProblem } from '../support/problems.ts';

/**
 * Issue 16 §1–2: sign-in starts a server-side session that the token carries; logout, a password
 * reset or change, deactivation, and a change of role, ward or department end it. AUTH_CACHE_TTL_MS=0
 * here, so that a test sees what every process sees once the cache period has passed (the spread over
 * processes: test/faults/session-replicas.test.ts).
 */
let t: TestApp;
let ward: Ward;
let other: Ward;

beforeAll(async () => {
  t = await createTestApp({ AUTH_CACHE_TTL_MS: '0', SESSION_IDLE_MINUTES: '30', SESSION_MAX_HOURS: '8' });
  [ward, other] = await Promise.all([createWard(t), createWard(t)]);
}, 60_000);
afterAll(() => t.close());

const admin = () => bearer(t.adminToken);
const me = (token: string) => t.app.inject(req('GET', '/api/v1/me', bearer(token)));
const idOf = async (token: string) =>
  (await call(t.app, req('GET', '/api/v1/me', bearer(token)), 200)).json().id as string;
const signIn = (username: string, password: string) =>
  t.app.inject(req('POST', '/api/v1/auth/token', {}, { username, password }));

describe('GET /api/v1/me', () => {
  it('says who the caller is, with role, ward, department and the operations the role may call', async () => {
    const head = (await call(t.app, req('GET', '/api/v1/me', bearer(ward.tokens.infraHead)), 200)).json();
    expect(head).toMatchObject({
      role: 'department_head',
      wardId: ward.id,
      departmentId: ward.departments.infra.id,
    });
    expect(typeof head.username).toBe('string');
    expect(head).not.toHaveProperty('passwordHash');
    expect(head.actions).toEqual(expect.arrayContaining(['respondToCase', 'listCases', 'getMe', 'logout']));
    expect(head.actions).not.toContain('createWard');
    const adminMe = (await call(t.app, req('GET', '/api/v1/me', admin()), 200)).json();
    expect(adminMe).toMatchObject({ role: 'admin', wardId: null, departmentId: null });
    expect(adminMe.actions).toEqual(
      expect.arrayContaining(['createWard', 'deactivateUser', 'rotateApiClientKey']),
    );
    expectProblem(await t.app.inject(req('GET', '/api/v1/me', {})), 401);
  });
});

describe('a session', () => {
  it('ends at logout: that token is refused, the same user’s other sign-ins stay', async () => {
    const u = await createStaff(t, 'intake', { wardId: ward.id });
    const second = await login(t.app, u.username, u.password);
    await call(t.app, req('POST', '/api/v1/auth/logout', bearer(u.token)), 204);
    const refused = expectProblem(await me(u.token), 401) as { detail?: string };
    expect(refused.detail).toMatch(/Phiên đăng nhập đã kết thúc/);
    expect((await me(second)).statusCode).toBe(200);
    // Logging out twice is harmless but the token stays refused.
    expectProblem(await t.app.inject(req('POST', '/api/v1/auth/logout', bearer(u.token))), 401);
  });

  it('ends after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after sign-in', async () => {
    const idle = await createStaff(t, 'intake', { wardId: ward.id });
    const old = await createStaff(t, 'intake', { wardId: ward.id });
    const [idleId, oldId] = [await idOf(idle.token), await idOf(old.token)];
    // As if 31 minutes had passed since the last request; as if signed in 8 hours ago.
    await t.container.db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(Date.now() - 31 * 60_000) })
      .where('user_id', '=', idleId)
      .execute();
    await t.container.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', oldId)
      .execute();
    expectProblem(await me(idle.token), 401);
    expectProblem(await me(old.token), 401);
    // Signing in again starts a new one.
    expect((await me(await login(t.app, idle.username, idle.password))).statusCode).toBe(200);
  });
});

describe('what an admin does to a user ends their sessions', () => {
  it('moving a head to another department: the old token stops, a new sign-in carries the new department', async () => {
    const head = await createStaff(t, 'department_head', {
      wardId: ward.id,
      departmentId: ward.departments.infra.id,
    });
    const id = await idOf(head.token);
    const read = await call(t.app, req('GET', `/api/v1/users/${id}`, admin()), 200);
    const moved = await call(
      t.app,
      req(
        'PATCH',
        `/api/v1/users/${id}`,
        { ...admin(), 'if-match': read.headers.etag as string },
        {
          departmentId: ward.departments.culture.id,
        },
      ),
      200,
    );
    expect(moved.json()).toMatchObject({
      departmentId: ward.departments.culture.id,
      version: read.json().version + 1,
    });
    expectProblem(await me(head.token), 401);
    const now = (await me(await login(t.app, head.username, head.password))).json();
    expect(now.departmentId).toBe(ward.departments.culture.id);
  });

  it('changing only the e-mail or name keeps the sessions', async () => {
    const u = await createStaff(t, 'intake', { wardId: ward.id });
    const id = await idOf(u.token);
    await call(
      t.app,
      req('PATCH', `/api/v1/users/${id}`, admin(), {
        email: 'tiepnhan@phuong.gov.vn',
        fullName: 'Trần Thị Bình',
      }),
      200,
    );
    expect((await me(u.token)).json()).toMatchObject({
      email: 'tiepnhan@phuong.gov.vn',
      fullName: 'Trần Thị Bình',
    });
  });

  it('a move that breaks the rules (a head without a department, a department of another ward) is refused, nothing changed', async () => {
    const head = await createStaff(t, 'department_head', {
      wardId: ward.id,
      departmentId: ward.departments.infra.id,
    });
    const id = await idOf(head.token);
    expectProblem(
      await t.app.inject(
        req('PATCH', `/api/v1/users/${id}`, admin(), { departmentId: other.departments.infra.id }),
      ),
      400,
    );
    expectProblem(
      await t.app.inject(req('PATCH', `/api/v1/users/${id}`, admin(), { departmentId: null })),
      400,
    );
    expect((await me(head.token)).json().departmentId).toBe(ward.departments.infra.id);
  });

  it('deactivating a leaver: their token and their sign-in are refused; reactivated they sign in again', async () => {
    const leaver = await createStaff(t, 'department_officer', {
      wardId: ward.id,
      departmentId: ward.departments.infra.id,
    });
    const id = await idOf(leaver.token);
    const off = await call(t.app, req('POST', `/api/v1/users/${id}/deactivate`, admin()), 200);
    expect(off.json().active).toBe(false);
    expectProblem(await me(leaver.token), 401);
    expectProblem(await signIn(leaver.username, leaver.password), 401);
    const listed = (
      await call(t.app, req('GET', `/api/v1/users?wardId=${ward.id}&active=false&limit=100`, admin()), 200)
    ).json();
    expect(listed.items.map((u: { id: string }) => u.id)).toContain(id);
    await call(t.app, req('POST', `/api/v1/users/${id}/reactivate`, admin()), 200);
    expect((await signIn(leaver.username, leaver.password)).statusCode).toBe(200);
  });

  it('resetting a password: every session ends, the old password stops, the new one works', async () => {
    const u = await createStaff(t, 'chairman', { wardId: other.id });
    const id = await idOf(u.token);
    await call(
      t.app,
      req('POST', `/api/v1/users/${id}/password`, admin(), { newPassword: 'mat-khau-moi-2026' }),
      204,
    );
    expectProblem(await me(u.token), 401);
    expectProblem(await signIn(u.username, u.password), 401);
    expect((await signIn(u.username, 'mat-khau-moi-2026')).statusCode).toBe(200);
    expectProblem(
      await t.app.inject(req('POST', `/api/v1/users/${id}/password`, admin(), { newPassword: 'ngan' })),
      400,
      'newPassword',
    );
    expectProblem(
      await t.app.inject(
        req('POST', `/api/v1/users/${id}/password`, bearer(ward.tokens.chairman), {
          newPassword: 'mat-khau-moi-2026',
        }),
      ),
      403,
    );
  });
});

describe('a user changing their own password', () => {
  it('needs the current one; then their other sessions end and this one stays', async () => {
    const u = await createStaff(t, 'intake', { wardId: ward.id });
    const elsewhere = await login(t.app, u.username, u.password);
    const wrong = expectProblem(
      await t.app.inject(
        req('POST', '/api/v1/auth/password', bearer(u.token), {
          currentPassword: 'khong-dung-1',
          newPassword: 'mat-khau-rieng-2026',
        }),
      ),
      400,
      'currentPassword',
    ) as { errors: { message: string }[] };
    expect(wrong.errors[0]?.message).toMatch(/không đúng/);
    await call(
      t.app,
      req('POST', '/api/v1/auth/password', bearer(u.token), {
        currentPassword: u.password,
        newPassword: 'mat-khau-rieng-2026',
      }),
      204,
    );
    expect((await me(u.token)).statusCode).toBe(200);
    expectProblem(await me(elsewhere), 401);
    expect((await signIn(u.username, 'mat-khau-rieng-2026')).statusCode).toBe(200);
    expectProblem(await signIn(u.username, u.password), 401);
  });
});
