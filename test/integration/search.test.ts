import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { type CaseJson, listAll, postCase } from '../support/cases.ts';
import { createApiClient, createCategory, createWard, type Ward } from '../support/fixtures.ts';

let t: TestApp;
let ward: Ward;
let lighting: { code: string };
let culture: { code: string };
let c: Record<'lamp' | 'rubbish' | 'noise' | 'flood' | 'refused', CaseJson>;

const nfdDescription = 'Đèn đường trước nhà số 12 bị hỏng, tối om cả ngõ.'.normalize('NFD');

beforeAll(async () => {
  t = await createTestApp();
  let apiKey: string;
  [ward, apiKey, lighting, culture] = await Promise.all([
    createWard(t),
    createApiClient(t, 'smart_haiphong'),
    createCategory(t, { defaultDepartmentCode: 'ktht' }),
    createCategory(t, { defaultDepartmentCode: 'vhxh' }),
  ]);
  const intake = bearer(ward.tokens.intake);
  const common = { location: { address: 'Ngõ 7 Lạch Tray' } };
  // Sequential, so ids (and therefore list order) are known.
  const lamp = await postCase(
    t.app,
    { 'x-api-key': apiKey },
    caseBody(ward.code, {
      ...common,
      categoryCode: lighting.code,
      title: 'Đèn đường hỏng'.normalize('NFD'),
      description: nfdDescription,
      reporter: { name: 'Nguyễn Thị Hường'.normalize('NFD'), phone: '0912345678' },
    }),
  );
  const rubbish = await postCase(
    t.app,
    intake,
    caseBody(ward.code, {
      ...common,
      channel: 'walk_in',
      categoryCode: culture.code,
      title: 'Rác thải',
      description: 'Rác tồn đọng ở ngõ 5, thùng chứa đầy 100% từ hôm qua.',
    }),
  );
  const noise = await postCase(
    t.app,
    intake,
    caseBody(ward.code, {
      ...common,
      channel: 'hotline_1022',
      title: 'Tiếng ồn',
      description: 'Karaoke ồn ào sau 22 giờ, loa mã a_b.',
    }),
  );
  const flood = await postCase(
    t.app,
    intake,
    caseBody(ward.code, {
      ...common,
      channel: 'web',
      urgency: 'urgent',
      categoryCode: lighting.code,
      title: 'Ngập nước',
      description: 'ĐƯỜNG ngập sau mưa, mã axb; nước 100 phân.',
    }),
  );
  const refused = await postCase(
    t.app,
    intake,
    caseBody(ward.code, {
      ...common,
      channel: 'email',
      title: 'Thư điện tử',
      description: 'Nội dung không rõ ràng.',
    }),
  );
  c = {
    lamp: lamp as CaseJson,
    rubbish: rubbish as CaseJson,
    noise: noise as CaseJson,
    flood: flood as CaseJson,
    refused: refused as CaseJson,
  };

  // Test setup straight in the database: past deadlines, a refused case and known receipt times.
  // Every update of a case bumps its version (the schema insists).
  const db = t.container.db;
  const bump = { version: sql<number>`version + 1` };
  const past = new Date(Date.now() - 3_600_000);
  await db
    .updateTable('cases')
    .set({ due_at: past, ...bump })
    .where('id', '=', c.flood.id)
    .execute();
  await db
    .updateTable('cases')
    .set({ accept_due_at: past, ...bump })
    .where('id', '=', c.noise.id)
    .execute();
  await db
    .updateTable('cases')
    .set({ status: 'rejected', reject_reason: 'unclear', closed_at: past, accept_due_at: past, ...bump })
    .where('id', '=', c.refused.id)
    .execute();
  // 2020-01-10 10:00, 2020-01-11 23:30 and 2020-01-12 00:30 in Vietnam (UTC+7).
  const received: [keyof typeof c, string][] = [
    ['lamp', '2020-01-10T03:00:00Z'],
    ['rubbish', '2020-01-11T16:30:00Z'],
    ['noise', '2020-01-11T17:30:00Z'],
  ];
  for (const [k, at] of received)
    await db
      .updateTable('cases')
      .set({ received_at: new Date(at), ...bump })
      .where('id', '=', c[k].id)
      .execute();
});
afterAll(() => t.close());

/** Cases some tests add on the side; the filter tests leave them out. */
const extra = new Set<string>();

/** Ids of the ward's cases matching a query string, as intake sees them (all pages). */
async function ids(query: string, token = ward.tokens.intake): Promise<string[]> {
  const items = await listAll(t.app, `/api/v1/cases?${query}`, bearer(token));
  return items
    .map((x) => x.id)
    .filter((id) => !extra.has(id))
    .sort();
}
const idsOf = (...keys: (keyof typeof c)[]) => keys.map((k) => c[k].id).sort();

