import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { createCategory, createWard, type Ward } from '../support/fixtures.ts';

let t: TestApp;
let ward: Ward;
let other: Ward;

beforeAll(async () => {
  t = await createTestApp();
  ward = await createWard(t);
  other = await createWard(t);
});
afterAll(() => t.close());

const get = (url: string, token: string) => t.app.inject({ method: 'GET', url, headers: bearer(token) });
const put = (url: string, token: string, payload: object) =>
  t.app.inject({ method: 'PUT', url, headers: bearer(token), payload });

describe('ward calendar', () => {
  it('starts from the official 2026 calendar and computes deadlines with it', async () => {
    const cal = (
      await call(
        t.app,
        { method: 'GET', url: `/api/v1/wards/${ward.id}/calendar`, headers: bearer(ward.tokens.intake) },
        200,
      )
    ).json();
    expect(cal.timezone).toBe('Asia/Ho_Chi_Minh');
    expect(cal.daysOff).toContain('2026-02-17');
    expect(cal.workingDays).toEqual(['2026-01-10', '2026-08-22']);

    // Received Friday before Tết: one working day ends on the first working day after the holiday.
    const res = await get(
      `/api/v1/wards/${ward.id}/calendar/deadline?from=${encodeURIComponent('2026-02-13T15:00:00+07:00')}&duration=P1D&clock=working`,
      ward.tokens.chairman,
    );
    expect(res.statusCode).toBe(200);
    expect(new Date(res.json().dueAt).toISOString()).toBe(
      new Date('2026-02-23T17:00:00+07:00').toISOString(),
    );

    const mixed = await get(
      `/api/v1/wards/${ward.id}/calendar/deadline?from=2026-02-13T15:00:00Z&duration=P1DT2H`,
      ward.tokens.intake,
    );
    expect(mixed.statusCode).toBe(400);
  });

  it('is replaced by admins only, validated, and used by intake at once', async () => {
    const calendar = {
      timezone: 'Asia/Ho_Chi_Minh',
      businessHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
      daysOff: [],
      workingDays: [],
    };
    expect((await put(`/api/v1/wards/${ward.id}/calendar`, ward.tokens.intake, calendar)).statusCode).toBe(
      403,
    );

    const bad = await put(`/api/v1/wards/${ward.id}/calendar`, t.adminToken, {
      ...calendar,
      businessHours: [{ weekday: 1, start: '11:00', end: '08:00' }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('businessHours[0]');

    const ok = await put(`/api/v1/wards/${ward.id}/calendar`, t.adminToken, calendar);
    expect(ok.statusCode).toBe(200);

    // Around the clock: an 8-working-hour acceptance deadline is 8 wall-clock hours.
    const c = (
      await call(
        t.app,
        {
          method: 'POST',
          url: '/api/v1/cases',
          headers: bearer(ward.tokens.intake),
          payload: caseBody(ward.code, { channel: 'walk_in' }),
        },
        201,
      )
    ).json();
    expect(new Date(c.acceptDueAt).getTime() - new Date(c.receivedAt).getTime()).toBe(8 * 3_600_000);
  });

  it('is another ward’s business: 404 for its staff', async () => {
    expect((await get(`/api/v1/wards/${ward.id}/calendar`, other.tokens.intake)).statusCode).toBe(404);
    expect((await get(`/api/v1/wards/${ward.id}/escalation-policy`, other.tokens.chairman)).statusCode).toBe(
      404,
    );
  });
});

describe('escalation policy', () => {
  it('defaults to the four-step ladder and can be replaced', async () => {
    const policy = (
      await call(
        t.app,
        {
          method: 'GET',
          url: `/api/v1/wards/${other.id}/escalation-policy`,
          headers: bearer(other.tokens.intake),
        },
        200,
      )
    ).json();
    expect(policy.steps.map((s: { key: string }) => s.key)).toEqual([
      'accept_overdue',
      'reminder',
      'overdue',
      'chairman',
    ]);

    const custom = {
      acceptWithin: { duration: 'PT30S', clock: 'continuous' },
      steps: [
        {
          key: 'overdue',
          anchor: 'dueAt',
          offset: 'PT0S',
          clock: 'continuous',
          notify: ['intake', 'department_head'],
        },
        { key: 'chairman', anchor: 'dueAt', offset: 'PT10S', clock: 'continuous', notify: ['chairman'] },
      ],
    };
    const dupKeys = await put(`/api/v1/wards/${other.id}/escalation-policy`, t.adminToken, {
      ...custom,
      steps: [custom.steps[0], custom.steps[0]],
    });
    expect(dupKeys.statusCode).toBe(400);
    expect((await put(`/api/v1/wards/${other.id}/escalation-policy`, t.adminToken, custom)).statusCode).toBe(
      200,
    );

    const category = await createCategory(t, {
      defaultDepartmentCode: 'ktht',
      sla: {
        normal: { duration: 'PT60S', clock: 'continuous' },
        urgent: { duration: 'PT30S', clock: 'continuous' },
      },
    });
    const c = (
      await call(
        t.app,
        {
          method: 'POST',
          url: '/api/v1/cases',
          headers: bearer(other.tokens.intake),
          payload: caseBody(other.code, { channel: 'walk_in', categoryCode: category.code }),
        },
        201,
      )
    ).json();
    const timers = await t.container.db
      .selectFrom('case_timers')
      .select(['step', 'due_at'])
      .where('case_id', '=', c.id)
      .orderBy('due_at')
      .execute();
    expect(timers.map((x) => x.step)).toEqual(['overdue', 'chairman']);
    expect(timers[1]?.due_at.getTime()).toBe(new Date(c.dueAt).getTime() + 10_000);
  });
});
