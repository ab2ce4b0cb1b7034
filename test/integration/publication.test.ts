import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { type CaseJson, postCase } from '../support/cases.ts';
import { createApiClient, createCategory, createWard, type Ward } from '../support/fixtures.ts';
import { expectProblem } from '../support/problems.ts';

// What may be published (issue 13), tried as an outsider would: every unauthenticated surface — public
// tracking by code, Open311 requests (list and one, JSON and XML) — for a confidential report about a
// security matter, a status_only category, and a public street-light case whose answer is published.

let t: TestApp;
let ward: Ward;
let apiKey: string;
let security: { id: string; code: string; publication: string };
let lighting: { id: string; code: string; publication: string };

const description = 'Có người tụ tập sử dụng ma tuý tại nhà số 8 ngõ 3 vào buổi tối.';
const answer = 'Công an phường đã khám xét nhà số 8 ngõ 3, lập biên bản với Trần Văn Tư và Lê Thị Năm.';
/** What a stranger must never read of the security case. */
const secrets = /ma tuý|ngõ 3|nhà số 8|khám xét|Trần Văn Tư|Lê Thị Năm|0912000888|Hoàng Văn Mười/;

beforeAll(async () => {
  t = await createTestApp();
  ward = await createWard(t);
  apiKey = await createApiClient(t);
  const category = (name: string) =>
    createCategory<typeof security>(t, { name, defaultDepartmentCode: 'ktht' });
  // The publication follows the name when the admin does not say.
  security = await category('An ninh trật tự');
  lighting = await category('Chiếu sáng công cộng');
});
afterAll(() => t.close());

const act = (c: CaseJson, action: string, token: string, payload?: object) =>
  t.app.inject({
    method: 'POST',
    url: `/api/v1/cases/${c.id}/${action}`,
    headers: bearer(token),
    ...(payload ? { payload } : {}),
  });

/** A case reported through the app, answered by the department and closed by the ward office. */
async function closedCase(
  categoryCode: string,
  reporter: object,
  close?: object,
): Promise<CaseJson & { version: number }> {
  const c = await postCase(
    t.app,
    { 'x-api-key': apiKey },
    caseBody(ward.code, {
      categoryCode,
      title: 'Phản ánh',
      description,
      reporter,
      location: { address: 'Nhà số 8 ngõ 3', lat: 20.86, lng: 106.68 },
    }),
  );
  for (const [action, token, payload] of [
    ['accept', ward.tokens.infraHead, undefined],
    ['respond', ward.tokens.infraHead, { answer }],
    ['close', ward.tokens.intake, close],
  ] as const) {
    const res = await act(c, action, token, payload);
    expect(res.statusCode, res.body).toBe(200);
  }
  return (
    await call(
      t.app,
      { method: 'GET', url: `/api/v1/cases/${c.id}`, headers: bearer(ward.tokens.intake) },
      200,
    )
  ).json();
}

/** Every response a stranger gets about the case, without signing in. */
async function unauthenticated(code: string): Promise<string[]> {
  const urls = [
    `/api/v1/public/cases/${code}`,
    `/open311/v2/requests.json?jurisdiction_id=${ward.code}`,
    `/open311/v2/requests.xml?jurisdiction_id=${ward.code}`,
    `/open311/v2/requests/${code}.json`,
    `/open311/v2/requests/${code}.xml`,
    `/open311/v2/requests.json?service_request_id=${code}`,
  ];
  const bodies: string[] = [];
  for (const url of urls) {
    const res = await t.app.inject({ method: 'GET', url });
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    bodies.push(res.body);
  }
  return bodies;
}

