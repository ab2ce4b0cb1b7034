import { uid } from './ids.ts';

/**
 * The one case body: a street light reported through the Smart Hải Phòng app, with a unique external
 * id; `extra` replaces or adds fields. A field set to `undefined` is left out (JSON has no undefined).
 */
export const caseBody = (wardCode: string, extra: Record<string, unknown> = {}) => ({
  wardCode,
  channel: 'smart_haiphong',
  externalId: `ext-${uid()}`,
  title: 'Đèn đường hỏng',
  description: 'Đèn đường trước nhà số 12 tổ dân phố 5 bị hỏng ba ngày nay.',
  reporter: { name: 'Nguyễn Văn A', phone: '0912345678', confidential: false },
  location: { address: '12 Lê Lợi', residentialGroup: 'Tổ 5', lat: 20.93, lng: 106.31 },
  ...extra,
});

/**
 * A brief report: no title and no location (so intake looks for no duplicates nearby), another text
 * and reporter (escalation-api.test.ts checks that phone never reaches a webhook). What the worker and
 * outage tests send by the hundred; without a `categoryCode` in `extra` the case waits in received.
 */
export const briefCaseBody = (wardCode: string, extra: Record<string, unknown> = {}) =>
  caseBody(wardCode, {
    title: undefined,
    location: undefined,
    description: 'Rác thải tập kết sai nơi quy định ở đầu ngõ 12.',
    reporter: { name: 'Lê Thị B', phone: '0912000111' },
    ...extra,
  });
