import type { CaseStatus } from '../../db/types.ts';
/** Why the ward office may refuse a case (design.md §1). */
export const rejectReasons = [
  'missing_contact',
  'unclear',
  'offensive',
  'out_of_scope',
  'duplicate',
  'complaint_procedure',
] as const;
export type RejectReason = (typeof rejectReasons)[number];

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

/** Why a case was refused, as people read it (design.md §1). */
export const rejectReasonLabels: Record<RejectReason, string> = {
  missing_contact: 'không có thông tin liên hệ để xác minh',
  unclear: 'nội dung không rõ ràng',
  offensive: 'nội dung có lời lẽ không phù hợp',
  out_of_scope: 'không thuộc thẩm quyền của phường/xã',
  duplicate: 'trùng với phản ánh đã tiếp nhận',
  complaint_procedure: 'thuộc thủ tục khiếu nại, tố cáo, cần gửi theo quy định riêng',
};