describe('what strangers may read', () => {
  it('makes security and complaint categories status_only by their name, others public', () => {
    expect(security.publication).toBe('status_only');
    expect(lighting.publication).toBe('public');
  });

  it('shows nothing of a confidential security report and its answer on any unauthenticated surface', async () => {
    const c = await closedCase(security.code, {
      name: 'Hoàng Văn Mười',
      phone: '0912000888',
      confidential: true,
    });
    expect(c).toMatchObject({
      status: 'closed',
      publication: 'status_only',
      answerPublished: false,
      publicAnswer: null,
    });
    for (const body of await unauthenticated(c.code)) {
      expect(body).toContain(c.code);
      expect(body).not.toMatch(secrets);
    }
    const open311 = (
      await t.app.inject({ method: 'GET', url: `/open311/v2/requests/${c.code}.json` })
    ).json()[0];
    expect(open311).toMatchObject({
      status: 'closed',
      status_notes: 'Hoàn thành',
      description: null,
      address: null,
      lat: null,
      long: null,
      media_url: null,
      agency_responsible: 'Phòng Kinh tế – Hạ tầng – Đô thị',
      service_name: 'An ninh trật tự',
    });
    // The ward office cannot publish what a confidential reporter was told.
    const refused = await act(c, 'publication', ward.tokens.intake, { publish: true });
    expectProblem(refused, 400);
    expect(refused.json().errors[0].path).toBe('publish');
  });

  it('keeps a status_only category’s reports private for a reporter who did not ask', async () => {
    const c = await closedCase(security.code, { name: 'Hoàng Văn Mười', phone: '0912000888' });
    expect(c).toMatchObject({ publication: 'status_only', answerPublished: false });
    for (const body of await unauthenticated(c.code)) expect(body).not.toMatch(secrets);
  });

  it('reveals no more than statuses to someone walking the ward’s codes', async () => {
    const c = await closedCase(security.code, {
      name: 'Hoàng Văn Mười',
      phone: '0912000888',
      confidential: true,
    });
    const [prefix, number] = [c.code.slice(0, c.code.lastIndexOf('-')), Number(c.code.split('-').at(-1))];
    for (let n = Math.max(1, number - 5); n <= number; n++) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/public/cases/${prefix}-${String(n).padStart(4, '0')}`,
      });
      if (res.statusCode === 404) continue;
      const body = res.json();
      expect(body.description).toBeNull();
      expect(res.body).not.toMatch(secrets);
    }
  });

  it('publishes a street-light answer, scrubbed, once the ward office closes the case', async () => {
    const c = await closedCase(lighting.code, { name: 'Trần Văn Tư', phone: '0912000777' });
    expect(c).toMatchObject({ publication: 'public', answerPublished: true });
    expect(c.publicAnswer).toBe(
      'Công an phường đã khám xét nhà số 8 ngõ 3, lập biên bản với *** và Lê Thị Năm.',
    );
    const tracked = (await t.app.inject({ method: 'GET', url: `/api/v1/public/cases/${c.code}` })).json();
    expect(tracked.answer.text).toBe(c.publicAnswer);
    expect(tracked.description).toBeNull();
    const open311 = (
      await t.app.inject({ method: 'GET', url: `/open311/v2/requests/${c.code}.json` })
    ).json()[0];
    expect(open311).toMatchObject({ status_notes: c.publicAnswer, address: 'Nhà số 8 ngõ 3', lat: 20.86 });
    expect(open311.description).toContain('tụ tập');
  });

  it('publishes the ward office’s edited text, keeps the answer as given on the timeline, and lets it unpublish', async () => {
    const edited = 'Đã xử lý xong; đèn đã sáng lại.';
    const c = await closedCase(
      lighting.code,
      { name: 'Trần Văn Tư', phone: '0912000777' },
      { publicAnswer: edited },
    );
    expect(c.publicAnswer).toBe(edited);
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/v1/public/cases/${c.code}` })).json().answer.text,
    ).toBe(edited);
    const events = (
      await call(
        t.app,
        { method: 'GET', url: `/api/v1/cases/${c.id}/events`, headers: bearer(ward.tokens.intake) },
        200,
      )
    ).json().items as { type: string; data: Record<string, unknown> }[];
    expect(events.find((e) => e.type === 'answered')?.data).toMatchObject({ answer });
    expect(events.find((e) => e.type === 'closed')?.data.publication).toEqual({
      published: true,
      publicAnswer: edited,
      publication: 'public',
    });

    const off = await act(c, 'publication', ward.tokens.intake, { publish: false });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toMatchObject({ answerPublished: false, publicAnswer: null, version: c.version + 1 });
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/v1/public/cases/${c.code}` })).json().answer,
    ).toBeNull();
    expectProblem(
      await act(c, 'publication', ward.tokens.intake, { publish: false, publicAnswer: 'x' }),
      400,
    );
    expectProblem(await act(c, 'publication', ward.tokens.infraHead, { publish: true }), 403);
  });

  it('lets an admin change a category’s publication, which every surface follows at once', async () => {
    const c = await closedCase(lighting.code, { name: 'Trần Văn Tư', phone: '0912000777' });
    const other = await createCategory(t, { defaultDepartmentCode: 'ktht' });
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/categories/${lighting.id}`,
      headers: bearer(t.adminToken),
      payload: { publication: 'status_only' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().publication).toBe('status_only');
    try {
      // Its answer was published by decision at closing: that stands; its description no longer shows.
      const open311 = (
        await t.app.inject({ method: 'GET', url: `/open311/v2/requests/${c.code}.json` })
      ).json()[0];
      expect(open311.description).toBeNull();
      expect(open311.address).toBeNull();
      expectProblem(
        await t.app.inject({
          method: 'PATCH',
          url: `/api/v1/categories/${other.id}`,
          headers: bearer(ward.tokens.intake),
          payload: { publication: 'public' },
        }),
        403,
      );
    } finally {
      await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/categories/${lighting.id}`,
        headers: bearer(t.adminToken),
        payload: { publication: 'public' },
      });
    }
  });

  it('shows the reporter their own case in full through the token of their link, and a wrong token nothing', async () => {
    const c = await closedCase(security.code, {
      name: 'Hoàng Văn Mười',
      phone: '0912000888',
      confidential: true,
    });
    const nonce = await t.container.db
      .selectFrom('cases')
      .select('tracking_nonce')
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    const token = await t.container.tracking.tokenOf(nonce.tracking_nonce as string);
    const own = await t.app.inject({ method: 'GET', url: `/api/v1/public/cases/${c.code}?t=${token}` });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json()).toMatchObject({
      view: 'reporter',
      description,
      answer: { text: answer },
    });
    const wrong = `${token.slice(0, 21)}${token.endsWith('A') ? 'B' : 'A'}`;
    expectProblem(
      await t.app.inject({ method: 'GET', url: `/api/v1/public/cases/${c.code}?t=${wrong}` }),
      404,
    );
    expectProblem(await t.app.inject({ method: 'GET', url: `/api/v1/public/cases/${c.code}?t=short` }), 400);
  });
});
