import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlaReportRow } from '../../src/modules/reports/sla-report.ts';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { type CaseJson, postCase } from '../support/cases.ts';
import { createCategory, createWard, type Ward } from '../support/fixtures.ts';
import { expectProblem } from '../support/problems.ts';

// GET /api/v1/reports/sla: the on-time report. Its numbers must be what a direct SQL count over
// the same cases gives, in JSON and in CSV.

type Row = SlaReportRow;

let t: TestApp;
let ward: Ward;
let other: Ward;
let lighting: { code: string };
let culture: { code: string };

const db = () => t.container.db;
const bump = sql`version = version + 1`;

beforeAll(async () => {
  t = await createTestApp();
  [ward, other, lighting, culture] = await Promise.all([
    createWard(t),
    createWard(t),
    createCategory(t, { defaultDepartmentCode: 'ktht' }),
    createCategory(t, { defaultDepartmentCode: 'vhxh' }),
  ]);
  const intake = bearer(ward.tokens.intake);
  const head = bearer(ward.tokens.infraHead);
  const post = (extra: Record<string, unknown>, w = ward) =>
    postCase(t.app, bearer(w.tokens.intake), caseBody(w.code, { channel: 'hotline_1022', ...extra }));
  const act = (c: CaseJson, action: string, headers: Record<string, string>, payload?: object) =>
    call(
      t.app,
      { method: 'POST', url: `/api/v1/cases/${c.id}/${action}`, headers, ...(payload ? { payload } : {}) },
      200,
    );

  // Answered on time, closed and rated.
  const onTime = await post({ categoryCode: lighting.code });
  await act(onTime, 'accept', head);
  await act(onTime, 'respond', head, { answer: 'Đã sửa.' });
  await act(onTime, 'close', intake);
  await act(onTime, 'rating', intake, { score: 4 });
  // Answered, but after its deadline.
  const late = await post({ categoryCode: lighting.code, channel: 'walk_in' });
  await act(late, 'accept', head);
  await act(late, 'respond', head, { answer: 'Đã sửa, muộn.' });
  await sql`UPDATE cases SET due_at = answered_at - interval '1 hour', ${bump} WHERE id = ${late.id}`.execute(
    db(),
  );
  // Open and overdue; open and not due.
  const overdue = await post({ categoryCode: lighting.code });
  await sql`UPDATE cases SET due_at = now() - interval '1 hour', ${bump} WHERE id = ${overdue.id}`.execute(
    db(),
  );
  await post({ categoryCode: culture.code, channel: 'smart_haiphong' });
  // Not dispatched (no category), past its acceptance deadline.
  const waiting = await post({});
  await sql`UPDATE cases SET accept_due_at = now() - interval '1 hour', ${bump} WHERE id = ${waiting.id}`.execute(
    db(),
  );
  // Outside the default 30 days, and in another ward.
  const old = await post({ categoryCode: lighting.code });
  await sql`UPDATE cases SET received_at = now() - interval '40 days', ${bump} WHERE id = ${old.id}`.execute(
    db(),
  );
  await post({ categoryCode: lighting.code }, other);
});
afterAll(() => t.close());

const report = (query: string, token = ward.tokens.chairman, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'GET',
    url: `/api/v1/reports/sla?${query}`,
    headers: { ...bearer(token), ...headers },
  });

/** The same figures straight from the table, keyed like the report. */
async function direct(keyExpr: string, wardId: string | null) {
  const rows = await sql<{
    key: string | null;
    received: number;
    answered: number;
    answered_on_time: number;
    overdue_open: number;
    average_rating: string | null;
  }>`
    SELECT ${sql.raw(keyExpr)} AS key, count(*)::int AS received, count(c.answered_at)::int AS answered,
           count(*) FILTER (WHERE c.answered_at <= c.due_at)::int AS answered_on_time,
           count(*) FILTER (WHERE c.status IN ('received', 'assigned', 'in_progress')
             AND (CASE WHEN c.status = 'received' THEN c.accept_due_at ELSE c.due_at END) < now())::int AS overdue_open,
           round(avg(c.rating_score), 2)::text AS average_rating
    FROM cases c LEFT JOIN categories g ON g.id = c.category_id
    WHERE (${wardId}::bigint IS NULL OR c.ward_id = ${wardId}::bigint)
      AND c.received_at >= now() - interval '29 days' - interval '1 day'
    GROUP BY 1`.execute(db());
  return Object.fromEntries(
    rows.rows.map((r) => [
      String(r.key),
      [
        r.received,
        r.answered,
        r.answered_on_time,
        r.overdue_open,
        r.average_rating === null ? null : Number(r.average_rating),
      ],
    ]),
  );
}
const figures = (rows: Row[]) =>
  Object.fromEntries(
    rows.map((r) => [
      String(r.key),
      [r.received, r.answered, r.answeredOnTime, r.overdueOpen, r.averageRating],
    ]),
  );

