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

/** Open and past the deadline that is running now: the case view's own rule. */
const overdueNow = (c: ReportCase, now: Date) =>
  isOverdue({ status: c.status, accept_due_at: c.acceptDueAt, due_at: c.dueAt }, now);

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
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
  const groups = new Map<string | null, ReportCase[]>();
  for (const c of cases) {
    const g = groups.get(c.key);
    if (g) g.push(c);
    else groups.set(c.key, [c]);
  }
  const rows = [...groups.entries()].map(([key, cs]): SlaReportRow => {
    const answered = cs.filter((c) => c.answeredAt !== null);
    const onTime = answered.filter((c) => c.dueAt !== null && (c.answeredAt as Date) <= c.dueAt);
    const hours = answered
      .filter((c) => c.assignedAt !== null)
      .map(
        (c) =>
          businessSecondsBetween(calendarOf(c.wardId), c.assignedAt as Date, c.answeredAt as Date) / 3600,
      );
    const ratings = cs.flatMap((c) => (c.ratingScore === null ? [] : [c.ratingScore]));
    return {
      key,
      name: cs[0]?.name ?? unassignedName,
      received: cs.length,
      answered: answered.length,
      answeredOnTime: onTime.length,
      overdueOpen: cs.filter((c) => overdueNow(c, now)).length,
      onTimeRate: answered.length ? round(onTime.length / answered.length, 4) : null,
      medianAnswerHours: round(median(hours), 2),
      averageRating: ratings.length ? round(ratings.reduce((a, b) => a + b, 0) / ratings.length, 2) : null,
    };
  });
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
