import type { CaseStatus } from '../../db/types.ts';
import { escapeHtml } from '../../shared/html.ts';
import { formatDeadline } from '../../shared/vietnam-day.ts';
import { isOverdue } from '../cases/case-view.ts';
import { scrubPersonalData, singleLine } from '../cases/personal-data.ts';
import { statusLabels } from '../cases/status-labels.ts';
import { unassignedName } from '../reports/sla-report.ts';
import type { WardCalendar } from '../sla/calendar.ts';
import { businessSecondsBetween } from '../sla/working-time.ts';

/** Statuses of a case still waiting for its answer. */
export const unansweredStatuses = ['received', 'assigned', 'in_progress', 'awaiting_info'] as const;

/** An unanswered case as the digest reads it. */
export type DigestCaseRow = {
  id: string;
  code: string;
  title: string | null;
  reporterName: string | null;
  /** The reporter asked for confidentiality: the case goes by its code alone. */
  confidential: boolean;
  status: CaseStatus;
  departmentId: string | null;
  receivedAt: Date;
  acceptDueAt: Date | null;
  dueAt: Date | null;
};

/** Who answers for a department's cases: its heads; for cases not dispatched, the ward office. */
export type DigestDepartmentRow = { id: string | null; name: string; heads: string[] };

type DigestCase = {
  id: string;
  code: string;
  title: string;
  status: CaseStatus;
  statusLabel: string;
  /** The deadline that runs now: dispatch (acceptDueAt) while received, the answer (dueAt) after. */
  deadline: string | null;
  late: boolean;
  /** Working hours past the deadline, one decimal; 0 when not late. */
  hoursLate: number;
};

type DigestDepartment = {
  departmentId: string | null;
  name: string;
  heads: string[];
  unanswered: number;
  late: number;
  /** Late cases first (longest late first), then by the nearest deadline. */
  cases: DigestCase[];
};

export type Digest = {
  wardId: string;
  wardName: string;
  timezone: string;
  asOf: string;
  unanswered: number;
  late: number;
  /** Departments with unanswered cases, most late cases first. */
  departments: DigestDepartment[];
};

const deadlineOf = (c: DigestCaseRow) => (c.status === 'received' ? c.acceptDueAt : c.dueAt);

/** The ward's unanswered and late cases by department, as of `now`. */
export function buildDigest(input: {
  ward: { id: string; name: string };
  calendar: WardCalendar;
  cases: DigestCaseRow[];
  departments: DigestDepartmentRow[];
  now: Date;
}): Digest {
  const { calendar, now } = input;
  const byDepartment = new Map<string | null, DigestCase[]>();
  for (const c of input.cases) {
    const deadline = deadlineOf(c);
    const late = isOverdue({ status: c.status, accept_due_at: c.acceptDueAt, due_at: c.dueAt }, now);
    const hoursLate =
      late && deadline ? Math.round(businessSecondsBetween(calendar, deadline, now) / 360) / 10 : 0;
    const view: DigestCase = {
      id: c.id,
      code: c.code,
      // The digest leaves the system by e-mail: no reporter's name or phone in it, a confidential
      // reporter's case by its code alone, and citizen text on one line (a line break in a title must
      // not pass for a line of the report).
      title: c.confidential
        ? '(người phản ánh đề nghị giữ bí mật)'
        : c.title
          ? singleLine(scrubPersonalData(c.title, c.reporterName))
          : '(chưa có tiêu đề)',
      status: c.status,
      statusLabel: statusLabels[c.status],
      deadline: deadline?.toISOString() ?? null,
      late,
      hoursLate,
    };
    const list = byDepartment.get(c.departmentId);
    if (list) list.push(view);
    else byDepartment.set(c.departmentId, [view]);
  }
  const known = new Map(input.departments.map((d) => [d.id, d]));
  const departments = [...byDepartment.entries()].map(([id, cases]): DigestDepartment => {
    cases.sort(
      (a, b) =>
        Number(b.late) - Number(a.late) ||
        b.hoursLate - a.hoursLate ||
        (a.deadline ?? '~').localeCompare(b.deadline ?? '~') ||
        a.code.localeCompare(b.code),
    );
    const d = known.get(id);
    return {
      departmentId: id,
      name: d?.name ?? unassignedName,
      heads: d?.heads ?? [],
      unanswered: cases.length,
      late: cases.filter((c) => c.late).length,
      cases,
    };
  });
  departments.sort(
    (a, b) => b.late - a.late || b.unanswered - a.unanswered || a.name.localeCompare(b.name, 'vi'),
  );
  return {
    wardId: input.ward.id,
    wardName: input.ward.name,
    timezone: calendar.timezone,
    asOf: now.toISOString(),
    unanswered: input.cases.length,
    late: departments.reduce((n, d) => n + d.late, 0),
    departments,
  };
}

