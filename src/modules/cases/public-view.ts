import type { CaseStatus } from '../../db/types.ts';
import { scrubPersonalData } from './personal-data.ts';
import { statusLabels } from './status-labels.ts';

/**
 * What anyone holding a case code may read (api.md, "Public and standard interfaces"): where the case
 * stands, its dates and the published answer; nothing about the reporter. The answer is written by
 * staff for the reporter and may name or quote them, so it is scrubbed first.
 */
export type PublicCaseRow = {
  code: string;
  status: CaseStatus;
  received_at: Date;
  due_at: Date | null;
  answered_at: Date | null;
  answer_text: string | null;
  /** Only to scrub it out of the answer. */
  reporter_name: string | null;
  /** The original's code, when the case was refused as its duplicate. */
  duplicate_of_code: string | null;
};

export type PublicCase = {
  code: string;
  status: CaseStatus;
  statusLabel: string;
  receivedAt: string;
  dueAt: string | null;
  answer: { text: string; at: string } | null;
  duplicateOfCode: string | null;
};

export function toPublicCase(row: PublicCaseRow): PublicCase {
  return {
    code: row.code,
    status: row.status,
    statusLabel: statusLabels[row.status],
    receivedAt: row.received_at.toISOString(),
    // A refused case has no answer to wait for (its deadline may have run before the refusal).
    dueAt: row.due_at && row.status !== 'rejected' ? row.due_at.toISOString() : null,
    // An answer is published once given (answered, then closed); refusing or reopening clears it.
    answer:
      row.answer_text !== null && row.answered_at
        ? { text: scrubPersonalData(row.answer_text, row.reporter_name), at: row.answered_at.toISOString() }
        : null,
    duplicateOfCode: row.duplicate_of_code,
  };
}
