import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { listAll } from '../support/cases.ts';
import { type BareWard, createWard, type Ward } from '../support/fixtures.ts';
import { uid } from '../support/ids.ts';

/**
 * The audit trail of administration (issue 16 §3): every change to a ward, department, category,
 * user, API client, calendar, escalation policy or webhook leaves one append-only entry — who, when,
 * from which address, what, before and after — written with the change (a refused change leaves
 * none), never holding a secret; admins read all of it, a chairman their ward's.
 */

type Entry = {
  id: string;
  at: string;
  actor: { id: string | null; username: string };
  address: string | null;
  action: string;
  objectType: string;
  objectId: string;
  wardId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
};

/** The address the admin's changes come from in these tests (app.inject's remoteAddress). */
const address = '203.0.113.7';

let t: TestApp;
let ward: Ward;
let other: BareWard;
let admin: { id: string; username: string };
/** Every secret the tests send or receive, none of which may appear in the trail. */
const secrets: string[] = [];

/** A change by the admin, from `address`. */
const change = (
  opts: Omit<InjectOptions, 'headers'> & { headers?: Record<string, string> },
  expected: number,
) =>
  call(
    t.app,
    {
      ...opts,
      remoteAddress: address,
      headers: { ...bearer(t.adminToken), ...opts.headers },
    } as InjectOptions,
    expected,
  );

async function entries(query: Record<string, string>, token = t.adminToken): Promise<Entry[]> {
  const qs = new URLSearchParams({ limit: '200', ...query }).toString();
  return (
    await call(t.app, { method: 'GET', url: `/api/v1/audit?${qs}`, headers: bearer(token) }, 200)
  ).json().items;
}

/** The entries of one object, oldest first. */
const trailOf = async (objectType: string, objectId: string) =>
  (await entries({ objectType, objectId })).reverse();

/** Each entry's actor and address are the admin's, from `address`. */
function expectByAdmin(list: Entry[]) {
  for (const e of list) {
    expect(e.actor).toEqual(admin);
    expect(e.address).toBe(address);
    expect(Date.now() - Date.parse(e.at)).toBeLessThan(120_000);
  }
}

/** How many entries the admin of this test app has made so far. */
const countMine = async () =>
  (await listAll<Entry>(t.app, `/api/v1/audit?actorId=${admin.id}`, bearer(t.adminToken))).length;

beforeAll(async () => {
  t = await createTestApp();
  [ward, other] = await Promise.all([
    createWard(t),
    createWard(t, { staff: 'none', departments: ['infra'] }),
  ]);
  // Who the test app's admin is, from their token's claims.
  const claims = JSON.parse(Buffer.from(t.adminToken.split('.')[1] as string, 'base64url').toString());
  admin = { id: claims.sub, username: claims.usr };
}, 120_000);
afterAll(() => t.close());

