import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, req, type TestApp } from '../support/app.ts';
import { createCategory, createWard, type Ward } from '../support/fixtures.ts';
import { expectProblem } from '../support/problems.ts';

/**
 * Answer templates (issue 17) through /api/v1: the department head writes the department's, its staff
 * read them, so do the ward office and the chairman of its ward; another department's or ward's is
 * 404; a change at a stale version is 412; bad input is a problem naming the field.
 */
let t: TestApp;
let ward: Ward;
let other: Ward;
let lighting: string;
let roads: string;

type Template = {
  id: string;
  departmentId: string;
  wardId: string;
  categoryCode: string | null;
  title: string;
  body: string;
  active: boolean;
  version: number;
  updatedBy: { id: string; name: string } | null;
};

beforeAll(async () => {
  t = await createTestApp();
  [ward, other] = await Promise.all([createWard(t), createWard(t)]);
  [lighting, roads] = (await Promise.all([createCategory(t), createCategory(t)])).map((c) => c.code) as [
    string,
    string,
  ];
}, 180_000);
afterAll(() => t.close());

const create = async (token: string, body: object) =>
  (await call(t.app, req('POST', '/api/v1/answer-templates', bearer(token), body), 201)).json() as Template;
const list = async (token: string, query = '') =>
  (await call(t.app, req('GET', `/api/v1/answer-templates${query}`, bearer(token)), 200)).json() as {
    items: Template[];
    nextCursor: string | null;
  };
const ids = (items: Template[]) => items.map((i) => i.id).sort();

