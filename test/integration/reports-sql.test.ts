import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseStatus, Channel } from '../../src/db/types.ts';
import { channels } from '../../src/db/types.ts';
import type { UserPrincipal } from '../../src/modules/auth/principal.ts';
import { slaReportQuery } from '../../src/modules/reports/report-schemas.ts';
import { channelNames, epochMs } from '../../src/modules/reports/report-service.ts';
import {
  type ReportCase,
  type SlaReportRow,
  slaReport,
  slaReportCsv,
} from '../../src/modules/reports/sla-report.ts';
import { defaultCalendar } from '../../src/modules/sla/calendar.ts';
import { loadWardCalendars } from '../../src/modules/sla/calendar-repository.ts';
import { vietnamDayOf, vietnamDayStart } from '../../src/shared/vietnam-day.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { type BareWard, createCategory, createWard } from '../support/fixtures.ts';

// The SLA report adds its counts up in SQL and folds only the answered cases in Node. Its rows must
// be, byte for byte, what the report's pure core gives over every case of the period read whole —
// on cases made to sit on the edges: deadlines and answers within the same millisecond, deadlines a
// fraction of a millisecond around `now`, cases never dispatched, unrated, outside the period.

let t: TestApp;
let wards: BareWard[];
let categories: { id: string; code: string }[];
const now = new Date();
const nowUs = now.getTime() * 1000;
const admin: UserPrincipal = {
  kind: 'user',
  userId: '0',
  username: 'admin',
  role: 'admin',
  wardId: null,
  departmentId: null,
};

/** mulberry32: the same cases every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const statuses: CaseStatus[] = [
  'received',
  'assigned',
  'in_progress',
  'awaiting_info',
  'answered',
  'closed',
  'rejected',
];

beforeAll(async () => {
  t = await createTestApp();
  wards = [await createWard(t, { staff: 'none' }), await createWard(t, { staff: 'none' })];
  categories = await Promise.all([createCategory(t), createCategory(t), createCategory(t)]);
  const random = prng(17);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)] as T;
  const hourUs = 3_600_000_000;
  // An instant as microseconds since the epoch, written exactly (a JavaScript Date has milliseconds).
  const at = (us: number | null) =>
    us === null ? null : sql<Date>`timestamptz 'epoch' + ${Math.round(us)} * interval '1 microsecond'`;
  // At `now`, around it by up to a millisecond, or hours away.
  const deadline = () => {
    const r = random();
    if (r < 0.15) return nowUs;
    return r < 0.35 ? nowUs + Math.round((random() - 0.5) * 2000) : nowUs + (random() - 0.6) * 200 * hourUs;
  };
  const rows = Array.from({ length: 600 }, (_, i) => {
    const ward = pick(wards);
    const status = pick(statuses);
    const receivedUs = nowUs - random() * 45 * 24 * hourUs;
    const dispatched = status !== 'received' && (status !== 'rejected' || random() < 0.3);
    const answered = status === 'answered' || status === 'closed';
    const assignedUs = dispatched && random() < 0.9 ? receivedUs + random() * 30 * hourUs : null;
    const answeredUs = answered ? (assignedUs ?? receivedUs) + random() * 150 * hourUs : null;
    // An answer on its deadline, within its millisecond (either side), a millisecond late, or anywhere.
    const offsetUs = pick([0, 0.4, -0.4, 1.0, 1.5, null]);
    const dueUs =
      !dispatched || random() < 0.1
        ? null
        : answeredUs !== null && offsetUs !== null
          ? Math.floor(answeredUs / 1000) * 1000 + 500 - offsetUs * 1000
          : deadline();
    const department = Object.values(ward.departments);
    return {
      code: `T${i}-${ward.code}`,
      ward_id: ward.id,
      channel: pick(channels) as Channel,
      status,
      urgency: 'normal' as const,
      category_id: random() < 0.15 ? null : pick(categories).id,
      department_id: dispatched || random() < 0.3 ? (pick(department)?.id ?? null) : null,
      description: 'Đèn đường hỏng',
      reporter_phone: '0900000000',
      reporter_confidential: false,
      attachments: '[]',
      received_at: at(receivedUs) as unknown as Date,
      accept_due_at: at(status === 'received' && random() < 0.8 ? deadline() : null),
      assigned_at: at(assignedUs),
      due_at: at(dueUs),
      answered_at: at(answeredUs),
      answer_text: answered ? 'Đã xử lý.' : null,
      paused_at: at(status === 'awaiting_info' ? nowUs - hourUs : null),
      sla_remaining_seconds: status === 'awaiting_info' ? 3600 : null,
      closed_at: at(
        status === 'closed' || status === 'rejected' ? (answeredUs ?? receivedUs) + hourUs : null,
      ),
      reject_reason: status === 'rejected' ? ('unclear' as const) : null,
      rating_score: status === 'closed' && random() < 0.7 ? 1 + Math.floor(random() * 5) : null,
    };
  });
  await t.container.db.insertInto('cases').values(rows).execute();
});
afterAll(() => t.close());

/** The report as it was computed before: every case of the period read whole, folded in Node. */
async function wholeRead(wardId: string | null, from: string, to: string, groupBy: string) {
  const db = t.container.db;
  const ms = (column: string) =>
    sql<number | null>`floor(extract(epoch from ${sql.ref(column)}) * 1000)::float8`;
  let q = db
    .selectFrom('cases as c')
    .leftJoin('departments as d', 'd.id', 'c.department_id')
    .leftJoin('categories as g', 'g.id', 'c.category_id')
    .innerJoin('wards as w', 'w.id', 'c.ward_id')
    .select([
      'c.ward_id',
      'c.status',
      'c.channel',
      'c.department_id',
      'd.name as department_name',
      'w.code as ward_code',
      'g.code as category_code',
      'g.name as category_name',
      'c.rating_score',
      ms('c.assigned_at').as('assigned_ms'),
      ms('c.answered_at').as('answered_ms'),
      ms('c.due_at').as('due_ms'),
      ms('c.accept_due_at').as('accept_due_ms'),
    ])
    .where('c.received_at', '>=', vietnamDayStart(from))
    .where('c.received_at', '<', new Date(vietnamDayStart(to).getTime() + 86_400_000));
  if (wardId) q = q.where('c.ward_id', '=', wardId);
  const rows = await q.execute();
  const date = (x: number | null) => (x === null ? null : new Date(x));
  const cases = rows.map(
    (r): ReportCase => ({
      wardId: r.ward_id,
      ...(groupBy === 'department'
        ? {
            key: r.department_id,
            name:
              r.department_name === null
                ? null
                : wardId
                  ? r.department_name
                  : `${r.department_name} (${r.ward_code})`,
          }
        : groupBy === 'category'
          ? { key: r.category_code, name: r.category_name }
          : { key: r.channel, name: channelNames[r.channel] }),
      status: r.status,
      assignedAt: date(r.assigned_ms),
      answeredAt: date(r.answered_ms),
      dueAt: date(r.due_ms),
      acceptDueAt: date(r.accept_due_ms),
      ratingScore: r.rating_score,
    }),
  );
  const calendars = await loadWardCalendars(db, [...new Set(rows.map((r) => r.ward_id))]);
  return slaReport(cases, (id) => calendars.get(id) ?? defaultCalendar(), now);
}

