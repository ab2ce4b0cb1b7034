import type { CaseRow } from '../../db/types.ts';
import { isDepartmentRole, type Principal } from '../auth/principal.ts';
import type { CaseWithCategory } from './case-repository.ts';
import type { CaseView } from './case-schemas.ts';
import { publicationOf, publishedAnswer } from './public-view.ts';
import { answerClockRunning, statusLabels } from './status-labels.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Open and past its deadline right now: the ward office's for `received`, the department's after. */
export function isOverdue(row: Pick<CaseRow, 'status' | 'accept_due_at' | 'due_at'>, now: Date): boolean {
  if (row.status === 'received') return row.accept_due_at !== null && row.accept_due_at < now;
  return answerClockRunning.includes(row.status) && row.due_at !== null && row.due_at < now;
}

/** Department staff never see a confidential reporter's identity. */
export const hidesReporter = (viewer: Principal, confidential: boolean) =>
  confidential && viewer.kind === 'user' && isDepartmentRole(viewer.role);

export function toCaseView(row: CaseWithCategory, viewer: Principal, now: Date = new Date()): CaseView {
  const hasLocation =
    row.location_address !== null ||
    row.location_residential_group !== null ||
    row.location_lat !== null ||
    row.location_lng !== null;
  return {
    id: row.id,
    code: row.code,
    wardId: row.ward_id,
    channel: row.channel,
    externalId: row.external_id,
    status: row.status,
    statusLabel: statusLabels[row.status],
    urgency: row.urgency,
    categoryCode: row.category_code,
    departmentId: row.department_id,
    title: row.title,
    description: row.description,
    reporter: hidesReporter(viewer, row.reporter_confidential)
      ? null
      : {
          name: row.reporter_name,
          phone: row.reporter_phone,
          email: row.reporter_email,
          confidential: row.reporter_confidential,
        },
    location: hasLocation
      ? {
          address: row.location_address,
          residentialGroup: row.location_residential_group,
          lat: row.location_lat,
          lng: row.location_lng,
        }
      : null,
    attachments: row.attachments,
    receivedAt: row.received_at.toISOString(),
    acceptDueAt: iso(row.accept_due_at),
    assignedAt: iso(row.assigned_at),
    dueAt: iso(row.due_at),
    answeredAt: iso(row.answered_at),
    closedAt: iso(row.closed_at),
    overdue: isOverdue(row, now),
    answer:
      row.answer_text !== null && row.answered_at
        ? { text: row.answer_text, at: row.answered_at.toISOString(), attachments: row.answer_attachments }
        : null,
    publication: publicationOf(row),
    answerPublished: row.answer_published,
    publicAnswer: publishedAnswer(row)?.text ?? null,
    rating: row.rating_score !== null ? { score: row.rating_score, comment: row.rating_comment } : null,
    duplicateOf: row.duplicate_of,
    possibleDuplicates: row.possible_duplicates,
    version: row.version,
  };
}
