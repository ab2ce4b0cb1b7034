import type { CaseStatus } from '../../db/types.ts';

/** What people read for each status (design.md §3). */
export const statusLabels: Record<CaseStatus, string> = {
  received: 'Chờ phân loại',
  assigned: 'Đã chuyển xử lý',
  in_progress: 'Đang xử lý',
  awaiting_info: 'Chờ bổ sung',
  answered: 'Đã trả lời',
  closed: 'Hoàn thành',
  rejected: 'Từ chối tiếp nhận',
};

/** Statuses in which the department's answer clock runs. */
export const answerClockRunning: readonly CaseStatus[] = ['assigned', 'in_progress'];
