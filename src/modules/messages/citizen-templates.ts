import type { CitizenMessageKind } from '../../db/types.ts';
import { formatDeadline } from '../../shared/vietnam-day.ts';
import { withoutDiacritics } from '../../shared/vietnamese-text.ts';
import { type RejectReason, rejectReasonLabels } from '../cases/status-labels.ts';
import { type SmsSize, smsSize } from './sms-text.ts';

/** What a message's template needs beyond the case, stored with the message when it is recorded. */
export type CitizenMessageData = {
  departmentName?: string | null;
  dueAt?: string | null;
  reason?: RejectReason;
  duplicateOfCode?: string | null;
};

export type CitizenMessageInput = {
  kind: CitizenMessageKind;
  code: string;
  wardName: string;
  /** The case's category, named in the message only when `identifying` allows it. */
  categoryName: string | null;
  /**
   * False for a confidential or anonymous reporter: the message then names nothing but the case code
   * (no category, nothing of what or where), since a phone is often shared and an SMS read by others.
   */
  identifying: boolean;
  /** The tracking link of a case code: the reporter's own link for their case, the public one else. */
  trackingUrl: (code: string) => string;
  timezone: string;
  data: CitizenMessageData;
};

type RenderedMessage = { text: string; diacritics: boolean } & SmsSize;

/**
 * How the message names the case. Official messages carry no text a caller chose (issue 13: an API key
 * holder could otherwise make the ward's brand name text a link of theirs to any number): the case is
 * named by its code and its category, and the department by the name the ward gave it.
 */
function caseName(input: CitizenMessageInput): string {
  const category = input.identifying ? input.categoryName?.trim() : undefined;
  return category ? `phản ánh về ${category} mã ${input.code}` : `phản ánh mã ${input.code}`;
}

const capitalized = (s: string) => `${s.charAt(0).toUpperCase()}${s.slice(1)}`;

/** The Vietnamese text of a status message, with diacritics as people write it. */
function vietnamese(input: CitizenMessageInput): string {
  const { code, data, trackingUrl } = input;
  const what = caseName(input);
  const due = data.dueAt ? `, hạn trả lời ${formatDeadline(new Date(data.dueAt), input.timezone)}` : '';
  const follow = `Theo dõi tại ${trackingUrl(code)}`;
  switch (input.kind) {
    case 'received':
      return data.departmentName
        ? `UBND ${input.wardName} đã tiếp nhận ${what} và chuyển ${data.departmentName} xử lý${due}. ${follow}`
        : `UBND ${input.wardName} đã tiếp nhận ${what}. ${follow}`;
    case 'assigned':
      return `${capitalized(what)} đã được chuyển ${data.departmentName ?? 'đơn vị chuyên môn'} xử lý${due}. ${follow}`;
    case 'answered':
      return `${capitalized(what)} đã có trả lời. Xem tại ${trackingUrl(code)}`;
    case 'closed':
      return `${capitalized(what)} đã được xử lý xong. Cảm ơn ông/bà đã phản ánh. Xem kết quả tại ${trackingUrl(code)}`;
    case 'rejected':
      if (data.reason === 'duplicate' && data.duplicateOfCode)
        return `${capitalized(what)} trùng với phản ánh mã ${data.duplicateOfCode} đang được xử lý; kết quả sẽ theo phản ánh đó. Theo dõi tại ${trackingUrl(data.duplicateOfCode)}`;
      return `UBND ${input.wardName} không tiếp nhận ${what}: ${
        data.reason ? rejectReasonLabels[data.reason] : 'không đủ điều kiện tiếp nhận'
      }. ${follow}`;
  }
}

/**
 * A status message to the reporter, in Vietnamese. Diacritics force UCS-2 (70 characters a segment
 * instead of 160), so with `diacritics: false` the same text goes without them; the size tells the
 * encoding and the segments it costs.
 */
export function renderCitizenMessage(
  input: CitizenMessageInput,
  options: { diacritics: boolean },
): RenderedMessage {
  const full = vietnamese(input);
  const text = options.diacritics ? full : withoutDiacritics(full);
  return { text, diacritics: options.diacritics, ...smsSize(text) };
}