/** How many cases of a department a message lists; the counts always cover them all. */
export const listedPerDepartment = 30;

const hoursText = (h: number) =>
  new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 0, maximumFractionDigits: 1 }).format(h);

function caseLine(c: DigestCase, timezone: string): string {
  const deadline = c.deadline ? formatDeadline(new Date(c.deadline), timezone) : 'chưa có hạn';
  const when = c.late ? `quá hạn ${deadline}, trễ ${hoursText(c.hoursLate)} giờ làm việc` : `hạn ${deadline}`;
  return `${c.code} — ${c.title} — ${c.statusLabel}, ${when}`;
}

type DigestMessage = { subject: string; text: string; html: string };

/**
 * The Vietnamese report the ward office sends its chairman: a notification title and the body of
 * the notification and the e-mail (plain text and HTML).
 */
export function renderDigest(digest: Digest, recipientName: string): DigestMessage {
  const asOf = formatDeadline(new Date(digest.asOf), digest.timezone);
  const day = asOf.slice(6);
  const subject =
    digest.unanswered === 0
      ? `Báo cáo PAKN ${digest.wardName} ngày ${day}: không có hồ sơ chưa trả lời`
      : `Báo cáo PAKN ${digest.wardName} ngày ${day}: ${digest.unanswered} hồ sơ chưa trả lời, ${digest.late} quá hạn`;
  const intro = `Bộ phận tiếp nhận phản ánh, kiến nghị ${digest.wardName} báo cáo tình hình hồ sơ chưa trả lời tính đến ${asOf}.`;
  const summary =
    digest.unanswered === 0
      ? 'Không có hồ sơ nào đang chờ trả lời.'
      : `Tổng số hồ sơ chưa trả lời: ${digest.unanswered}, trong đó quá hạn: ${digest.late}.`;

  const text: string[] = [`Kính gửi đồng chí ${recipientName},`, '', intro, summary];
  const html: string[] = [
    `<p>Kính gửi đồng chí ${escapeHtml(recipientName)},</p>`,
    `<p>${escapeHtml(intro)}</p>`,
    `<p><strong>${escapeHtml(summary)}</strong></p>`,
  ];
  digest.departments.forEach((d, i) => {
    const heads = d.heads.length ? d.heads.join(', ') : 'chưa có';
    const who = d.departmentId === null ? 'Cán bộ tiếp nhận' : 'Lãnh đạo đơn vị';
    const header = `${i + 1}. ${d.name} (${who}: ${heads}): ${d.unanswered} chưa trả lời, ${d.late} quá hạn`;
    const listed = d.cases.slice(0, listedPerDepartment);
    const more = d.cases.length - listed.length;
    const moreText = `… và ${more} hồ sơ khác (xem trên hệ thống).`;
    text.push('', header, ...listed.map((c) => `   - ${caseLine(c, digest.timezone)}`));
    if (more > 0) text.push(`   ${moreText}`);
    html.push(
      `<h3>${escapeHtml(header)}</h3>`,
      '<ul>',
      ...listed.map((c) => {
        const line = escapeHtml(caseLine(c, digest.timezone));
        return c.late ? `<li><strong>${line}</strong></li>` : `<li>${line}</li>`;
      }),
      ...(more > 0 ? [`<li>${escapeHtml(moreText)}</li>`] : []),
      '</ul>',
    );
  });
  const footer = 'Báo cáo do hệ thống tiếp nhận phản ánh, kiến nghị gửi tự động.';
  text.push('', footer);
  html.push(`<p><em>${escapeHtml(footer)}</em></p>`);
  return {
    subject,
    text: text.join('\n'),
    html: `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>${html.join('\n')}</body></html>`,
  };
}
