import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { postCase } from '../support/cases.ts';
import { createApiClient, createWard, type Ward } from '../support/fixtures.ts';
import { uid } from '../support/ids.ts';
import { expectProblem } from '../support/problems.ts';

/**
 * Codes are matched without regard to letter case (api.md, issue 16 §5): any case is accepted on
 * input, one canonical form is stored and returned — ward codes in upper case, department and category
 * codes in lower case, as before — wherever a code names an object: in the directory, in a category's
 * default department, at intake, in list filters, in Open311 and in public tracking.
 */
let t: TestApp;
let ward: Ward;
let apiKey: string;
let admin: Record<string, string>;
beforeAll(async () => {
  t = await createTestApp();
  admin = bearer(t.adminToken);
  ward = await createWard(t);
  apiKey = await createApiClient(t);
});
afterAll(() => t.close());

const post = (url: string, payload: object, expected: number) =>
  call(t.app, { method: 'POST', url, headers: admin, payload }, expected);

const sla = {
  normal: { duration: 'P5D', clock: 'working' },
  urgent: { duration: 'PT4H', clock: 'continuous' },
};

/** A category whose code the admin typed in upper case, handled by the ward's culture department (`vhxh`). */
async function upperCaseCategory() {
  const code = `CAT_${uid()}`;
  const res = await post(
    '/api/v1/categories',
    { code, name: `Lĩnh vực ${code}`, defaultDepartmentCode: 'VHXH', sla },
    201,
  );
  return { typed: code, ...(res.json() as { id: string; code: string; defaultDepartmentCode: string }) };
}

describe('directory codes', () => {
  it('takes a ward code in any case and keeps it in upper case; another case of it is a duplicate (409)', async () => {
    const typed = `pHuong_${uid()}`.slice(0, 20);
    const created = (await post('/api/v1/wards', { code: typed, name: 'Phường thử chữ hoa' }, 201)).json();
    expect(created.code).toBe(typed.toUpperCase());
    const read = await call(
      t.app,
      { method: 'GET', url: `/api/v1/wards/${created.id}`, headers: admin },
      200,
    );
    expect(read.json().code).toBe(typed.toUpperCase());
    for (const again of [typed.toLowerCase(), typed.toUpperCase(), ` ${typed} `])
      expectProblem(
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/wards',
          headers: admin,
          payload: { code: again, name: 'Trùng' },
        }),
        409,
      );
  });

  it('takes a department code in upper case (VHXH) and keeps it in lower case; vhxh in any case is then a duplicate', async () => {
    const bare = await createWard(t, { staff: 'none', departments: [] });
    const created = (
      await post(
        '/api/v1/departments',
        { wardId: bare.id, code: 'VHXH', name: 'Phòng Văn hoá – Xã hội' },
        201,
      )
    ).json();
    expect(created.code).toBe('vhxh');
    for (const again of ['vhxh', 'VHXH', 'VhXh'])
      expectProblem(
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/departments',
          headers: admin,
          payload: { wardId: bare.id, code: again, name: 'Trùng mã' },
        }),
        409,
      );
    const listed = await call(
      t.app,
      { method: 'GET', url: `/api/v1/departments?wardId=${bare.id}`, headers: admin },
      200,
    );
    expect(listed.json().items.map((d: { code: string }) => d.code)).toEqual(['vhxh']);
  });

  it('takes category codes and their default department in any case, in lower case from then on', async () => {
    const category = await upperCaseCategory();
    expect(category.code).toBe(category.typed.toLowerCase());
    expect(category.defaultDepartmentCode).toBe('vhxh');
    expectProblem(
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/categories',
        headers: admin,
        payload: { code: category.code, name: 'Trùng', sla },
      }),
      409,
    );
    const patched = await call(
      t.app,
      {
        method: 'PATCH',
        url: `/api/v1/categories/${category.id}`,
        headers: admin,
        payload: { defaultDepartmentCode: 'KTHT' },
      },
      200,
    );
    expect(patched.json().defaultDepartmentCode).toBe('ktht');
    const row = await t.container.db
      .selectFrom('categories')
      .select(['code', 'default_department_code'])
      .where('id', '=', category.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ code: category.code, default_department_code: 'ktht' });
  });

  it('accepts no letter of another script that would fold into a code (Kelvin sign, dotless ı)', async () => {
    for (const code of ['\u212Atht', 'v\u0131ethoa'])
      expectProblem(
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/wards',
          headers: admin,
          payload: { code, name: 'Giả mạo' },
        }),
        400,
        'code',
      );
  });
});