describe('a department head', () => {
  it('adds templates to their own department, for a category or any, text kept in NFC', async () => {
    const decomposed = 'Kính gửi ông/bà'.normalize('NFD');
    const created = await create(ward.tokens.infraHead, {
      categoryCode: lighting.toUpperCase(),
      title: '  Đã sửa đèn  ',
      body: `${decomposed}, đèn đường đã được thay.`,
    });
    expect(created).toMatchObject({
      departmentId: ward.departments.infra.id,
      wardId: ward.id,
      categoryCode: lighting,
      title: 'Đã sửa đèn',
      body: 'Kính gửi ông/bà, đèn đường đã được thay.',
      active: true,
      version: 1,
    });
    expect(created.updatedBy?.name).toBeTruthy();
    const any = await create(ward.tokens.infraHead, {
      title: 'Chung',
      body: 'Cảm ơn {{ten_nguoi_phan_anh}}.',
    });
    expect(any.categoryCode).toBeNull();
  });

  it("lists a category's templates with those for any category, not another category's", async () => {
    const forLighting = await create(ward.tokens.infraHead, {
      categoryCode: lighting,
      title: 'Đèn',
      body: 'A',
    });
    const forRoads = await create(ward.tokens.infraHead, { categoryCode: roads, title: 'Đường', body: 'B' });
    const forAny = await create(ward.tokens.infraHead, { categoryCode: null, title: 'Chung', body: 'C' });
    const listed = (await list(ward.tokens.infraHead, `?categoryCode=${lighting}&limit=200`)).items;
    const listedIds = listed.map((i) => i.id);
    expect(listedIds).toContain(forLighting.id);
    expect(listedIds).toContain(forAny.id);
    expect(listedIds).not.toContain(forRoads.id);
    expect(listed.every((i) => i.categoryCode === lighting || i.categoryCode === null)).toBe(true);
  });

  it('changes one only at the version they saw (ETag / If-Match, 412 when stale), and deactivates it', async () => {
    const created = await create(ward.tokens.infraHead, {
      categoryCode: lighting,
      title: 'Cũ',
      body: 'Nội dung cũ',
    });
    const read = await call(
      t.app,
      req('GET', `/api/v1/answer-templates/${created.id}`, bearer(ward.tokens.infraOfficer)),
      200,
    );
    expect(read.headers.etag).toBe('"1"');
    const patched = await call(
      t.app,
      req(
        'PATCH',
        `/api/v1/answer-templates/${created.id}`,
        { ...bearer(ward.tokens.infraHead), 'if-match': '"1"' },
        {
          body: 'Nội dung mới',
          categoryCode: null,
        },
      ),
      200,
    );
    expect(patched.headers.etag).toBe('"2"');
    expect(patched.json()).toMatchObject({
      body: 'Nội dung mới',
      title: 'Cũ',
      categoryCode: null,
      version: 2,
    });

    const stale = await t.app.inject(
      req(
        'PATCH',
        `/api/v1/answer-templates/${created.id}`,
        { ...bearer(ward.tokens.infraHead), 'if-match': '"1"' },
        {
          title: 'Đè lên',
        },
      ),
    );
    expectProblem(stale, 412);
    const staleOff = await t.app.inject(
      req('POST', `/api/v1/answer-templates/${created.id}/deactivate`, {
        ...bearer(ward.tokens.infraHead),
        'if-match': '"1"',
      }),
    );
    expectProblem(staleOff, 412);

    const off = await call(
      t.app,
      req('POST', `/api/v1/answer-templates/${created.id}/deactivate`, {
        ...bearer(ward.tokens.infraHead),
        'if-match': '"2"',
      }),
      200,
    );
    expect(off.json()).toMatchObject({ active: false, version: 3, title: 'Cũ' });
    const active = (await list(ward.tokens.infraHead, '?active=true&limit=200')).items.map((i) => i.id);
    expect(active).not.toContain(created.id);
    const inactive = (await list(ward.tokens.infraHead, '?active=false&limit=200')).items.map((i) => i.id);
    expect(inactive).toContain(created.id);
    const back = await call(
      t.app,
      req('POST', `/api/v1/answer-templates/${created.id}/reactivate`, bearer(ward.tokens.infraHead)),
      200,
    );
    expect(back.json()).toMatchObject({ active: true, version: 4 });
  });

  it('gets a problem naming the field for bad input, and nothing is stored', async () => {
    const before = (await list(ward.tokens.cultureHead, '?limit=200')).items.length;
    const bad = async (body: object, field: string) =>
      expectProblem(
        await t.app.inject(req('POST', '/api/v1/answer-templates', bearer(ward.tokens.cultureHead), body)),
        400,
        field,
      );
    await bad({ title: '', body: 'Nội dung' }, 'title');
    await bad({ title: 'Tiêu đề', body: '   ' }, 'body');
    await bad({ title: 'Tiêu đề', body: 'x'.repeat(10_001) }, 'body');
    await bad({ title: 'Tiêu đề', body: 'Có NUL \u0000 ở đây' }, 'body');
    await bad({ title: 'Tiêu đề', body: 'Nội dung', categoryCode: 'không hợp lệ' }, 'categoryCode');
    await bad({ title: 'Tiêu đề', body: 'Nội dung', categoryCode: 'khong_co_linh_vuc_nay' }, 'categoryCode');
    expect((await list(ward.tokens.cultureHead, '?limit=200')).items.length).toBe(before);

    const created = await create(ward.tokens.cultureHead, { title: 'Văn hoá', body: 'Nội dung' });
    expectProblem(
      await t.app.inject(
        req('PATCH', `/api/v1/answer-templates/${created.id}`, bearer(ward.tokens.cultureHead), {}),
      ),
      400,
    );
    expectProblem(
      await t.app.inject(
        req('PATCH', `/api/v1/answer-templates/${created.id}`, bearer(ward.tokens.cultureHead), {
          categoryCode: 'khong_co_linh_vuc_nay',
        }),
      ),
      400,
      'categoryCode',
    );
    const unchanged = await call(
      t.app,
      req('GET', `/api/v1/answer-templates/${created.id}`, bearer(ward.tokens.cultureHead)),
      200,
    );
    expect(unchanged.json()).toMatchObject({ version: 1, categoryCode: null });
  });
});

