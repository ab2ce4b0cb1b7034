import type { CitizenMessageKind } from '../../db/types.ts';
import { withoutDiacritics } from '../../shared/vietnamese-text.ts';
import { type RejectReason, rejectReasonLabels } from '../cases/status-labels.ts';
import { formatDeadline } from '../notifications/escalation-messages.ts';
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
  /** The case's title, named in the message only when `identifying` allows it. */
  title: string | null;
  /**
   * False for a confidential or anonymous reporter: the message then names nothing but the case code
   * (no title, nothing of what or where), since a phone is often shared and an SMS read by others.
   */
  identifying: boolean;
  /** The public tracking link of a case code. */
  trackingUrl: (code: string) => string;
  timezone: string;
  data: CitizenMessageData;
};

export type RenderedMessage = { text: string; diacritics: boolean } & SmsSize;

const titleLength = 40;

function quotedTitle(input: CitizenMessageInput): string {
  const title = input.identifying ? input.title?.trim() : undefined;
  if (!title) return '';
  const short =
    [...title].length > titleLength ? `${[...title].slice(0, titleLength - 3).join('')}...` : title;
  return ` "${short}"`;
}

/** The Vietnamese text of a status message, with diacritics as people write it. */
function vietnamese(input: CitizenMessageInput): string {
  const { code, data, trackingUrl } = input;
  const what = `phản ánh${quotedTitle(input)} mã ${code}`;
  const due = data.dueAt ? `, hạn trả lời ${formatDeadline(new Date(data.dueAt), input.timezone)}` : '';
  const follow = `Theo dõi tại ${trackingUrl(code)}`;
  switch (input.kind) {
    case 'received':
      return data.departmentName
        ? `UBND ${input.wardName} đã tiếp nhận ${what} và chuyển ${data.departmentName} xử lý${due}. ${follow}`
        : `UBND ${input.wardName} đã tiếp nhận ${what}. ${follow}`;
    case 'assigned':
      return `Phản ánh${quotedTitle(input)} mã ${code} đã được chuyển ${data.departmentName ?? 'đơn vị chuyên môn'} xử lý${due}. ${follow}`;
    case 'answered':
      return `Phản ánh${quotedTitle(input)} mã ${code} đã có trả lời. Xem tại ${trackingUrl(code)}`;
    case 'closed':
      return `Phản ánh${quotedTitle(input)} mã ${code} đã được xử lý xong. Cảm ơn ông/bà đã phản ánh. Xem kết quả tại ${trackingUrl(code)}`;
    case 'rejected':
      if (data.reason === 'duplicate' && data.duplicateOfCode)
        return `Phản ánh${quotedTitle(input)} mã ${code} trùng với phản ánh mã ${data.duplicateOfCode} đang được xử lý; kết quả sẽ theo phản ánh đó. Theo dõi tại ${trackingUrl(data.duplicateOfCode)}`;
      return `UBND ${input.wardName} không tiếp nhận phản ánh${quotedTitle(input)} mã ${code}: ${
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

/** A tracking link for a case code: `{code}` in the configured template is replaced by it. */
export const trackingUrlFor = (template: string, code: string) =>
  template.replaceAll('{code}', encodeURIComponent(code));