describe('codes that refer to objects', () => {
  it('files a case whose ward and category codes come in another case, routed by the default department typed in upper case', async () => {
    const category = await upperCaseCategory();
    const kase = await postCase(
      t.app,
      { 'x-api-key': apiKey },
      caseBody(ward.code.toLowerCase(), { categoryCode: category.typed.toUpperCase() }),
    );
    expect(kase.code.startsWith(`${ward.code}-`)).toBe(true);
    expect(kase.categoryCode).toBe(category.code);
    expect(kase.status).toBe('assigned');
    expect(kase.departmentId).toBe(ward.departments.culture.id);
  });

  it('filters the case list by a category code in any case', async () => {
    const category = await upperCaseCategory();
    const kase = await postCase(t.app, bearer(ward.tokens.intake), {
      ...caseBody(ward.code, { categoryCode: category.code }),
      channel: 'walk_in',
    });
    const list = await call(
      t.app,
      {
        method: 'GET',
        url: `/api/v1/cases?categoryCode=${category.code.toUpperCase()}`,
        headers: bearer(ward.tokens.intake),
      },
      200,
    );
    expect(list.json().items.map((c: { id: string }) => c.id)).toEqual([kase.id]);
  });

  it('classifies a case while dispatching it with a category code in upper case', async () => {
    const category = await upperCaseCategory();
    const kase = await postCase(t.app, bearer(ward.tokens.intake), {
      ...caseBody(ward.code),
      channel: 'walk_in',
    });
    expect(kase.status).toBe('received');
    const assigned = await call(
      t.app,
      {
        method: 'POST',
        url: `/api/v1/cases/${kase.id}/assign`,
        headers: bearer(ward.tokens.intake),
        payload: { departmentId: ward.departments.culture.id, categoryCode: category.code.toUpperCase() },
      },
      200,
    );
    expect(assigned.json()).toMatchObject({ status: 'assigned', categoryCode: category.code });
  });

  it('tracks a case publicly by its code in any case, answering with the canonical code', async () => {
    const kase = await postCase(t.app, { 'x-api-key': apiKey }, caseBody(ward.code));
    for (const typed of [
      kase.code.toLowerCase(),
      kase.code,
      kase.code.replace(/^./, (c) => c.toLowerCase()),
    ]) {
      const res = await call(t.app, { method: 'GET', url: `/api/v1/public/cases/${typed}` }, 200);
      expect(res.json().code).toBe(kase.code);
    }
  });
});

describe('Open311 codes', () => {
  it('takes jurisdiction_id, service_code and service_request_id in any case and answers with the canonical ones', async () => {
    const category = await upperCaseCategory();
    const services = await call(
      t.app,
      { method: 'GET', url: `/open311/v2/services.json?jurisdiction_id=${ward.code.toLowerCase()}` },
      200,
    );
    expect(services.json().map((s: { service_code: string }) => s.service_code)).toContain(category.code);
    const definition = await call(
      t.app,
      { method: 'GET', url: `/open311/v2/services/${category.code.toUpperCase()}.json` },
      200,
    );
    expect(definition.json().service_code).toBe(category.code);

    const filed = await call(
      t.app,
      {
        method: 'POST',
        url: '/open311/v2/requests.json',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          api_key: apiKey,
          jurisdiction_id: ward.code.toLowerCase(),
          service_code: category.code.toUpperCase(),
          address_string: '12 Lạch Tray',
          phone: '0912345678',
          description: 'Loa phát thanh tổ dân phố 3 hỏng.',
        }).toString(),
      },
      200,
    );
    const code = filed.json()[0].service_request_id as string;
    expect(code.startsWith(`${ward.code}-`)).toBe(true);

    const one = await call(
      t.app,
      { method: 'GET', url: `/open311/v2/requests/${code.toLowerCase()}.json` },
      200,
    );
    expect(one.json()[0]).toMatchObject({ service_request_id: code, service_code: category.code });
    const listed = await call(
      t.app,
      {
        method: 'GET',
        url: `/open311/v2/requests.json?jurisdiction_id=${ward.code.toLowerCase()}&service_code=${category.code.toUpperCase()}`,
      },
      200,
    );
    expect(listed.json().map((r: { service_request_id: string }) => r.service_request_id)).toEqual([code]);
    const byId = await call(
      t.app,
      {
        method: 'GET',
        url: `/open311/v2/requests.json?service_request_id=${code.toLowerCase()},khong-phai-ma`,
      },
      200,
    );
    expect(byId.json().map((r: { service_request_id: string }) => r.service_request_id)).toEqual([code]);
  });
});