describe('each change leaves an entry: who, from where, what, before and after', () => {
  it('wards: create, rename, deactivate, reactivate', async () => {
    const code = `AU${uid()}`.slice(0, 20);
    const w = (
      await change({ method: 'POST', url: '/api/v1/wards', payload: { code, name: 'Phường Thử' } }, 201)
    ).json();
    await change(
      {
        method: 'PATCH',
        url: `/api/v1/wards/${w.id}`,
        headers: { 'if-match': '"1"' },
        payload: { name: 'Phường Đổi Tên' },
      },
      200,
    );
    await change(
      { method: 'POST', url: `/api/v1/wards/${w.id}/deactivate`, headers: { 'if-match': '"2"' } },
      200,
    );
    await change({ method: 'POST', url: `/api/v1/wards/${w.id}/reactivate` }, 200);
    const trail = await trailOf('ward', w.id);
    expect(trail.map((e) => e.action)).toEqual([
      'ward.create',
      'ward.update',
      'ward.deactivate',
      'ward.reactivate',
    ]);
    expectByAdmin(trail);
    for (const e of trail) expect(e).toMatchObject({ objectType: 'ward', objectId: w.id, wardId: w.id });
    const [created, renamed, deactivated, reactivated] = trail as [Entry, Entry, Entry, Entry];
    expect(created.before).toBeNull();
    expect(created.after).toEqual({
      id: w.id,
      code,
      name: 'Phường Thử',
      officerAnswersNeedApproval: true,
      active: true,
      version: 1,
    });
    expect(renamed.before).toMatchObject({ name: 'Phường Thử', version: 1 });
    expect(renamed.after).toMatchObject({ name: 'Phường Đổi Tên', version: 2 });
    expect(deactivated.before).toMatchObject({ active: true });
    expect(deactivated.after).toMatchObject({ active: false, version: 3 });
    expect(reactivated.after).toMatchObject({ active: true, version: 4 });
  });

  it("departments and categories, each under its ward (categories: none, they are the city's)", async () => {
    const d = (
      await change(
        {
          method: 'POST',
          url: '/api/v1/departments',
          payload: { wardId: ward.id, code: `d${uid()}`.toLowerCase().slice(0, 20), name: 'Phòng Thử' },
        },
        201,
      )
    ).json();
    await change(
      { method: 'PATCH', url: `/api/v1/departments/${d.id}`, payload: { name: 'Phòng Mới' } },
      200,
    );
    await change({ method: 'POST', url: `/api/v1/departments/${d.id}/deactivate` }, 200);
    const dept = await trailOf('department', d.id);
    expect(dept.map((e) => [e.action, e.wardId])).toEqual([
      ['department.create', ward.id],
      ['department.update', ward.id],
      ['department.deactivate', ward.id],
    ]);
    expect(dept[1]?.before).toMatchObject({ name: 'Phòng Thử' });
    expect(dept[1]?.after).toMatchObject({ name: 'Phòng Mới' });
    expectByAdmin(dept);

    const code = `cat_${uid().toLowerCase()}`;
    const sla = {
      normal: { duration: 'P5D', clock: 'working' },
      urgent: { duration: 'PT4H', clock: 'continuous' },
    };
    const c = (
      await change(
        { method: 'POST', url: '/api/v1/categories', payload: { code, name: 'Lĩnh vực thử', sla } },
        201,
      )
    ).json();
    await change(
      {
        method: 'PATCH',
        url: `/api/v1/categories/${c.id}`,
        payload: { sla: { normal: { duration: 'P3D', clock: 'working' } } },
      },
      200,
    );
    await change({ method: 'POST', url: `/api/v1/categories/${c.id}/deactivate` }, 200);
    await change({ method: 'POST', url: `/api/v1/categories/${c.id}/reactivate` }, 200);
    const cat = await trailOf('category', c.id);
    expect(cat.map((e) => e.action)).toEqual([
      'category.create',
      'category.update',
      'category.deactivate',
      'category.reactivate',
    ]);
    for (const e of cat) expect(e.wardId).toBeNull();
    expect(cat[1]?.before).toMatchObject({ sla: { normal: { duration: 'P5D' } } });
    expect(cat[1]?.after).toMatchObject({ sla: { normal: { duration: 'P3D' } } });
    expectByAdmin(cat);
  });

  it('users: create, change, password reset, deactivate — never the password', async () => {
    const password = `pw-${uid()}-bi-mat`;
    const newPassword = `pw-${uid()}-moi-bi-mat`;
    secrets.push(password, newPassword);
    const username = `au-${uid().toLowerCase()}`;
    const u = (
      await change(
        {
          method: 'POST',
          url: '/api/v1/users',
          payload: { username, password, fullName: 'Trần Thị Thử', role: 'intake', wardId: ward.id },
        },
        201,
      )
    ).json();
    await change(
      { method: 'PATCH', url: `/api/v1/users/${u.id}`, payload: { fullName: 'Trần Thị Mới' } },
      200,
    );
    await change({ method: 'POST', url: `/api/v1/users/${u.id}/password`, payload: { newPassword } }, 204);
    await change({ method: 'POST', url: `/api/v1/users/${u.id}/deactivate` }, 200);
    const trail = await trailOf('user', u.id);
    expect(trail.map((e) => e.action)).toEqual([
      'user.create',
      'user.update',
      'user.password_reset',
      'user.deactivate',
    ]);
    expectByAdmin(trail);
    for (const e of trail) expect(e.wardId).toBe(ward.id);
    expect(trail[0]?.after).toMatchObject({
      username,
      fullName: 'Trần Thị Thử',
      role: 'intake',
      wardId: ward.id,
    });
    expect(trail[2]?.before).toMatchObject({ version: 2 });
    expect(trail[2]?.after).toMatchObject({ version: 3 });
    const hash = await t.container.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', u.id)
      .executeTakeFirstOrThrow();
    secrets.push(hash.password_hash);
  });

  it('API clients: create, rename, rotate, deactivate — never a key or its hash', async () => {
    const created = (
      await change(
        { method: 'POST', url: '/api/v1/api-clients', payload: { name: `App ${uid()}`, channel: 'web' } },
        201,
      )
    ).json();
    await change(
      { method: 'PATCH', url: `/api/v1/api-clients/${created.id}`, payload: { name: 'Cổng thông tin' } },
      200,
    );
    const rotated = (
      await change(
        { method: 'POST', url: `/api/v1/api-clients/${created.id}/rotate`, payload: { graceSeconds: 60 } },
        200,
      )
    ).json();
    await change({ method: 'POST', url: `/api/v1/api-clients/${created.id}/deactivate` }, 200);
    secrets.push(created.apiKey, rotated.apiKey);
    const row = await t.container.db
      .selectFrom('api_clients')
      .select(['key_hash', 'previous_key_hash'])
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    secrets.push(row.key_hash, row.previous_key_hash as string);
    const trail = await trailOf('api_client', created.id);
    expect(trail.map((e) => e.action)).toEqual([
      'api_client.create',
      'api_client.update',
      'api_client.rotate',
      'api_client.deactivate',
    ]);
    expectByAdmin(trail);
    const rotation = trail[2] as Entry;
    expect(rotation.before?.keyPrefix).toBe(created.apiKey.slice(0, 12));
    expect(rotation.after).toMatchObject({
      keyPrefix: rotated.keyPrefix,
      previousKeyExpiresAt: rotated.previousKeyExpiresAt,
    });
    expect(trail[3]?.after).toMatchObject({ active: false });
  });

  it("a ward's calendar, its own year of days off, and its escalation ladder", async () => {
    const url = `/api/v1/wards/${ward.id}/calendar`;
    const calendar = (await call(t.app, { method: 'GET', url, headers: bearer(t.adminToken) }, 200)).json();
    const hours = calendar.businessHours.map((h: { weekday: number; start: string; end: string }) =>
      h.weekday === 1 && h.end === '17:00' ? { ...h, end: '16:30' } : h,
    );
    const { timezone, daysOff, workingDays } = calendar;
    await change(
      { method: 'PUT', url, payload: { timezone, businessHours: hours, daysOff, workingDays } },
      200,
    );
    const [put] = await trailOf('calendar', ward.id);
    expect(put).toMatchObject({ action: 'calendar.update', wardId: ward.id });
    expect(put?.before?.businessHours).toEqual(calendar.businessHours);
    expect(put?.after?.businessHours).toEqual(hours);
    expectByAdmin([put as Entry]);

    const yearUrl = `${url}/years/2031`;
    const year = (
      await call(t.app, { method: 'GET', url: yearUrl, headers: bearer(t.adminToken) }, 200)
    ).json();
    await change(
      {
        method: 'PUT',
        url: yearUrl,
        payload: { daysOff: year.daysOff, workingDays: year.workingDays, note: 'Thông báo thử' },
      },
      200,
    );
    await change({ method: 'DELETE', url: yearUrl }, 200);
    const years = await trailOf('calendar_year', `${ward.id}/2031`);
    expect(years.map((e) => e.action)).toEqual(['calendar_year.confirm', 'calendar_year.delete']);
    expect(years[0]?.before).toMatchObject({ year: 2031, status: 'provisional' });
    expect(years[0]?.after).toMatchObject({
      year: 2031,
      status: 'confirmed',
      source: 'ward',
      note: 'Thông báo thử',
    });
    expect(years[1]?.before).toMatchObject({ source: 'ward' });
    expect(years[1]?.after?.source).not.toBe('ward');
    for (const e of years) expect(e.wardId).toBe(ward.id);
    expectByAdmin(years);

    const policyUrl = `/api/v1/wards/${ward.id}/escalation-policy`;
    const policy = (
      await call(t.app, { method: 'GET', url: policyUrl, headers: bearer(t.adminToken) }, 200)
    ).json();
    const changed = { ...policy, steps: policy.steps.slice(0, 1) };
    await change({ method: 'PUT', url: policyUrl, payload: changed }, 200);
    const [ladder] = await trailOf('escalation_policy', ward.id);
    expect(ladder).toMatchObject({
      action: 'escalation_policy.update',
      wardId: ward.id,
      before: policy,
      after: changed,
    });
    expectByAdmin([ladder as Entry]);
  });

  it('webhooks: subscribed and deactivated — never the signing secret', async () => {
    const secret = `whsec-${uid()}-bi-mat-0123456789`;
    secrets.push(secret);
    const hook = (
      await change(
        {
          method: 'POST',
          url: '/api/v1/webhooks',
          payload: { url: 'http://127.0.0.1:9/audit-hook', events: ['case.escalated'], secret },
        },
        201,
      )
    ).json();
    await change({ method: 'DELETE', url: `/api/v1/webhooks/${hook.id}` }, 204);
    // Again: nothing changes, nothing is recorded.
    await change({ method: 'DELETE', url: `/api/v1/webhooks/${hook.id}` }, 204);
    const trail = await trailOf('webhook', hook.id);
    expect(trail.map((e) => e.action)).toEqual(['webhook.create', 'webhook.deactivate']);
    expect(trail[0]?.after).toMatchObject({
      url: 'http://127.0.0.1:9/audit-hook',
      events: ['case.escalated'],
      active: true,
    });
    expect(trail[1]?.after).toMatchObject({ active: false });
    expectByAdmin(trail);
  });
});

