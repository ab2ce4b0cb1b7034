import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, req, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { postCase } from '../support/cases.ts';
import { createCategory, createWard, type Ward } from '../support/fixtures.ts';
import { uid } from '../support/ids.ts';
import { expectProblem } from '../support/problems.ts';

/**
 * Issue 16 §1: wards, departments, categories and API clients are read, changed (If-Match), retired
 * and brought back, never deleted; what intake and dispatch then refuse, and what running cases keep.
 * (Users and sessions: sessions.test.ts.)
 */
let t: TestApp;
let ward: Ward;
let other: Ward;

beforeAll(async () => {
  t = await createTestApp();
  [ward, other] = await Promise.all([createWard(t), createWard(t)]);
}, 60_000);
afterAll(() => t.close());

const admin = () => bearer(t.adminToken);
const file = (categoryCode: string, w = ward) =>
  t.app.inject(
    req(
      'POST',
      '/api/v1/cases',
      bearer(w.tokens.intake),
      caseBody(w.code, { channel: 'walk_in', categoryCode }),
    ),
  );

describe('a category', () => {
  it('is read with its version as ETag and changed only at the version the admin saw (412 otherwise)', async () => {
    const cat = await createCategory<{ id: string; version: number }>(t);
    const read = await call(
      t.app,
      req('GET', `/api/v1/categories/${cat.id}`, bearer(ward.tokens.intake)),
      200,
    );
    expect(read.headers.etag).toBe(`"${read.json().version}"`);
    expect(read.json()).toMatchObject({ active: true, version: 1 });

    const changed = await call(
      t.app,
      req(
        'PATCH',
        `/api/v1/categories/${cat.id}`,
        { ...admin(), 'if-match': '"1"' },
        { name: 'Chiếu sáng đô thị' },
      ),
      200,
    );
    expect(changed.json()).toMatchObject({ name: 'Chiếu sáng đô thị', version: 2 });
    expect(changed.headers.etag).toBe('"2"');
    // A second admin still holding version 1 is told, not overwritten.
    const stale = await t.app.inject(
      req('PATCH', `/api/v1/categories/${cat.id}`, { ...admin(), 'if-match': '"1"' }, { name: 'Tên cũ' }),
    );
    expectProblem(stale, 412);
    // Staff other than admins read but do not change.
    expectProblem(
      await t.app.inject(
        req('PATCH', `/api/v1/categories/${cat.id}`, bearer(ward.tokens.chairman), { name: 'X' }),
      ),
      403,
    );
    expectProblem(await t.app.inject(req('GET', '/api/v1/categories/999999999', admin())), 404);
  });

  it('with a corrected SLA gives new cases the new deadline, while running cases keep theirs', async () => {
    const cat = await createCategory<{ id: string; code: string }>(t, { defaultDepartmentCode: 'ktht' });
    const before = await postCase(
      t.app,
      bearer(ward.tokens.intake),
      caseBody(ward.code, { channel: 'walk_in', categoryCode: cat.code }),
    );
    await call(
      t.app,
      req('PATCH', `/api/v1/categories/${cat.id}`, admin(), {
        sla: {
          normal: { duration: 'P15D', clock: 'working' },
          urgent: { duration: 'PT4H', clock: 'continuous' },
        },
      }),
      200,
    );
    const after = await postCase(
      t.app,
      bearer(ward.tokens.intake),
      caseBody(ward.code, { channel: 'walk_in', categoryCode: cat.code }),
    );
    const kept = (await call(t.app, req('GET', `/api/v1/cases/${before.id}`, admin()), 200)).json();
    expect(kept.dueAt).toBe(before.dueAt);
    // 5 working days then, 15 now: at least ten more calendar days.
    const days = (Date.parse(after.dueAt as string) - Date.parse(before.dueAt as string)) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(10);
  });

  it('once deactivated refuses new cases (409, naming it) and leaves Open311; its cases keep it; reactivated it takes cases again', async () => {
    const cat = await createCategory<{ id: string; code: string }>(t, { defaultDepartmentCode: 'ktht' });
    const kase = await postCase(
      t.app,
      bearer(ward.tokens.intake),
      caseBody(ward.code, { channel: 'walk_in', categoryCode: cat.code }),
    );
    const off = await call(t.app, req('POST', `/api/v1/categories/${cat.id}/deactivate`, admin()), 200);
    expect(off.json().active).toBe(false);

    const refused = expectProblem(await file(cat.code), 409) as { detail?: string; type?: string };
    expect(refused.detail).toContain(cat.code);
    expect(refused.detail).toMatch(/ngừng sử dụng/);
    expect(
      (await call(t.app, req('GET', `/api/v1/cases/${kase.id}`, admin()), 200)).json().categoryCode,
    ).toBe(cat.code);
    const services = (await call(t.app, req('GET', '/open311/v2/services.json', {}), 200)).json();
    expect(services.map((s: { service_code: string }) => s.service_code)).not.toContain(cat.code);
    // Listed only when asked for the deactivated ones.
    const listed = (
      await call(t.app, req('GET', '/api/v1/categories?active=false&limit=100', admin()), 200)
    ).json();
    expect(listed.items.map((c: { code: string }) => c.code)).toContain(cat.code);

    await call(t.app, req('POST', `/api/v1/categories/${cat.id}/reactivate`, admin()), 200);
    expect((await file(cat.code)).statusCode).toBe(201);
  });
});

