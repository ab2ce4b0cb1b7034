import type { CaseStatus } from '../../db/types.ts';
import { isOverdue } from '../cases/case-view.ts';
import type { WardCalendar } from '../sla/calendar.ts';
import { businessSecondsBetween } from '../sla/working-time.ts';

/** One case as the on-time report reads it. */
export type ReportCase = {
  wardId: string;
  key: string | null;
  name: string | null;
  status: CaseStatus;
  assignedAt: Date | null;
  answeredAt: Date | null;
  dueAt: Date | null;
  acceptDueAt: Date | null;
  ratingScore: number | null;
};

export type SlaReportRow = {
  key: string | null;
  name: string;
  received: number;
  answered: number;
  answeredOnTime: number;
  overdueOpen: number;
  onTimeRate: number | null;
  medianAnswerHours: number | null;
  averageRating: number | null;
};

/** What a row without a key (a case not yet dispatched, or unclassified) is called. */
export const unassignedName = 'Chưa phân công';

/**
 * One key's counts over the period, as the report's SQL adds them up (`tallyCases` for cases in
 * memory). Several tallies of one key (one a ward, or ids that name nothing) are added together.
 */
export type ReportTally = {
  key: string | null;
  name: string | null;
  received: number;
  answered: number;
  answeredOnTime: number;
  overdueOpen: number;
  /** How many ratings were given, and their sum. */
  ratings: number;
  ratingSum: number;
};

/** An answered case that had been dispatched: its working hours to the answer make the median. */
export type ReportAnswer = {
  wardId: string;
  key: string | null;
  assignedAt: Date;
  answeredAt: Date;
};

/** Open and past the deadline that is running now: the case view's own rule. */
const overdueNow = (c: ReportCase, now: Date) =>
  isOverdue({ status: c.status, accept_due_at: c.acceptDueAt, due_at: c.dueAt }, now);

/**
 * Cases in memory as the report's SQL tallies them: received, answered (an answer now: answered or
 * closed), answered no later than the deadline that ran, open and past the running deadline now, the
 * ratings given; and the answered, dispatched cases for the median.
 */
export function tallyCases(
  cases: ReportCase[],
  now: Date,
): { tallies: ReportTally[]; answers: ReportAnswer[] } {
  const tallies = cases.map(
    (c): ReportTally => ({
      key: c.key,
      name: c.name,
      received: 1,
      answered: c.answeredAt === null ? 0 : 1,
      answeredOnTime: c.answeredAt !== null && c.dueAt !== null && c.answeredAt <= c.dueAt ? 1 : 0,
      overdueOpen: overdueNow(c, now) ? 1 : 0,
      ratings: c.ratingScore === null ? 0 : 1,
      ratingSum: c.ratingScore ?? 0,
    }),
  );
  const answers = cases.flatMap((c) =>
    c.answeredAt !== null && c.assignedAt !== null
      ? [{ wardId: c.wardId, key: c.key, assignedAt: c.assignedAt, answeredAt: c.answeredAt }]
      : [],
  );
  return { tallies, answers };
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  // A typed array sorts numerically without a comparator: several times faster on a year of answers.
  const s = Float64Array.from(xs).sort();
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
const round = (x: number | null, digits: number) =>
  x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * The on-time report over cases received in the period, one row per key (department, category or
 * channel), best on-time rate first (the ranking), rows without answers last:
 * - received: every case; answered: those with an answer now (answered or closed);
 * - answeredOnTime: answered no later than the deadline that ran;
 * - overdueOpen: still open and past their running deadline now;
 * - onTimeRate: answeredOnTime / answered; medianAnswerHours: from dispatch to answer, in the ward's
 *   working hours; averageRating: of the ratings given.
 */
export function slaReport(
  cases: ReportCase[],
  calendarOf: (wardId: string) => WardCalendar,
  now: Date,
): SlaReportRow[] {
  const { tallies, answers } = tallyCases(cases, now);
  return slaReportOf(tallies, answers, calendarOf);
}

/**
 * The report from its tallies (the counts) and answers (for the median): a row per key, named after
 * the key's first tally, ranked as `slaReport` says.
 */
export function slaReportOf(
  tallies: ReportTally[],
  answers: ReportAnswer[],
  calendarOf: (wardId: string) => WardCalendar,
): SlaReportRow[] {
  const groups = new Map<string | null, ReportTally & { hours: number[] }>();
  for (const t of tallies) {
    const g = groups.get(t.key);
    if (!g) groups.set(t.key, { ...t, hours: [] });
    else {
      g.received += t.received;
      g.answered += t.answered;
      g.answeredOnTime += t.answeredOnTime;
      g.overdueOpen += t.overdueOpen;
      g.ratings += t.ratings;
      g.ratingSum += t.ratingSum;
    }
  }
  for (const a of answers)
    groups
      .get(a.key)
      ?.hours.push(businessSecondsBetween(calendarOf(a.wardId), a.assignedAt, a.answeredAt) / 3600);
  const rows = [...groups.values()].map(
    (g): SlaReportRow => ({
      key: g.key,
      name: g.name ?? unassignedName,
      received: g.received,
      answered: g.answered,
      answeredOnTime: g.answeredOnTime,
      overdueOpen: g.overdueOpen,
      onTimeRate: g.answered ? round(g.answeredOnTime / g.answered, 4) : null,
      medianAnswerHours: round(median(g.hours), 2),
      averageRating: g.ratings ? round(g.ratingSum / g.ratings, 2) : null,
    }),
  );
  return rows.sort(
    (a, b) =>
      (b.onTimeRate ?? -1) - (a.onTimeRate ?? -1) ||
      b.answered - a.answered ||
      a.name.localeCompare(b.name, 'vi'),
  );
}

const csvCell = (v: string | number | null) => {
  if (v === null) return '';
  const s = String(v);
  // Quote what would break a cell; a leading =, +, - or @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) || safe !== s ? `"${safe.replaceAll('"', '""')}"` : safe;
};

const slaReportColumns = [
  'key',
  'name',
  'received',
  'answered',
  'answeredOnTime',
  'overdueOpen',
  'onTimeRate',
  'medianAnswerHours',
  'averageRating',
] as const satisfies readonly (keyof SlaReportRow)[];

/** The report as CSV (RFC 4180, CRLF), with a UTF-8 byte-order mark so that Excel reads Vietnamese. */
export function slaReportCsv(rows: SlaReportRow[]): string {
  const lines = [
    slaReportColumns.join(','),
    ...rows.map((r) => slaReportColumns.map((c) => csvCell(r[c])).join(',')),
  ];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
