import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { postCase } from '../support/cases.ts';
import { createApiClient, createCategory, createWard, type Ward } from '../support/fixtures.ts';

/**
 * Likely duplicates at intake (DUPLICATE_* settings, defaults: 100 m, 30 days, similarity 0.3): cases
 * of the same ward and category, nearby, recent, not refused, with similar text, returned on the new
 * case as `possibleDuplicates`, most alike first. Each test reports at a map point of its own.
 */

type Dup = { id: string; code: string; distanceMeters: number; similarity: number };
type CaseWithDups = { id: string; code: string; possibleDuplicates: Dup[]; duplicateOf: string | null };

let t: TestApp;
let ward: Ward;
let apiKey: string;
let lighting: { code: string };
let rubbish: { code: string };

const text = {
  title: 'Đèn đường hỏng',
  description: 'Đèn đường trước nhà số 12 tổ dân phố 5 bị hỏng ba ngày nay.',
};
const alike = {
  title: 'Đèn đường không sáng',
  description: 'Đèn đường ở trước số nhà 12 bị hỏng mấy hôm nay rồi.',
};
const unlike = {
  title: 'Rác thải',
  description: 'Rác thải sinh hoạt tập kết ở đầu ngõ 5 đã 3 ngày chưa được thu gom, bốc mùi hôi thối.',
};

/** A point of its own in Hải Phòng, and one `metres` north of it (a degree of latitude is ~111 km). */
let spot = 0;
const newSpot = () => {
  spot += 1;
  return { lat: 20.8 + spot * 0.01, lng: 106.6 };
};
const north = (p: { lat: number; lng: number }, metres: number) => ({
  lat: p.lat + metres / 111_320,
  lng: p.lng,
});

const report = async (
  at: { lat: number; lng: number },
  body: { title: string; description: string },
  extra: Record<string, unknown> = {},
): Promise<CaseWithDups> =>
  (await postCase(
    t.app,
    { 'x-api-key': apiKey },
    caseBody(ward.code, {
      categoryCode: lighting.code,
      ...body,
      location: { address: '12 Lê Lợi', ...at },
      ...extra,
    }),
  )) as unknown as CaseWithDups;

beforeAll(async () => {
  t = await createTestApp();
  ward = await createWard(t);
  apiKey = await createApiClient(t);
  lighting = await createCategory(t, { defaultDepartmentCode: 'ktht' });
  rubbish = await createCategory(t, { defaultDepartmentCode: 'ktht' });
});

afterAll(async () => {
  await t?.close();
});

