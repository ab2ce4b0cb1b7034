import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { postCase } from '../support/cases.ts';
import { createApiClient, createCategory, createWard, type Ward } from '../support/fixtures.ts';

let t: TestApp;
let ward: Ward;
let apiKey: string;
let category: { code: string };

beforeAll(async () => {
  t = await createTestApp();
  ward = await createWard(t);
  apiKey = await createApiClient(t, 'smart_haiphong');
  category = await createCategory(t, {
    sla: {
      normal: { duration: 'PT1H', clock: 'continuous' },
      urgent: { duration: 'PT10M', clock: 'continuous' },
    },
  });
});
afterAll(() => t.close());

const post = (url: string, token: string, payload?: object, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { ...bearer(token), ...headers },
    ...(payload ? { payload } : {}),
  });

async function newCase(extra: Record<string, unknown> = {}) {
  return postCase(
    t.app,
    { 'x-api-key': apiKey },
    caseBody(ward.code, { categoryCode: category.code, ...extra }),
  );
}

async function pendingTimers(caseId: string) {
  return t.container.db
    .selectFrom('case_timers')
    .select(['step', 'generation', 'due_at'])
    .where('case_id', '=', caseId)
    .where('status', '=', 'pending')
    .execute();
}

describe('the case lifecycle', () => {
  it('walks from intake to reopen, one event per action, timers following the deadline', async () => {
    const c = await newCase();
    expect(c.status).toBe('received');
    const { intake, infraHead } = ward.tokens;
    const base = `/api/v1/cases/${c.id}`;

    let res = await post(`${base}/assign`, intake, {
      departmentId: ward.departments.infra.id,
      note: 'Chuyển phòng KT-HT-ĐT',
    });
    expect(res.statusCode).toBe(200);
    const assigned = res.json();
    expect(assigned.status).toBe('assigned');
    expect(assigned.departmentId).toBe(ward.departments.infra.id);
    expect(new Date(assigned.dueAt).getTime() - new Date(assigned.assignedAt).getTime()).toBe(3_600_000);
    expect((await pendingTimers(c.id)).map((x) => x.step).sort()).toEqual([
      'chairman',
      'overdue',
      'reminder',
    ]);

    res = await post(`${base}/accept`, infraHead);
    expect(res.json().status).toBe('in_progress');

    res = await post(`${base}/request-info`, infraHead, { note: 'Đề nghị cung cấp ảnh chụp' });
    expect(res.json().status).toBe('awaiting_info');
    expect(await pendingTimers(c.id)).toHaveLength(0);

    res = await post(`${base}/resume`, infraHead);
    const resumed = res.json();
    expect(resumed.status).toBe('in_progress');
    // About an hour was left when the clock stopped; about an hour is left again.
    const left = new Date(resumed.dueAt).getTime() - Date.now();
    expect(left).toBeGreaterThan(3_500_000);
    expect(left).toBeLessThanOrEqual(3_600_000);
    expect(await pendingTimers(c.id)).toHaveLength(3);

    res = await post(`${base}/extension-requests`, infraHead, {
      extendBy: 'PT2H',
      reason: 'Chờ đơn vị điện lực',
    });
    expect(res.statusCode).toBe(201);
    const ext = res.json();
    expect(ext).toMatchObject({ status: 'pending', extendBy: 'PT2H', reason: 'Chờ đơn vị điện lực' });
    res = await post(`${base}/extension-requests`, infraHead, { extendBy: 'PT1H', reason: 'Lần nữa' });
    expect(res.statusCode).toBe(409);

    res = await post(`${base}/extension-requests/${ext.id}/approve`, intake);
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('approved');
    const extended = (await call(t.app, { method: 'GET', url: base, headers: bearer(intake) }, 200)).json();
    expect(new Date(extended.dueAt).getTime() - new Date(resumed.dueAt).getTime()).toBe(7_200_000);
    const overdueTimer = (await pendingTimers(c.id)).find((x) => x.step === 'overdue');
    expect(overdueTimer?.due_at.toISOString()).toBe(extended.dueAt);

    // Only the department answers (an officer's answer is a proposal: answer-proposals.test.ts).
    res = await post(`${base}/respond`, ward.tokens.chairman, { answer: 'Đã thay bóng đèn.' });
    expect(res.statusCode).toBe(403);
    res = await post(`${base}/respond`, infraHead, { answer: 'Đã thay bóng đèn.' });
    expect(res.json()).toMatchObject({ status: 'answered', answer: { text: 'Đã thay bóng đèn.' } });
    expect(await pendingTimers(c.id)).toHaveLength(0);

    res = await post(`${base}/refuse-answer`, intake, { note: 'Chưa nêu thời gian thay' });
    expect(res.json()).toMatchObject({ status: 'in_progress', answer: null, dueAt: extended.dueAt });

    res = await post(`${base}/respond`, infraHead, { answer: 'Đã thay bóng đèn ngày 21/11.' });
    expect(res.json().status).toBe('answered');
    res = await post(`${base}/close`, intake);
    expect(res.json().status).toBe('closed');

    res = await t.app.inject({
      method: 'POST',
      url: `${base}/rating`,
      headers: { 'x-api-key': apiKey },
      payload: { score: 4, comment: 'Xử lý nhanh' },
    });
    expect(res.json().rating).toEqual({ score: 4, comment: 'Xử lý nhanh' });

    res = await t.app.inject({
      method: 'POST',
      url: `${base}/reopen`,
      headers: { 'x-api-key': apiKey },
      payload: { reason: 'Đèn lại hỏng' },
    });
    expect(res.json()).toMatchObject({ status: 'assigned', answer: null, closedAt: null });

    const events = (
      await call(t.app, { method: 'GET', url: `${base}/events?limit=200`, headers: bearer(intake) }, 200)
    ).json();
    expect(events.items.map((e: { type: string }) => e.type)).toEqual([
      'received',
      'assigned',
      'accepted',
      'info_requested',
      'resumed',
      'extension_requested',
      'extension_approved',
      'answered',
      'answer_refused',
      'answered',
      'closed',
      'rated',
      'reopened',
    ]);
    const final = (await call(t.app, { method: 'GET', url: base, headers: bearer(intake) }, 200)).json();
    expect(final.version).toBe(events.items.length);
  });

  it('names the current status in a 409 and refuses stale If-Match with 412', async () => {
    const c = await newCase();
    let res = await post(`/api/v1/cases/${c.id}/close`, ward.tokens.intake);
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().detail).toContain('received');

    res = await post(
      `/api/v1/cases/${c.id}/assign`,
      ward.tokens.intake,
      { departmentId: ward.departments.infra.id },
      { 'if-match': '"7"' },
    );
    expect(res.statusCode).toBe(412);
    res = await post(
      `/api/v1/cases/${c.id}/assign`,
      ward.tokens.intake,
      { departmentId: ward.departments.infra.id },
      { 'if-match': `"${c.version}"` },
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe(`"${c.version + 1}"`);
  });

  it('lets exactly one of two conflicting concurrent actions succeed', async () => {
    const c = await newCase();
    await call(
      t.app,
      {
        method: 'POST',
        url: `/api/v1/cases/${c.id}/assign`,
        headers: bearer(ward.tokens.intake),
        payload: { departmentId: ward.departments.infra.id },
      },
      200,
    );
    const results = await Promise.all([
      post(`/api/v1/cases/${c.id}/accept`, ward.tokens.infraHead),
      post(`/api/v1/cases/${c.id}/accept`, ward.tokens.infraOfficer),
      post(`/api/v1/cases/${c.id}/accept`, ward.tokens.infraHead),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409, 409]);
    const events = await t.container.db
      .selectFrom('case_events')
      .select('type')
      .where('case_id', '=', c.id)
      .execute();
    expect(events.filter((e) => e.type === 'accepted')).toHaveLength(1);
  });

  it('keeps department actions to the department: another department gets 404', async () => {
    const c = await newCase();
    await call(
      t.app,
      {
        method: 'POST',
        url: `/api/v1/cases/${c.id}/assign`,
        headers: bearer(ward.tokens.intake),
        payload: { departmentId: ward.departments.infra.id },
      },
      200,
    );
    const res = await post(`/api/v1/cases/${c.id}/accept`, ward.tokens.cultureHead);
    expect(res.statusCode).toBe(404);
    const back = await post(`/api/v1/cases/${c.id}/return`, ward.tokens.infraHead, {
      note: 'Thuộc phòng VH-XH',
    });
    expect(back.json()).toMatchObject({ status: 'received', departmentId: null });
    expect((await pendingTimers(c.id)).map((x) => x.step)).toEqual(['accept_overdue']);
    expect((await post(`/api/v1/cases/${c.id}/accept`, ward.tokens.infraHead)).statusCode).toBe(404);
  });

  it('rejects as duplicate, linking the original', async () => {
    const original = await newCase();
    const dup = await newCase();
    let res = await post(`/api/v1/cases/${dup.id}/reject`, ward.tokens.intake, { reason: 'duplicate' });
    expect(res.statusCode).toBe(400);
    res = await post(`/api/v1/cases/${dup.id}/reject`, ward.tokens.intake, {
      reason: 'duplicate',
      duplicateOf: original.id,
    });
    expect(res.json().status).toBe('rejected');
    const row = await t.container.db
      .selectFrom('cases')
      .select(['duplicate_of', 'reject_reason'])
      .where('id', '=', dup.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ duplicate_of: original.id, reject_reason: 'duplicate' });
    expect(await pendingTimers(dup.id)).toHaveLength(0);
  });
});