describe('Vietnamese text', () => {
  it('stores and returns NFD input in NFC, exactly otherwise', async () => {
    expect(c.lamp.description).toBe(nfdDescription.normalize('NFC'));
    expect(c.lamp.description).not.toBe(nfdDescription);
    expect(c.lamp.title).toBe('Đèn đường hỏng');
    expect(c.lamp.reporter?.name).toBe('Nguyễn Thị Hường');
    const row = await t.container.db
      .selectFrom('cases')
      .select(['title', 'description', 'reporter_name'])
      .where('id', '=', c.lamp.id)
      .executeTakeFirstOrThrow();
    expect(row.description).toBe(nfdDescription.normalize('NFC'));
    expect(row.title).toBe('Đèn đường hỏng'.normalize('NFC'));
    expect(row.reporter_name).toBe('Nguyễn Thị Hường'.normalize('NFC'));
    const again = await call(
      t.app,
      { method: 'GET', url: `/api/v1/cases/${c.lamp.id}`, headers: bearer(ward.tokens.intake) },
      200,
    );
    expect(again.json().description).toBe(nfdDescription.normalize('NFC'));
    expect(again.headers['content-type']).toMatch(/charset=utf-8/i);
  });

  it('keeps punctuation, emoji and mixed scripts byte for byte', async () => {
    const text = 'Phản ánh: “Đường ngập” — ồn ào… ký tự 😀; ổ gà ở Tổ 5 (Ⅻ) & <b>';
    const created = await postCase(
      t.app,
      bearer(ward.tokens.intake),
      caseBody(ward.code, { channel: 'walk_in', title: 'Ổ gà', description: text }),
    );
    extra.add(created.id);
    expect(created.description).toBe(text);
    const got = await call(
      t.app,
      { method: 'GET', url: `/api/v1/cases/${created.id}`, headers: bearer(ward.tokens.intake) },
      200,
    );
    expect(got.json().description).toBe(text);
  });
});

describe('accent-insensitive search', () => {
  it('`den duong` finds "Đèn đường"', async () => {
    expect(await ids(`q=${encodeURIComponent('den duong')}`)).toEqual(idsOf('lamp'));
  });

  it('`DUONG` finds every case with "đường" in any case', async () => {
    expect(await ids('q=DUONG')).toEqual(idsOf('lamp', 'flood'));
  });

  it('accented, upper-case and NFD queries find the same', async () => {
    expect(await ids(`q=${encodeURIComponent('ĐÈN ĐƯỜNG')}`)).toEqual(idsOf('lamp'));
    expect(await ids(`q=${encodeURIComponent('đèn'.normalize('NFD'))}`)).toEqual(idsOf('lamp'));
    // Words long enough not to turn up by chance in the ward's random code, which is searched too.
    expect(await ids(`q=${encodeURIComponent('  KARAOKE   tiếng ')}`)).toEqual(idsOf('noise'));
  });

  it('searches the code and the address too', async () => {
    expect(await ids(`q=${encodeURIComponent(c.rubbish.code)}`)).toEqual(idsOf('rubbish'));
    expect((await ids(`q=${encodeURIComponent('lach tray')}`)).length).toBeGreaterThanOrEqual(5);
  });

  it('`%` and `_` are literal characters, not wildcards', async () => {
    expect(await ids(`q=${encodeURIComponent('%')}`)).toEqual(idsOf('rubbish'));
    expect(await ids(`q=${encodeURIComponent('100%')}`)).toEqual(idsOf('rubbish'));
    expect(await ids(`q=${encodeURIComponent('a_b')}`)).toEqual(idsOf('noise'));
    expect(await ids(`q=${encodeURIComponent('_')}`)).toEqual(idsOf('noise'));
    expect(await ids(`q=${encodeURIComponent('\\')}`)).toEqual([]);
    expect(await ids(`q=${encodeURIComponent("'; --")}`)).toEqual([]);
  });

  it('finds nothing outside the caller scope', async () => {
    // The culture head may not see the lamp case, even by searching for it.
    expect(await ids(`q=${encodeURIComponent('den duong')}`, ward.tokens.cultureHead)).toEqual([]);
    expect(await ids('q=rac', ward.tokens.cultureHead)).toEqual(idsOf('rubbish'));
  });
});