describe('a department', () => {
  it('once deactivated receives no case: intake for its categories answers 409 until the category points elsewhere, and dispatch to it answers 409', async () => {
    const w = await createWard(t);
    const cat = await createCategory<{ id: string; code: string }>(t, { defaultDepartmentCode: 'vhxh' });
    const kept = await postCase(
      t.app,
      bearer(w.tokens.intake),
      caseBody(w.code, { channel: 'walk_in', categoryCode: cat.code }),
    );
    const waiting = await postCase(t.app, bearer(w.tokens.intake), caseBody(w.code, { channel: 'walk_in' }));

    const off = await call(
      t.app,
      req('POST', `/api/v1/departments/${w.departments.culture.id}/deactivate`, admin()),
      200,
    );
    expect(off.json()).toMatchObject({ active: false, code: 'vhxh' });

    const refused = expectProblem(await file(cat.code, w), 409) as { detail?: string };
    expect(refused.detail).toMatch(/ngừng hoạt động/);
    expect(refused.detail).toMatch(/đơn vị mặc định khác/);
    // Other wards' culture departments are not affected.
    expect((await file(cat.code, other)).statusCode).toBe(201);

    const assign = await t.app.inject(
      req('POST', `/api/v1/cases/${waiting.id}/assign`, bearer(w.tokens.intake), {
        departmentId: w.departments.culture.id,
        categoryCode: cat.code,
      }),
    );
    expectProblem(assign, 409);
    // The case it already had stays with it.
    expect(
      (await call(t.app, req('GET', `/api/v1/cases/${kept.id}`, admin()), 200)).json().departmentId,
    ).toBe(w.departments.culture.id);

    // The admin points the category at another department: intake works again.
    await call(
      t.app,
      req('PATCH', `/api/v1/categories/${cat.id}`, admin(), { defaultDepartmentCode: 'ktht' }),
      200,
    );
    const filed = (await file(cat.code, w)).json();
    expect(filed.departmentId).toBe(w.departments.infra.id);

    await call(
      t.app,
      req('POST', `/api/v1/departments/${w.departments.culture.id}/reactivate`, admin()),
      200,
    );
    await call(
      t.app,
      req('POST', `/api/v1/cases/${waiting.id}/assign`, bearer(w.tokens.intake), {
        departmentId: w.departments.culture.id,
        categoryCode: cat.code,
      }),
      200,
    );
  });

  it('is renamed with If-Match; its code stays; a chairman reads only their own ward’s', async () => {
    const id = ward.departments.police.id;
    const one = await call(t.app, req('GET', `/api/v1/departments/${id}`, bearer(ward.tokens.chairman)), 200);
    const renamed = await call(
      t.app,
      req(
        'PATCH',
        `/api/v1/departments/${id}`,
        { ...admin(), 'if-match': one.headers.etag as string },
        { name: 'Công an phường (mới)' },
      ),
      200,
    );
    expect(renamed.json()).toMatchObject({
      name: 'Công an phường (mới)',
      code: 'cap',
      version: one.json().version + 1,
    });
    expectProblem(
      await t.app.inject(req('PATCH', `/api/v1/departments/${id}`, admin(), { code: 'khac' })),
      400,
    );
    expectProblem(
      await t.app.inject(req('GET', `/api/v1/departments/${id}`, bearer(other.tokens.chairman))),
      404,
    );
  });
});