describe('possible duplicates at intake', () => {
  it('lists a nearby case of the same category with similar text, with its distance and likeness', async () => {
    const at = newSpot();
    const original = await report(at, text);
    expect(original.possibleDuplicates).toEqual([]);
    const again = await report(north(at, 40), alike);
    expect(again.possibleDuplicates).toHaveLength(1);
    const [d] = again.possibleDuplicates;
    expect(d).toMatchObject({ id: original.id, code: original.code });
    expect(d?.distanceMeters).toBeGreaterThanOrEqual(39);
    expect(d?.distanceMeters).toBeLessThanOrEqual(41);
    expect(d?.similarity).toBeGreaterThanOrEqual(0.3);
    expect(d?.similarity).toBeLessThanOrEqual(1);
    // Kept on the case: the ward office sees the same list later.
    const read = await call(
      t.app,
      { method: 'GET', url: `/api/v1/cases/${again.id}`, headers: bearer(ward.tokens.intake) },
      200,
    );
    expect(read.json().possibleDuplicates).toEqual(again.possibleDuplicates);
  });

  it('puts the most alike first and leaves out what is far, different, refused or old', async () => {
    const at = newSpot();
    const same = await report(at, text);
    const similar = await report(north(at, 20), alike);
    await report(north(at, 150), text); // beyond 100 m
    await report(at, unlike); // different text
    await report(at, text, { categoryCode: rubbish.code }); // another category
    const refused = await report(at, text);
    await call(
      t.app,
      {
        method: 'POST',
        url: `/api/v1/cases/${refused.id}/reject`,
        headers: bearer(ward.tokens.intake),
        payload: { reason: 'duplicate', duplicateOf: same.id },
      },
      200,
    );
    const old = await report(at, text);
    await sql`UPDATE cases SET received_at = now() - interval '31 days', version = version + 1 WHERE id = ${old.id}`.execute(
      t.container.db,
    );
    const other = await createWard(t);
    await postCase(
      t.app,
      bearer(other.tokens.intake),
      caseBody(other.code, { channel: 'walk_in', categoryCode: lighting.code, ...text, location: at }),
    );

    const c = await report(at, text);
    expect(c.possibleDuplicates.map((d) => d.code)).toEqual([same.code, similar.code]);
    expect(c.possibleDuplicates[0]).toMatchObject({ distanceMeters: 0, similarity: 1 });
    expect(c.possibleDuplicates[1]?.similarity).toBeLessThan(1);
  });

  it('in a burst of reports about one place, lists the five most alike of the nearest, the same report first', async () => {
    const at = newSpot();
    // Nearest, six reports of something else 5-10 m away; then the same report 20 m away; then 24
    // reports of the place 30-53 m away, alike but not the same. The five nearest alone (the lookup
    // before issue 19) hold nothing alike; the 20 nearest hold the same report and 13 alike ones.
    for (let i = 0; i < 6; i++) await report(north(at, 5 + i), unlike);
    for (let i = 0; i < 24; i++) await report(north(at, 30 + i), alike);
    const same = await report(north(at, 20), text);
    const c = await report(at, text);
    expect(c.possibleDuplicates).toHaveLength(5);
    expect(c.possibleDuplicates[0]).toMatchObject({ id: same.id, distanceMeters: 20, similarity: 1 });
    for (const d of c.possibleDuplicates.slice(1)) {
      expect(d.similarity).toBeLessThan(1);
      expect(d.distanceMeters).toBeGreaterThanOrEqual(30);
    }
  });

  it('looks only when the case has a category and a map point', async () => {
    const at = newSpot();
    await report(at, text);
    const noCategory = await report(at, text, { categoryCode: undefined });
    expect(noCategory.possibleDuplicates).toEqual([]);
    const noPoint = await report(at, text, { location: { address: '12 Lê Lợi' } });
    expect(noPoint.possibleDuplicates).toEqual([]);
  });

  it('answers a retried request with the same case and the same list', async () => {
    const at = newSpot();
    await report(at, text);
    const body = caseBody(ward.code, { categoryCode: lighting.code, ...text, location: at });
    const first = (
      await call(
        t.app,
        { method: 'POST', url: '/api/v1/cases', headers: { 'x-api-key': apiKey }, payload: body },
        201,
      )
    ).json();
    const retry = (
      await call(
        t.app,
        { method: 'POST', url: '/api/v1/cases', headers: { 'x-api-key': apiKey }, payload: body },
        200,
      )
    ).json();
    expect(first.possibleDuplicates).toHaveLength(1);
    expect(retry.id).toBe(first.id);
    expect(retry.possibleDuplicates).toEqual(first.possibleDuplicates);
  });

  it("links a case refused as a duplicate to its original, and the public page names the original's code", async () => {
    const at = newSpot();
    const original = await report(at, text);
    const dup = await report(at, alike);
    const rejected = await call(
      t.app,
      {
        method: 'POST',
        url: `/api/v1/cases/${dup.id}/reject`,
        headers: bearer(ward.tokens.intake),
        payload: { reason: 'duplicate', duplicateOf: dup.possibleDuplicates[0]?.id },
      },
      200,
    );
    expect(rejected.json()).toMatchObject({ status: 'rejected', duplicateOf: original.id });
    const tracked = await call(t.app, { method: 'GET', url: `/api/v1/public/cases/${dup.code}` }, 200);
    expect(tracked.json()).toMatchObject({ status: 'rejected', duplicateOfCode: original.code });
  });

  it('with DUPLICATE_RADIUS_METERS=0 does not look', async () => {
    const off = await createTestApp({ DUPLICATE_RADIUS_METERS: '0' });
    try {
      const at = newSpot();
      await report(at, text);
      const c = (await postCase(
        off.app,
        bearer(ward.tokens.intake),
        caseBody(ward.code, { channel: 'walk_in', categoryCode: lighting.code, ...text, location: at }),
      )) as unknown as CaseWithDups;
      expect(c.possibleDuplicates).toEqual([]);
    } finally {
      await off.close();
    }
  });
});