describe('filters', () => {
  it('status: single value and comma list', async () => {
    expect(await ids('status=received')).toEqual(idsOf('noise'));
    expect(await ids('status=rejected')).toEqual(idsOf('refused'));
    expect(await ids('status=received,rejected')).toEqual(idsOf('noise', 'refused'));
    expect(await ids('status=assigned&q=ngap')).toEqual(idsOf('flood'));
    expect(await ids('status=closed')).toEqual([]);
  });

  it('departmentId', async () => {
    expect(await ids(`departmentId=${ward.departments.infra.id}`)).toEqual(idsOf('lamp', 'flood'));
    expect(await ids(`departmentId=${ward.departments.culture.id}`)).toEqual(idsOf('rubbish'));
    expect(await ids(`departmentId=${ward.departments.police.id}`)).toEqual([]);
  });

  it('categoryCode', async () => {
    expect(await ids(`categoryCode=${lighting.code}`)).toEqual(idsOf('lamp', 'flood'));
    expect(await ids(`categoryCode=${culture.code}`)).toEqual(idsOf('rubbish'));
    expect(await ids('categoryCode=no_such_category')).toEqual([]);
  });

  it('channel', async () => {
    expect(await ids('channel=walk_in&q=rac')).toEqual(idsOf('rubbish'));
    expect(await ids('channel=smart_haiphong')).toEqual(idsOf('lamp'));
    expect(await ids('channel=email')).toEqual(idsOf('refused'));
  });

  it('overdue=true lists open cases past their deadline and marks them overdue', async () => {
    expect(await ids('overdue=true')).toEqual(idsOf('noise', 'flood'));
    const items = await listAll(t.app, '/api/v1/cases?overdue=true', bearer(ward.tokens.intake));
    expect(items.every((x) => x.overdue)).toBe(true);
    const rest = await listAll(t.app, '/api/v1/cases?overdue=false', bearer(ward.tokens.intake));
    expect(rest.map((x) => x.id)).not.toContain(c.flood.id);
    expect(rest.every((x) => !x.overdue)).toBe(true);
    const flood = await call(
      t.app,
      { method: 'GET', url: `/api/v1/cases/${c.flood.id}`, headers: bearer(ward.tokens.infraHead) },
      200,
    );
    expect(flood.json().overdue).toBe(true);
  });

  it('receivedFrom / receivedTo take Vietnam calendar days and instants (inclusive)', async () => {
    expect(await ids('receivedFrom=2020-01-11&receivedTo=2020-01-11')).toEqual(idsOf('rubbish'));
    expect(await ids('receivedFrom=2020-01-10&receivedTo=2020-01-12')).toEqual(
      idsOf('lamp', 'rubbish', 'noise'),
    );
    expect(await ids('receivedTo=2020-01-10')).toEqual(idsOf('lamp'));
    expect(await ids('receivedFrom=2020-01-12&status=received')).toEqual(idsOf('noise'));
    expect(
      await ids(
        `receivedFrom=${encodeURIComponent('2020-01-10T03:00:00Z')}&receivedTo=${encodeURIComponent('2020-01-11T16:30:00Z')}`,
      ),
    ).toEqual(idsOf('lamp', 'rubbish'));
    expect(
      await ids(
        `receivedFrom=${encodeURIComponent('2020-01-12T00:00:00+07:00')}&receivedTo=${encodeURIComponent('2020-01-12T01:00:00+07:00')}`,
      ),
    ).toEqual(idsOf('noise'));
  });
});

describe('cursor pagination', () => {
  it('walks every visible case exactly once, newest first, with limit=2', async () => {
    const all = (await listAll(t.app, '/api/v1/cases', bearer(ward.tokens.intake))).map((x) => x.id).sort();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/cases?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const body = (
        await call(t.app, { method: 'GET', url, headers: bearer(ward.tokens.intake) }, 200)
      ).json();
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((x: CaseJson) => x.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    expect(cursor).toBeNull();
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(all);
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(seen).toEqual([...seen].sort((a, b) => Number(b) - Number(a)));
    expect(pages).toBe(Math.ceil(seen.length / 2));
  });

  it('pages a filtered list too', async () => {
    const items = await listAll(
      t.app,
      `/api/v1/cases?departmentId=${ward.departments.infra.id}`,
      bearer(ward.tokens.intake),
      1,
    );
    expect(items.map((x) => x.id)).toEqual([c.flood.id, c.lamp.id]);
  });

  it('the last full page has nextCursor null (no empty trailing page)', async () => {
    const res = await call(
      t.app,
      {
        method: 'GET',
        url: `/api/v1/cases?categoryCode=${lighting.code}&limit=2`,
        headers: bearer(ward.tokens.intake),
      },
      200,
    );
    expect(res.json().items).toHaveLength(2);
    expect(res.json().nextCursor).toBeNull();
  });
});