describe('a refused change leaves no entry', () => {
  it('stale If-Match (412), a duplicate (409), the last step refused (409), bad input (400)', async () => {
    const before = await countMine();
    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/wards/${ward.id}`,
      headers: { ...bearer(t.adminToken), 'if-match': '"999"' },
      payload: { name: 'Không được đổi' },
    });
    expect(stale.statusCode).toBe(412);
    const duplicate = await t.app.inject({
      method: 'POST',
      url: '/api/v1/wards',
      headers: bearer(t.adminToken),
      payload: { code: ward.code, name: 'Trùng mã' },
    });
    expect(duplicate.statusCode).toBe(409);
    const self = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${admin.id}/deactivate`,
      headers: bearer(t.adminToken),
    });
    expect(self.statusCode).toBe(409);
    const badBinding = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(t.adminToken),
      payload: {
        username: `au-${uid().toLowerCase()}`,
        password: 'pw-0123456789',
        fullName: 'X',
        role: 'intake',
      },
    });
    expect(badBinding.statusCode).toBe(400);
    const missing = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-clients/999999999999/rotate',
      headers: bearer(t.adminToken),
      payload: {},
    });
    expect(missing.statusCode).toBe(404);
    expect(await countMine()).toBe(before);
    expect((await trailOf('ward', ward.id)).some((e) => e.after?.name === 'Không được đổi')).toBe(false);
  });
});