describe('on-time report', () => {
  it('per department: the numbers a direct SQL count gives, ranked by on-time rate', async () => {
    const res = await report('');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { wardId: string; from: string; to: string; groupBy: string; rows: Row[] };
    expect(body).toMatchObject({ wardId: ward.id, wardName: `Phường ${ward.code}`, groupBy: 'department' });
    expect(figures(body.rows)).toEqual(await direct('c.department_id', ward.id));
    const infra = body.rows.find((r) => r.key === ward.departments.infra.id) as Row;
    expect(infra).toMatchObject({
      received: 3,
      answered: 2,
      answeredOnTime: 1,
      overdueOpen: 1,
      onTimeRate: 0.5,
      averageRating: 4,
    });
    expect(infra.medianAnswerHours).not.toBeNull();
    expect(body.rows.find((r) => r.key === null)).toMatchObject({
      name: 'Chưa phân công',
      received: 1,
      overdueOpen: 1,
    });
    expect(body.rows.map((r) => r.onTimeRate)).toEqual([0.5, null, null]);
  });

  it('per category and per channel, the same way', async () => {
    const byCategory = (await report('groupBy=category')).json().rows as Row[];
    expect(figures(byCategory)).toEqual(await direct('g.code', ward.id));
    const byChannel = (await report('groupBy=channel')).json().rows as Row[];
    expect(figures(byChannel)).toEqual(await direct('c.channel', ward.id));
    expect(byChannel.find((r) => r.key === 'hotline_1022')?.name).toBe('Đường dây nóng 1022');
  });

  it('as CSV: the same rows, for Accept: text/csv and for format=csv', async () => {
    const json = (await report('groupBy=channel')).json().rows as Row[];
    for (const res of [
      await report('groupBy=channel', undefined, { accept: 'text/csv' }),
      await report('groupBy=channel&format=csv'),
    ]) {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toMatch(/attachment; filename=".*\.csv"/);
      const lines = res.body
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n');
      expect(lines[0]).toBe(
        'key,name,received,answered,answeredOnTime,overdueOpen,onTimeRate,medianAnswerHours,averageRating',
      );
      expect(lines.slice(1).map((l) => l.split(',').slice(0, 6))).toEqual(
        json.map((r) =>
          [r.key ?? '', r.name, r.received, r.answered, r.answeredOnTime, r.overdueOpen].map(String),
        ),
      );
    }
  });

  it('as an Excel workbook: the same rows under Vietnamese headings, for Accept and for format=xlsx', async () => {
    const json = (await report('groupBy=department')).json().rows as Row[];
    const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    for (const res of [await report('', undefined, { accept: xlsx }), await report('format=xlsx')]) {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(xlsx);
      expect(res.headers['content-disposition']).toMatch(/attachment; filename=".*\.xlsx"/);
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
      const sheet = book.getWorksheet('Báo cáo');
      expect(sheet?.getRow(1).values).toEqual([
        undefined,
        'Mã',
        'Tên',
        'Tiếp nhận',
        'Đã trả lời',
        'Trả lời đúng hạn',
        'Quá hạn chưa trả lời',
        'Tỷ lệ đúng hạn',
        'Thời gian trả lời (giờ làm việc, trung vị)',
        'Đánh giá trung bình',
      ]);
      const cells: unknown[][] = [];
      sheet?.eachRow((row, n) => {
        if (n > 1) cells.push((row.values as unknown[]).slice(1, 7));
      });
      expect(cells).toEqual(
        json.map((r) => [
          r.key ?? undefined,
          r.name,
          r.received,
          r.answered,
          r.answeredOnTime,
          r.overdueOpen,
        ]),
      );
      const about = book.getWorksheet('Thông tin');
      expect(about?.getRow(2).values).toEqual([undefined, 'Phường/xã', `Phường ${ward.code}`]);
      expect(about?.getRow(5).values).toEqual([undefined, 'Theo', 'Phòng, ban chuyên môn']);
    }
  });

  it('admin: the city without wardId, one ward with it', async () => {
    // Other test files add cases to the same database meanwhile: the city is checked for what this
    // file knows, the ward exactly.
    const city = (await report('groupBy=channel', t.adminToken)).json();
    expect(city).toMatchObject({ wardId: null, wardName: null });
    const wardOnly = (await report(`groupBy=channel&wardId=${ward.id}`, t.adminToken)).json().rows as Row[];
    expect(figures(wardOnly)).toEqual(await direct('c.channel', ward.id));
    const hotline = (rows: Row[]) => rows.find((r) => r.key === 'hotline_1022')?.received ?? 0;
    expect(hotline(city.rows)).toBeGreaterThanOrEqual(hotline(wardOnly) + 1); // the other ward's case
  });

  it('another ward is 403, a department 403, a bad period 400', async () => {
    expectProblem(await report(`wardId=${ward.id}`, other.tokens.chairman), 403);
    expectProblem(await report('', ward.tokens.infraHead), 403);
    expectProblem(await report('from=2026-11-10&to=2026-11-01'), 400, 'from');
    expectProblem(await report('from=2024-01-01&to=2026-11-01'), 400, 'from');
    expectProblem(await report('groupBy=ward'), 400, 'groupBy');
  });
});