describe('scope', () => {
  let infraTemplate: Template;
  let cultureTemplate: Template;
  let elsewhere: Template;
  beforeAll(async () => {
    [infraTemplate, cultureTemplate, elsewhere] = await Promise.all([
      create(ward.tokens.infraHead, { title: 'Hạ tầng', body: 'A' }),
      create(ward.tokens.cultureHead, { title: 'Văn hoá', body: 'B' }),
      create(other.tokens.infraHead, { title: 'Phường khác', body: 'C' }),
    ]);
  });

  it("department staff read their own department's templates only; another's is 404", async () => {
    const officer = ids((await list(ward.tokens.infraOfficer, '?limit=200')).items);
    expect(officer).toContain(infraTemplate.id);
    expect(officer).not.toContain(cultureTemplate.id);
    expect(officer).not.toContain(elsewhere.id);
    for (const id of [cultureTemplate.id, elsewhere.id])
      expectProblem(
        await t.app.inject(req('GET', `/api/v1/answer-templates/${id}`, bearer(ward.tokens.infraOfficer))),
        404,
      );
    expectProblem(
      await t.app.inject(
        req(
          'GET',
          `/api/v1/answer-templates?departmentId=${ward.departments.culture.id}`,
          bearer(ward.tokens.infraOfficer),
        ),
      ),
      404,
    );
  });

  it("the ward office and the chairman read their ward's, by department, not another ward's", async () => {
    for (const token of [ward.tokens.intake, ward.tokens.chairman]) {
      const all = ids((await list(token, '?limit=200')).items);
      expect(all).toEqual(expect.arrayContaining([infraTemplate.id, cultureTemplate.id]));
      expect(all).not.toContain(elsewhere.id);
      const culture = (await list(token, `?departmentId=${ward.departments.culture.id}&limit=200`)).items;
      expect(culture.map((i) => i.id)).toContain(cultureTemplate.id);
      expect(culture.every((i) => i.departmentId === ward.departments.culture.id)).toBe(true);
      await call(t.app, req('GET', `/api/v1/answer-templates/${cultureTemplate.id}`, bearer(token)), 200);
      expectProblem(
        await t.app.inject(req('GET', `/api/v1/answer-templates/${elsewhere.id}`, bearer(token))),
        404,
      );
      expectProblem(
        await t.app.inject(
          req('GET', `/api/v1/answer-templates?departmentId=${other.departments.infra.id}`, bearer(token)),
        ),
        404,
      );
    }
  });

  it('only a head writes (403 for the other roles), and only their own department (404)', async () => {
    for (const token of [ward.tokens.infraOfficer, ward.tokens.intake, ward.tokens.chairman, t.adminToken]) {
      expectProblem(
        await t.app.inject(req('POST', '/api/v1/answer-templates', bearer(token), { title: 'X', body: 'Y' })),
        403,
      );
      expectProblem(
        await t.app.inject(
          req('PATCH', `/api/v1/answer-templates/${infraTemplate.id}`, bearer(token), { title: 'X' }),
        ),
        403,
      );
    }
    for (const id of [cultureTemplate.id, elsewhere.id]) {
      expectProblem(
        await t.app.inject(
          req('PATCH', `/api/v1/answer-templates/${id}`, bearer(ward.tokens.infraHead), { title: 'Chiếm' }),
        ),
        404,
      );
      expectProblem(
        await t.app.inject(
          req('POST', `/api/v1/answer-templates/${id}/deactivate`, bearer(ward.tokens.infraHead)),
        ),
        404,
      );
    }
    const untouched = await call(
      t.app,
      req('GET', `/api/v1/answer-templates/${cultureTemplate.id}`, bearer(ward.tokens.cultureHead)),
      200,
    );
    expect(untouched.json()).toMatchObject({ title: 'Văn hoá', active: true, version: 1 });
  });

  it('without a token is 401', async () => {
    expectProblem(await t.app.inject(req('GET', '/api/v1/answer-templates', {})), 401);
  });
});
