import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { type CaseJson, listAll, postCase } from '../support/cases.ts';
import { createCategory, createWard, type Ward } from '../support/fixtures.ts';

// A ward's search first reads its newest CASE_SEARCH_WINDOW cases and turns to the trigram index only
// when they do not fill the page (case-service list). Here the window is 3 cases, so both passes and
// the hand-over between them run on a handful of cases; the pages must be exactly those of a plain
// filter over the whole list.

let t: TestApp;
let ward: Ward;
let other: Ward;
/** c[0] is the oldest. "cống" is in 0, 1, 5, 6, 7; "hẻm" in 0 and 1 only; 2-4 are about lamps. */
const c: CaseJson[] = [];
const culvert = [0, 1, 5, 6, 7];

beforeAll(async () => {
  t = await createTestApp({ CASE_SEARCH_WINDOW: '3' });
  [ward, other] = await Promise.all([createWard(t), createWard(t)]);
  const infra = await createCategory(t, { defaultDepartmentCode: 'ktht' });
  const texts = [
    'Cống thoát nước trong hẻm 4 bị tắc.',
    'Hẻm 9: nắp cống vỡ, nguy hiểm.',
    'Đèn chiếu sáng hỏng.',
    'Đèn nhấp nháy cả đêm.',
    'Đèn tắt từ tối qua.',
    'Cống bốc mùi.',
    'CỐNG tràn nước ra đường.',
    'Nước cống đen kịt.',
  ];
  // One by one, so ids follow the order above. Odd ones go to the infrastructure department.
  for (const [i, description] of texts.entries())
    c.push(
      await postCase(
        t.app,
        bearer(ward.tokens.intake),
        caseBody(ward.code, {
          channel: i % 3 === 0 ? 'hotline_1022' : 'walk_in',
          title: `Phản ánh ${i}`,
          description,
          location: { address: 'Tổ 3' },
          ...(i % 2 === 1 ? { categoryCode: infra.code } : {}),
        }),
      ),
    );
  await postCase(
    t.app,
    bearer(other.tokens.intake),
    caseBody(other.code, { channel: 'walk_in', description: 'Cống tắc.' }),
  );
});
afterAll(() => t.close());

/** Pages of ids, newest first, following nextCursor. */
async function pages(query: string, limit: number, token = ward.tokens.intake): Promise<number[][]> {
  const out: number[][] = [];
  let cursor: string | null = null;
  do {
    const url: string = `/api/v1/cases?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const body = (await call(t.app, { method: 'GET', url, headers: bearer(token) }, 200)).json();
    out.push(body.items.map((x: CaseJson) => c.findIndex((k) => k.id === x.id)));
    cursor = body.nextCursor;
  } while (cursor && out.length < 20);
  return out;
}
const newestFirst = (idx: number[]) => [...idx].sort((a, b) => b - a);
const chunk = (xs: number[], n: number) =>
  Array.from({ length: Math.max(1, Math.ceil(xs.length / n)) }, (_, i) => xs.slice(i * n, i * n + n));

describe('search window', () => {
  it('pages the same whether the newest cases fill a page or the index is needed', async () => {
    // limit 2: the first page comes from the window (7, 6, 5 all match), the second does not fill
    // from the window after 6 (5, 4, 3: one match) and comes from the index, and so on.
    for (const limit of [1, 2, 3, 4, 10])
      expect(await pages('q=cong', limit), `limit ${limit}`).toEqual(chunk(newestFirst(culvert), limit));
    // Only in cases older than any window: always the index.
    expect(await pages('q=hem', 1)).toEqual([[1], [0]]);
    expect(await pages(`q=${encodeURIComponent('HẺM cống')}`, 5)).toEqual([[1, 0]]);
    expect(await pages('q=khong%20co', 2)).toEqual([[]]);
  });

  it('applies the other filters inside the window', async () => {
    expect((await pages('q=cong&channel=hotline_1022', 1)).flat()).toEqual([6, 0]);
    expect((await pages('q=cong&status=received', 1)).flat()).toEqual([6, 0]);
    expect((await pages('q=cong&status=assigned', 2)).flat()).toEqual([7, 5, 1]);
  });

  it('keeps a department head to the department in both passes', async () => {
    expect(await pages('q=cong', 1, ward.tokens.infraHead)).toEqual([[7], [5], [1]]);
    expect(await pages('q=hem', 1, ward.tokens.infraHead)).toEqual([[1]]);
    expect(await pages('q=cong', 1, ward.tokens.cultureHead)).toEqual([[]]);
  });
});

describe('case codes in q', () => {
  it('finds the case by its whole code in any letter case, and only in the caller scope', async () => {
    const code = (c[3] as CaseJson).code;
    expect((await pages(`q=${code}`, 5)).flat()).toEqual([3]);
    expect((await pages(`q=${code.toLowerCase()}`, 5)).flat()).toEqual([3]);
    expect((await pages(`q=${code}%20den`, 5)).flat()).toEqual([3]);
    expect((await pages(`q=${code}%20cong`, 5)).flat()).toEqual([]);
    const elsewhere = await listAll(t.app, `/api/v1/cases?q=${code}`, bearer(other.tokens.intake));
    expect(elsewhere).toEqual([]);
  });

  it('a part of a code still searches the text', async () => {
    const prefix = (c[3] as CaseJson).code.split('-').slice(0, 2).join('-');
    const sameDay = c.flatMap((k, i) => (k.code.startsWith(prefix) ? [i] : []));
    expect(sameDay).toContain(3);
    expect((await pages(`q=${prefix}`, 20)).flat()).toEqual(newestFirst(sameDay));
  });
});