describe('a ward', () => {
  it('once deactivated takes no new case (409); its staff still read; reactivated it takes cases again', async () => {
    const w = await createWard(t);
    const cat = await createCategory<{ code: string }>(t, { defaultDepartmentCode: 'ktht' });
    await call(t.app, req('POST', `/api/v1/wards/${w.id}/deactivate`, admin()), 200);
    const refused = expectProblem(await file(cat.code, w), 409) as { detail?: string };
    expect(refused.detail).toContain(w.code);
    const seen = await call(t.app, req('GET', `/api/v1/wards/${w.id}`, bearer(w.tokens.chairman)), 200);
    expect(seen.json()).toMatchObject({ id: w.id, active: false });
    expectProblem(
      await t.app.inject(req('GET', `/api/v1/wards/${w.id}`, bearer(other.tokens.chairman))),
      404,
    );
    // As curl sends it with the usual headers: JSON declared, no body.
    await call(
      t.app,
      {
        method: 'POST',
        url: `/api/v1/wards/${w.id}/reactivate`,
        headers: { ...admin(), 'content-type': 'application/json' },
        payload: '',
      },
      200,
    );
    expect((await file(cat.code, w)).statusCode).toBe(201);
  });
});

describe('an API client', () => {
  const newClient = async () =>
    (
      await call(
        t.app,
        req('POST', '/api/v1/api-clients', admin(), {
          name: `Smart Hải Phòng ${uid()}`,
          channel: 'smart_haiphong',
        }),
        201,
      )
    ).json() as { id: string; apiKey: string };
  const categoriesWith = (key: string) =>
    t.app.inject(req('GET', '/api/v1/categories', { 'x-api-key': key }));

  it('is revoked: its key is refused at once; reactivated it works again', async () => {
    const c = await newClient();
    expect((await categoriesWith(c.apiKey)).statusCode).toBe(200);
    const off = await call(t.app, req('POST', `/api/v1/api-clients/${c.id}/deactivate`, admin()), 200);
    expect(off.json()).toMatchObject({ id: c.id, active: false });
    expectProblem(await categoriesWith(c.apiKey), 401);
    await call(t.app, req('POST', `/api/v1/api-clients/${c.id}/reactivate`, admin()), 200);
    expect((await categoriesWith(c.apiKey)).statusCode).toBe(200);
  });

  it('has its key rotated: the new key is shown once, the old one stops at once or after the grace the admin chose (at most a day)', async () => {
    const c = await newClient();
    const rotated = await call(t.app, req('POST', `/api/v1/api-clients/${c.id}/rotate`, admin(), {}), 200);
    const fresh = rotated.json().apiKey as string;
    expect(fresh).not.toBe(c.apiKey);
    expectProblem(await categoriesWith(c.apiKey), 401);
    expect((await categoriesWith(fresh)).statusCode).toBe(200);
    // The key is never shown again.
    const read = await call(t.app, req('GET', `/api/v1/api-clients/${c.id}`, admin()), 200);
    expect(read.body).not.toContain(fresh);

    const graced = (
      await call(
        t.app,
        req('POST', `/api/v1/api-clients/${c.id}/rotate`, admin(), { graceSeconds: 3600 }),
        200,
      )
    ).json().apiKey as string;
    expect((await categoriesWith(fresh)).statusCode).toBe(200);
    expect((await categoriesWith(graced)).statusCode).toBe(200);
    // The grace ends: the previous key is refused (moved to the past, as an hour passing would).
    await t.container.db
      .updateTable('api_clients')
      .set({ previous_key_expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', c.id)
      .execute();
    t.container.auth.forgetApiKeys();
    expectProblem(await categoriesWith(fresh), 401);
    expect((await categoriesWith(graced)).statusCode).toBe(200);

    expectProblem(
      await t.app.inject(
        req('POST', `/api/v1/api-clients/${c.id}/rotate`, admin(), { graceSeconds: 86_401 }),
      ),
      400,
      'graceSeconds',
    );
    expectProblem(
      await t.app.inject(req('POST', `/api/v1/api-clients/${c.id}/rotate`, bearer(ward.tokens.chairman), {})),
      403,
    );
    expectProblem(await t.app.inject(req('POST', '/api/v1/api-clients/999999999/rotate', admin(), {})), 404);
  });

  it('is renamed; the list shows active clients unless asked for the revoked ones', async () => {
    const c = await newClient();
    await call(t.app, req('PATCH', `/api/v1/api-clients/${c.id}`, admin(), { name: 'Ứng dụng mới' }), 200);
    await call(t.app, req('POST', `/api/v1/api-clients/${c.id}/deactivate`, admin()), 200);
    const active = (await call(t.app, req('GET', '/api/v1/api-clients?limit=100', admin()), 200)).json();
    expect(active.items.map((x: { id: string }) => x.id)).not.toContain(c.id);
    const revoked = (
      await call(t.app, req('GET', '/api/v1/api-clients?active=false&limit=100', admin()), 200)
    ).json();
    expect(revoked.items.find((x: { id: string }) => x.id === c.id)).toMatchObject({
      name: 'Ứng dụng mới',
      active: false,
    });
  });
});

describe('users as an admin manages them', () => {
  it('are listed by ward, department, role and active; a chairman lists their own ward only', async () => {
    const heads = (
      await call(
        t.app,
        req('GET', `/api/v1/users?wardId=${ward.id}&role=department_head&limit=100`, admin()),
        200,
      )
    ).json();
    expect(heads.items.length).toBe(2);
    expect(
      heads.items.every(
        (u: { role: string; wardId: string }) => u.role === 'department_head' && u.wardId === ward.id,
      ),
    ).toBe(true);
    const infra = (
      await call(
        t.app,
        req('GET', `/api/v1/users?departmentId=${ward.departments.infra.id}&limit=100`, admin()),
        200,
      )
    ).json();
    expect(infra.items.map((u: { role: string }) => u.role).sort()).toEqual([
      'department_head',
      'department_officer',
    ]);

    const mine = (
      await call(t.app, req('GET', '/api/v1/users?limit=100', bearer(ward.tokens.chairman)), 200)
    ).json();
    expect(mine.items.length).toBe(5);
    expect(mine.items.every((u: { wardId: string }) => u.wardId === ward.id)).toBe(true);
    // Another ward is, to a chairman, a ward that does not exist.
    expectProblem(
      await t.app.inject(req('GET', `/api/v1/users?wardId=${other.id}`, bearer(ward.tokens.chairman))),
      404,
    );
    expectProblem(await t.app.inject(req('GET', '/api/v1/users', bearer(ward.tokens.intake))), 403);
    expectProblem(await t.app.inject(req('GET', '/api/v1/users?role=mayor', admin())), 400, 'role');
  });

  it('keep at least one active admin, and nobody deactivates themselves', async () => {
    const me = (await call(t.app, req('GET', '/api/v1/me', admin()), 200)).json();
    expectProblem(await t.app.inject(req('POST', `/api/v1/users/${me.id}/deactivate`, admin())), 409);
  });
});
