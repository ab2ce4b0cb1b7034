import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/database.ts';
import { insertIntake } from '../../src/modules/cases/intake-statement.ts';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { createApiClient, createCategory, createWard, type Ward } from '../support/fixtures.ts';
import { uid } from '../support/ids.ts';

let t: TestApp;
let ward: Ward;
let apiKey: string;
let lighting: { code: string };

beforeAll(async () => {
  t = await createTestApp();
  ward = await createWard(t);
  apiKey = await createApiClient(t, 'smart_haiphong');
  lighting = await createCategory(t, { defaultDepartmentCode: 'ktht' });
});
afterAll(() => t.close());

describe('POST /api/v1/cases', () => {
  it('creates a case from the app and assigns it to the category default department', async () => {
    const res = await call(
      t.app,
      {
        method: 'POST',
        url: '/api/v1/cases',
        headers: { 'x-api-key': apiKey },
        payload: caseBody(ward.code, { categoryCode: lighting.code }),
      },
      201,
    );
    const c = res.json();
    expect(c.status).toBe('assigned');
    expect(c.departmentId).toBe(ward.departments.infra.id);
    expect(c.code).toMatch(new RegExp(`^${ward.code}-\\d{6}-\\d{4,}$`));
    expect(c.title).toBe('Đèn đường hỏng');
    expect(c.reporter).toEqual({
      name: 'Nguyễn Văn A',
      phone: '0912345678',
      email: null,
      confidential: false,
    });
    expect(new Date(c.dueAt).getTime()).toBeGreaterThan(new Date(c.receivedAt).getTime());
    expect(c.version).toBe(1);
    expect(res.headers.etag).toBe('"1"');

    const events = await call(
      t.app,
      { method: 'GET', url: `/api/v1/cases/${c.id}/events`, headers: bearer(ward.tokens.intake) },
      200,
    );
    expect(events.json().items.map((e: { type: string }) => e.type)).toEqual(['received', 'assigned']);

    const timers = await t.container.db
      .selectFrom('case_timers')
      .select(['step', 'generation', 'due_at'])
      .where('case_id', '=', c.id)
      .orderBy('due_at')
      .execute();
    expect(timers.map((x) => x.step)).toEqual(['reminder', 'overdue', 'chairman']);
    expect(timers.find((x) => x.step === 'overdue')?.due_at.toISOString()).toBe(c.dueAt);
  });

  it('answers intake with the case exactly as it was stored (the same view GET returns)', async () => {
    const body = caseBody(ward.code, {
      categoryCode: lighting.code,
      urgency: 'urgent',
      reporter: { name: 'Trần Thị Bình', phone: '+84987654321', confidential: true },
      location: { address: 'Ngõ 5 Lạch Tray', residentialGroup: 'Tổ 3', lat: 20.8561234, lng: 106.6812345 },
      attachments: [{ url: 'https://cdn.example.vn/anh/1.jpg', mediaType: 'image/jpeg', name: 'ảnh 1.jpg' }],
    });
    const created = await call(
      t.app,
      { method: 'POST', url: '/api/v1/cases', headers: { 'x-api-key': apiKey }, payload: body },
      201,
    );
    const stored = await call(
      t.app,
      { method: 'GET', url: `/api/v1/cases/${created.json().id}`, headers: bearer(ward.tokens.intake) },
      200,
    );
    expect(created.json()).toEqual(stored.json());
    expect(created.headers.etag).toBe(stored.headers.etag);
  });

  it('keeps an e-mail address beside the reporter’s phone, which it still needs', async () => {
    const post = (reporter: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: { 'x-api-key': apiKey },
        payload: caseBody(ward.code, { reporter }),
      });
    const both = await post({ name: 'Lê Văn C', phone: '0912345678', email: 'le.van.c@example.vn' });
    expect(both.statusCode, both.body).toBe(201);
    expect(both.json().reporter).toEqual({
      name: 'Lê Văn C',
      phone: '0912345678',
      email: 'le.van.c@example.vn',
      confidential: false,
    });
    const read = await call(
      t.app,
      { method: 'GET', url: `/api/v1/cases/${both.json().id}`, headers: bearer(ward.tokens.intake) },
      200,
    );
    expect(read.json().reporter.email).toBe('le.van.c@example.vn');
    // The API's contract: a phone is required here (Open311 takes an e-mail address instead).
    const emailOnly = await post({ email: 'le.van.c@example.vn' });
    expect(emailOnly.statusCode).toBe(400);
    expect(emailOnly.json().errors[0].path).toBe('reporter.phone');
    const badEmail = await post({ phone: '0912345678', email: 'khong-phai-thu' });
    expect(badEmail.statusCode).toBe(400);
    expect(badEmail.json().errors[0].path).toBe('reporter.email');
  });

  it('leaves a case without a category waiting in received with an acceptance deadline', async () => {
    const res = await call(
      t.app,
      {
        method: 'POST',
        url: '/api/v1/cases',
        headers: bearer(ward.tokens.intake),
        payload: caseBody(ward.code, { channel: 'hotline_1022' }),
      },
      201,
    );
    const c = res.json();
    expect(c.status).toBe('received');
    expect(c.departmentId).toBeNull();
    expect(c.dueAt).toBeNull();
    expect(c.acceptDueAt).not.toBeNull();
    const timers = await t.container.db
      .selectFrom('case_timers')
      .select('step')
      .where('case_id', '=', c.id)
      .execute();
    expect(timers.map((x) => x.step)).toEqual(['accept_overdue']);
  });

  it('is idempotent on (channel, externalId) under twelve concurrent identical requests', async () => {
    const body = caseBody(ward.code, { externalId: `1022-${uid()}`, categoryCode: lighting.code });
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/cases',
          headers: { 'x-api-key': apiKey },
          payload: body,
        }),
      ),
    );
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(11);
    expect(new Set(results.map((r) => r.json().id)).size).toBe(1);
    const rows = await t.container.db
      .selectFrom('cases')
      .select('id')
      .where('external_id', '=', body.externalId as string)
      .execute();
    expect(rows).toHaveLength(1);
    const events = await t.container.db
      .selectFrom('case_events')
      .select('id')
      .where('case_id', '=', rows[0]?.id as string)
      .execute();
    expect(events).toHaveLength(2);
  });

  it('joins a caller’s transaction when given its client: rolled back, nothing of the intake stays', async () => {
    const pool = createPool({ url: t.config.DATABASE_URL, poolSize: 1 });
    const client = await pool.connect();
    const externalId = `tx-${uid()}`;
    const now = new Date();
    let caseId = '';
    try {
      await client.query('BEGIN');
      const written = await insertIntake(client, {
        row: {
          codePrefix: `${ward.code}-000000-`,
          ward_id: ward.id,
          channel: 'smart_haiphong',
          external_id: externalId,
          api_client_id: null,
          created_by_user_id: null,
          status: 'received',
          urgency: 'normal',
          category_id: null,
          department_id: null,
          title: null,
          description: 'Phản ánh ghi trong giao dịch của người gọi.',
          reporter_name: null,
          reporter_phone: '0912345678',
          reporter_email: null,
          reporter_confidential: false,
          location_address: null,
          location_residential_group: null,
          location_lat: null,
          location_lng: null,
          attachments: [],
          received_at: now,
          accept_due_at: new Date(now.getTime() + 86_400_000),
          assigned_at: null,
          due_at: null,
        },
        events: [
          {
            type: 'received',
            actor_type: 'system',
            actor_user_id: null,
            actor_api_client_id: null,
            from_status: null,
            to_status: 'received',
            data: {},
          },
        ],
        timers: [{ step: 'accept_overdue', dueAt: new Date(now.getTime() + 86_400_000) }],
        message: null,
        duplicates: null,
        sharedIdChannels: [],
        created: {},
      });
      caseId = written?.case.id ?? '';
      expect(written?.case.code).toMatch(new RegExp(`^${ward.code}-000000-\\d{4,}$`));
      const inside = await client.query('SELECT count(*)::int AS n FROM case_events WHERE case_id = $1', [
        caseId,
      ]);
      expect(inside.rows[0]).toEqual({ n: 1 });
      await client.query('ROLLBACK');
    } finally {
      client.release();
      await pool.end();
    }
    const count = (table: 'cases' | 'case_events' | 'case_timers', column: 'id' | 'case_id') =>
      t.container.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where(column, '=', caseId)
        .executeTakeFirstOrThrow();
    expect(await count('cases', 'id')).toEqual({ n: '0' });
    expect(await count('case_events', 'case_id')).toEqual({ n: '0' });
    expect(await count('case_timers', 'case_id')).toEqual({ n: '0' });
  });

  it('keeps case codes unique past 9 999 (the number is padded, never cut)', async () => {
    // Only ever forward: other test files draw from the same sequence.
    await sql`SELECT setval('case_code_seq', greatest(9998, (SELECT last_value FROM case_code_seq)))`.execute(
      t.container.db,
    );
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call(
        t.app,
        {
          method: 'POST',
          url: '/api/v1/cases',
          headers: { 'x-api-key': apiKey },
          payload: caseBody(ward.code),
        },
        201,
      );
      codes.push(res.json().code);
    }
    expect(new Set(codes).size).toBe(3);
    for (const code of codes) {
      const n = Number(code.split('-').at(-1));
      expect(n).toBeGreaterThanOrEqual(9999);
      expect(code.endsWith(`-${n}`)).toBe(true);
    }
  });
});