describe('the SLA report counted in SQL', () => {
  const today = vietnamDayOf(now);
  const periods = [
    { name: 'the default 30 days', from: undefined, to: undefined },
    { name: 'ten days ending a week ago', from: 'D-16', to: 'D-7' },
  ];
  const day = (spec: string | undefined) =>
    spec === undefined
      ? undefined
      : vietnamDayOf(new Date(vietnamDayStart(today).getTime() - Number(spec.slice(2)) * 86_400_000));

  for (const period of periods)
    for (const groupBy of ['department', 'category', 'channel'] as const)
      for (const scope of ['city', 'ward'] as const)
        it(`gives the whole read's rows, byte for byte: ${period.name}, by ${groupBy}, ${scope}`, async () => {
          const wardId = scope === 'ward' ? (wards[0] as BareWard).id : undefined;
          const query = slaReportQuery.parse({
            groupBy,
            ...(wardId ? { wardId } : {}),
            ...(period.from ? { from: day(period.from), to: day(period.to) } : {}),
          });
          const report = await t.container.reports.sla(admin, query, now);
          const expected = await wholeRead(report.wardId, report.from, report.to, groupBy);
          expect(report.rows.length).toBeGreaterThan(2);
          expect(JSON.stringify(report.rows)).toBe(JSON.stringify(expected));
          expect(slaReportCsv(report.rows)).toBe(slaReportCsv(expected));
          // The cases do sit on the edges the report must get right.
          const sum = (f: (r: SlaReportRow) => number) => report.rows.reduce((a, r) => a + f(r), 0);
          expect(sum((r) => r.answered)).toBeGreaterThan(sum((r) => r.answeredOnTime));
          expect(sum((r) => r.answeredOnTime)).toBeGreaterThan(0);
          expect(sum((r) => r.overdueOpen)).toBeGreaterThan(0);
        });
});

describe('epochMs', () => {
  it("gives Postgres's floored epoch milliseconds back from its float seconds, around whole milliseconds and centuries ahead", async () => {
    const { rows } = await sql<{ s: number; m: number }>`
      SELECT date_part('epoch', t) AS s, floor(extract(epoch from t) * 1000)::float8 AS m
      FROM (SELECT timestamptz '2026-12-07 10:00:00.123+07' + i * interval '1 microsecond'
                   + j * interval '3652 days 1 second' AS t
            FROM generate_series(-1500, 1500) i, generate_series(-5, 20) j) x`.execute(t.container.db);
    expect(rows.length).toBe(3001 * 26);
    expect(rows.filter((r) => epochMs(r.s) !== r.m)).toEqual([]);
  });
});
