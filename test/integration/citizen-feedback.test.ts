import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { type CaseJson, postCase } from '../support/cases.ts';
import { createApiClient, createCategory, createWard, type Ward } from '../support/fixtures.ts';
import { expectProblem } from '../support/problems.ts';

// A citizen rates the answer (1-5, with a comment) and may reopen a closed case within
// REOPEN_WINDOW_DAYS, through the app that filed it or through the ward office; nobody else.

let t: TestApp;
let ward: Ward;
let appKey: string;
let otherAppKey: string;
let lighting: { code: string };

beforeAll(async () => {
  t = await createTestApp({ REOPEN_WINDOW_DAYS: '7' });
  [ward, appKey, otherAppKey, lighting] = await Promise.all([
    createWard(t),
    createApiClient(t),
    createApiClient(t),
    createCategory(t, { defaultDepartmentCode: 'ktht' }),
  ]);
});
afterAll(() => t.close());

const act = (c: CaseJson, action: string, headers: Record<string, string>, payload?: object) =>
  t.app.inject({
    method: 'POST',
    url: `/api/v1/cases/${c.id}/${action}`,
    headers,
    ...(payload ? { payload } : {}),
  });

/** A case filed by the app, answered by the department and closed by the ward office. */
async function closedCase(): Promise<CaseJson> {
  const c = await postCase(
    t.app,
    { 'x-api-key': appKey },
    caseBody(ward.code, { categoryCode: lighting.code }),
  );
  for (const [action, token, payload] of [
    ['accept', ward.tokens.infraHead, undefined],
    ['respond', ward.tokens.infraHead, { answer: 'Đã thay bóng đèn.' }],
    ['close', ward.tokens.intake, undefined],
  ] as const)
    await call(
      t.app,
      {
        method: 'POST',
        url: `/api/v1/cases/${c.id}/${action}`,
        headers: bearer(token),
        ...(payload ? { payload } : {}),
      },
      200,
    );
  return c;
}

describe('rating', () => {
  it('the filing app and the ward office may rate; the rating is on the case', async () => {
    const c = await closedCase();
    let res = await act(c, 'rating', { 'x-api-key': appKey }, { score: 5, comment: 'Rất nhanh' });
    expect(res.statusCode).toBe(200);
    expect(res.json().rating).toEqual({ score: 5, comment: 'Rất nhanh' });
    res = await act(c, 'rating', bearer(ward.tokens.intake), { score: 3 });
    expect(res.json().rating).toEqual({ score: 3, comment: null });
  });

  it('another app gets 404, a department 403, and a score outside 1-5 is a 400', async () => {
    const c = await closedCase();
    expectProblem(await act(c, 'rating', { 'x-api-key': otherAppKey }, { score: 4 }), 404);
    expectProblem(await act(c, 'rating', bearer(ward.tokens.infraHead), { score: 4 }), 403);
    for (const score of [0, 6, 2.5, '5'])
      expectProblem(await act(c, 'rating', { 'x-api-key': appKey }, { score }), 400, 'score');
  });
});

describe('reopen', () => {
  it('within the window: back to the department with a new deadline', async () => {
    const c = await closedCase();
    const res = await act(c, 'reopen', { 'x-api-key': appKey }, { reason: 'Đèn lại hỏng' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'assigned', answer: null, closedAt: null });
    expect(new Date(res.json().dueAt).getTime()).toBeGreaterThan(Date.now());
  });

  it('after REOPEN_WINDOW_DAYS: 409 reopen-window, and the case stays closed', async () => {
    const c = await closedCase();
    await sql`UPDATE cases SET closed_at = now() - interval '8 days', version = version + 1 WHERE id = ${c.id}`.execute(
      t.container.db,
    );
    const res = await act(c, 'reopen', bearer(ward.tokens.intake), { reason: 'Đèn lại hỏng' });
    expectProblem(res, 409);
    expect(res.json().type).toBe('urn:pakn:problem:reopen-window');
    expect(res.json().detail).toMatch(/7 ngày/);
    const after = await call(
      t.app,
      { method: 'GET', url: `/api/v1/cases/${c.id}`, headers: bearer(ward.tokens.intake) },
      200,
    );
    expect(after.json().status).toBe('closed');
  });

  it('another app gets 404', async () => {
    const c = await closedCase();
    expectProblem(await act(c, 'reopen', { 'x-api-key': otherAppKey }, { reason: 'x' }), 404);
  });
});
