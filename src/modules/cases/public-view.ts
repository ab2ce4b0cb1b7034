import type { Conn } from '../../db/database.ts';
import type { CaseStatus } from '../../db/types.ts';
import { casePublication, type Publication } from '../directory/publication.ts';
import { scrubPersonalData } from './personal-data.ts';
import { statusLabels } from './status-labels.ts';

/** What decides whether a case's answer is public (design.md §1: publishing is a decision). */
type PublicationRow = {
  status: CaseStatus;
  answered_at: Date | null;
  answer_text: string | null;
  /** The ward office's decision at closing; null: not decided, the category's default applies. */
  answer_published: boolean | null;
  /** The public text when the ward office edited it. */
  public_answer: string | null;
  reporter_name: string | null;
  reporter_confidential: boolean;
  category_publication: Publication | null;
};

/**
 * The answer as the public may read it: only once the ward office has closed the case, never for a
 * confidential reporter, and as the ward office decided (by default: published for a `public`
 * category, not for a `status_only` one); its edited text or the answer as given, with the
 * reporter's name and every phone number hidden either way.
 */
export function publishedAnswer(row: PublicationRow): { text: string; at: string } | null {
  if (row.status !== 'closed' || row.answer_text === null || !row.answered_at || row.reporter_confidential)
    return null;
  const publish = row.answer_published ?? row.category_publication !== 'status_only';
  if (!publish) return null;
  return {
    text: scrubPersonalData(row.public_answer ?? row.answer_text, row.reporter_name),
    at: row.answered_at.toISOString(),
  };
}

/**
 * What anyone holding a case code may read (api.md, "Public and standard interfaces"): where the case
 * stands, its dates, category and department, and the published answer; nothing about the reporter
 * and, whatever the category, nothing of what the reporter wrote. The reporter's own link (`t`, from
 * their status messages) shows them their description and the answer they were given, with any
 * third party's phone number hidden.
 */
type PublicCaseRow = PublicationRow & {
  code: string;
  received_at: Date;
  due_at: Date | null;
  description: string;
  reporter_phone: string | null;
  reporter_email?: string | null;
  category_name: string | null;
  department_name: string | null;
  /** The original's code, when the case was refused as its duplicate. */
  duplicate_of_code: string | null;
};

export type PublicCase = {
  code: string;
  status: CaseStatus;
  statusLabel: string;
  receivedAt: string;
  dueAt: string | null;
  categoryName: string | null;
  departmentName: string | null;
  answer: { text: string; at: string } | null;
  duplicateOfCode: string | null;
  view: 'public' | 'reporter';
  description: string | null;
};

export function toPublicCase(row: PublicCaseRow, view: 'public' | 'reporter' = 'public'): PublicCase {
  const own = (text: string) =>
    scrubPersonalData(text, row.reporter_name, {
      keepName: true,
      keepPhone: row.reporter_phone,
      keepEmail: row.reporter_email,
    });
  const given =
    row.answer_text !== null && row.answered_at && (row.status === 'answered' || row.status === 'closed')
      ? { text: own(row.answer_text), at: row.answered_at.toISOString() }
      : null;
  return {
    code: row.code,
    status: row.status,
    statusLabel: statusLabels[row.status],
    receivedAt: row.received_at.toISOString(),
    // A refused case has no answer to wait for (its deadline may have run before the refusal).
    dueAt: row.due_at && row.status !== 'rejected' ? row.due_at.toISOString() : null,
    categoryName: row.category_name,
    departmentName: row.department_name,
    answer: view === 'reporter' ? given : publishedAnswer(row),
    duplicateOfCode: row.duplicate_of_code,
    view,
    description: view === 'reporter' ? own(row.description) : null,
  };
}

/** A case's publication as staff see it (the confidential reporter's case is status_only). */
export const publicationOf = (row: Pick<PublicationRow, 'category_publication' | 'reporter_confidential'>) =>
  casePublication(row.category_publication, row.reporter_confidential);

/**
 * Cases with what their public faces read (public tracking here, Open311's requests): the case's
 * public columns, its category and department, and the original's code of a duplicate. The views
 * (toPublicCase, open311-view.ts) are the allow-lists of what leaves.
 */
export function selectPublicCases(db: Conn) {
  return db
    .selectFrom('cases')
    .leftJoin('categories', 'categories.id', 'cases.category_id')
    .leftJoin('departments', 'departments.id', 'cases.department_id')
    .leftJoin('cases as original', 'original.id', 'cases.duplicate_of')
    .select([
      'cases.id',
      'cases.code',
      'cases.status',
      'cases.description',
      'cases.reporter_name',
      'cases.reporter_phone',
      'cases.reporter_email',
      'cases.reporter_confidential',
      'cases.tracking_nonce',
      'cases.location_address',
      'cases.location_lat',
      'cases.location_lng',
      'cases.attachments',
      'cases.answer_text',
      'cases.answered_at',
      'cases.answer_published',
      'cases.public_answer',
      'cases.reject_reason',
      'cases.received_at',
      'cases.updated_at',
      'cases.closed_at',
      'cases.due_at',
      'categories.code as category_code',
      'categories.name as category_name',
      'categories.publication as category_publication',
      'departments.name as department_name',
      'original.code as duplicate_of_code',
    ]);
}