describe('reading the trail', () => {
  it('filters by object, actor and time; pages newest first', async () => {
    const w = (
      await change(
        {
          method: 'POST',
          url: '/api/v1/wards',
          payload: { code: `AP${uid()}`.slice(0, 20), name: 'Phường Trang' },
        },
        201,
      )
    ).json();
    for (let i = 1; i <= 4; i++)
      await change(
        { method: 'PATCH', url: `/api/v1/wards/${w.id}`, payload: { name: `Phường Trang ${i}` } },
        200,
      );
    const all = await entries({ objectType: 'ward', objectId: w.id });
    expect(all).toHaveLength(5);
    const ids = all.map((e) => BigInt(e.id));
    expect([...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).toEqual(ids);
    expect(all[0]?.after).toMatchObject({ name: 'Phường Trang 4' });

    // Two at a time, following nextCursor: the same five, in the same order, none twice.
    const paged: Entry[] = [];
    let cursor: string | null = null;
    do {
      const qs = new URLSearchParams({
        objectType: 'ward',
        objectId: w.id,
        limit: '2',
        ...(cursor ? { cursor } : {}),
      });
      const body = (
        await call(t.app, { method: 'GET', url: `/api/v1/audit?${qs}`, headers: bearer(t.adminToken) }, 200)
      ).json();
      expect(body.items.length).toBeLessThanOrEqual(2);
      paged.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    expect(paged.map((e) => e.id)).toEqual(all.map((e) => e.id));

    const mine = await entries({ actorId: admin.id });
    expect(mine.length).toBeGreaterThanOrEqual(5);
    for (const e of mine) expect(e.actor.id).toBe(admin.id);
    expect(await entries({ objectType: 'ward', objectId: w.id, actorId: '999999999999' })).toEqual([]);

    const first = all.at(-1) as Entry;
    const last = all[0] as Entry;
    expect(await entries({ objectType: 'ward', objectId: w.id, from: first.at, to: last.at })).toHaveLength(
      5,
    );
    expect(
      await entries({
        objectType: 'ward',
        objectId: w.id,
        from: new Date(Date.parse(last.at) + 1).toISOString(),
      }),
    ).toEqual([]);
    expect(
      await entries({
        objectType: 'ward',
        objectId: w.id,
        to: new Date(Date.parse(first.at) - 1).toISOString(),
      }),
    ).toEqual([]);
    const departments = await entries({ objectType: 'department' });
    expect(departments.length).toBeGreaterThan(0);
    for (const e of departments) expect(e.objectType).toBe('department');
  });

  it('refuses from after to, a bad cursor, an unknown object type (400 problem+json)', async () => {
    for (const qs of [
      'from=2026-12-10T10:00:00Z&to=2026-12-10T09:59:59Z',
      'cursor=bm90LWEtY3Vyc29y',
      'objectType=case',
      'actorId=abc',
      'from=yesterday',
    ]) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/audit?${qs}`,
        headers: bearer(t.adminToken),
      });
      expect(res.statusCode, qs).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it("a chairman reads their own ward's entries only; other staff are refused", async () => {
    await change(
      {
        method: 'POST',
        url: '/api/v1/departments',
        payload: { wardId: other.id, code: `x${uid()}`.toLowerCase().slice(0, 20), name: 'Phòng Khác' },
      },
      201,
    );
    await change(
      { method: 'PATCH', url: `/api/v1/wards/${other.id}`, payload: { name: 'Phường Khác Đổi Tên' } },
      200,
    );
    await change(
      { method: 'PATCH', url: `/api/v1/wards/${ward.id}`, payload: { name: `Phường ${ward.code}` } },
      200,
    );

    const seen = await listAll<Entry>(t.app, '/api/v1/audit', bearer(ward.tokens.chairman));
    expect(seen.length).toBeGreaterThan(0);
    for (const e of seen) expect(e.wardId).toBe(ward.id);
    expect(seen.some((e) => e.objectType === 'ward' && e.action === 'ward.update')).toBe(true);
    expect(seen.some((e) => e.objectType === 'user')).toBe(true);
    expect(await entries({ objectType: 'ward', objectId: other.id }, ward.tokens.chairman)).toEqual([]);
    expect((await entries({ objectType: 'ward', objectId: other.id })).length).toBeGreaterThan(0);

    for (const token of [ward.tokens.intake, ward.tokens.infraHead, ward.tokens.infraOfficer]) {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/audit', headers: bearer(token) });
      expect(res.statusCode).toBe(403);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/audit' })).statusCode).toBe(401);
  });
});

describe('the trail itself', () => {
  it('cannot be changed or deleted in the database, not even by its owner', async () => {
    const [latest] = await entries({ actorId: admin.id, limit: '1' });
    const id = (latest as Entry).id;
    const refused = async (statement: ReturnType<typeof sql>) => {
      const err = await statement.execute(t.container.db).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toMatch(/append-only/);
    };
    await refused(sql`UPDATE audit_entries SET action = 'ward.forged' WHERE id = ${id}`);
    await refused(sql`UPDATE audit_entries SET after = NULL, before = '{}' WHERE id = ${id}`);
    await refused(sql`DELETE FROM audit_entries WHERE id = ${id}`);
    await refused(sql`TRUNCATE audit_entries`);
    expect((await entries({ actorId: admin.id, limit: '1' }))[0]).toEqual(latest);
  });

  it('holds no secret: no password, API key, key hash, password hash or webhook secret', async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    const mine = await listAll<Entry>(t.app, `/api/v1/audit?actorId=${admin.id}`, bearer(t.adminToken));
    const stored = await t.container.db
      .selectFrom('audit_entries')
      .select([sql<string>`before::text`.as('before'), sql<string>`after::text`.as('after')])
      .where('actor_id', '=', admin.id)
      .execute();
    expect(stored).toHaveLength(mine.length);
    const text = JSON.stringify([mine, stored]);
    for (const secret of secrets) expect(text.includes(secret), secret.slice(0, 10)).toBe(false);
    // Nor a field that could hold one (the actions may say `password_reset`; the states may not).
    const states = JSON.stringify([
      mine.map((e) => [e.before, e.after]),
      stored.map((r) => [r.before, r.after].map((s) => (s === null ? null : JSON.parse(s)))),
    ]);
    expect(states).not.toMatch(/"[^"]*(password|secret|api_?key|key_?hash|session|token|sid)[^"]*":/i);
    expect(states).not.toContain('$argon2');
  });
});
