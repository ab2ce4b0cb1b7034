import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { type CaseJson, postCase } from '../support/cases.ts';
import { createCategory, createWard, type Ward } from '../support/fixtures.ts';
import { expectProblem } from '../support/problems.ts';

// GET /api/v1/public/cases/{code}: a citizen follows a report by its code, without signing in, and
// sees no personal data, not even in the answer staff wrote for them.

let t: TestApp;
let ward: Ward;
let lighting: { code: string };

const phone = '0987654321';
const name = 'Phạm Thị Lan';

beforeAll(async () => {
  t = await createTestApp();
  [ward, lighting] = await Promise.all([createWard(t), createCategory(t, { defaultDepartmentCode: 'ktht' })]);
});
afterAll(() => t.close());

const track = (code: string) => t.app.inject({ method: 'GET', url: `/api/v1/public/cases/${code}` });

async function reported(extra: Record<string, unknown> = {}): Promise<CaseJson> {
  return postCase(
    t.app,
    bearer(ward.tokens.intake),
    caseBody(ward.code, {
      channel: 'hotline_1022',
      categoryCode: lighting.code,
      reporter: { name, phone, confidential: false },
      ...extra,
    }),
  );
}

const act = async (c: CaseJson, action: string, payload?: object) =>
  call(
    t.app,
    {
      method: 'POST',
      url: `/api/v1/cases/${c.id}/${action}`,
      headers: bearer(ward.tokens.infraHead),
      ...(payload ? { payload } : {}),
    },
    200,
  );

describe('public tracking by code', () => {
  it('shows the status, its label and the deadline to anyone, without sign-in', async () => {
    const c = await reported();
    const res = await track(c.code);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      code: c.code,
      status: 'assigned',
      statusLabel: 'Đã chuyển xử lý',
      receivedAt: c.receivedAt,
      dueAt: c.dueAt,
      categoryName: `Lĩnh vực ${lighting.code}`,
      departmentName: 'Phòng Kinh tế – Hạ tầng – Đô thị',
      answer: null,
      duplicateOfCode: null,
      view: 'public',
      description: null,
    });
    expect(res.headers['x-ratelimit-limit']).toBeDefined();
    // Codes are read in any letter case.
    expect((await track(c.code.toLowerCase())).json().code).toBe(c.code);
  });

  it('publishes the answer once the ward office closes the case, with the reporter’s name and phone numbers hidden', async () => {
    const c = await reported();
    await act(c, 'accept');
    await act(c, 'respond', {
      answer: `Kính gửi bà ${name} (${phone}): đã thay bóng đèn; bà Lan gọi 0912 000 111 nếu còn hỏng.`,
    });
    // Answered is not yet published: the ward office approves the public answer when it closes.
    expect((await track(c.code)).json()).toMatchObject({ status: 'answered', answer: null });
    await call(
      t.app,
      { method: 'POST', url: `/api/v1/cases/${c.id}/close`, headers: bearer(ward.tokens.intake) },
      200,
    );
    const res = await track(c.code);
    const body = res.json();
    expect(body.status).toBe('closed');
    expect(body.answer.text).toBe('Kính gửi bà *** (***): đã thay bóng đèn; bà *** gọi *** nếu còn hỏng.');
    expect(res.body).not.toMatch(/Lan|0987654321|0912 000 111|Phạm/);
    expect(Object.keys(body).sort()).toEqual([
      'answer',
      'categoryName',
      'code',
      'departmentName',
      'description',
      'dueAt',
      'duplicateOfCode',
      'receivedAt',
      'status',
      'statusLabel',
      'view',
    ]);
    expect(body.description).toBeNull();
  });

  it('404 for a code that names no case, 400 for what is not a code', async () => {
    expectProblem(await track(`${ward.code}-200101-9999`), 404);
    expectProblem(await track('not-a-code'), 400);
    expectProblem(await track(`${ward.code}-2001-1`), 400);
  });
});
