import type { Logger } from 'pino';
import { maskPhone, maskPhones } from '../../shared/logger.ts';
import { postOnce, type SendResult } from '../../shared/post-once.ts';
import type { SmsSize } from './sms-text.ts';

type Sms = { to: string; text: string; idempotencyKey: string } & Pick<SmsSize, 'encoding' | 'segments'>;

/** Where status messages go. `send` never throws: failures come back as results. */
export type SmsProvider = { name: 'log' | 'http'; send: (sms: Sms) => Promise<SendResult> };

/**
 * Development: each message is written to the worker's log (the phone masked, like every phone in
 * the logs) instead of being sent, so the whole flow can be followed without a gateway.
 */
export function logSmsProvider(log: Logger): SmsProvider {
  return {
    name: 'log',
    async send(sms) {
      log.info(
        {
          to: maskPhone(sms.to),
          idempotencyKey: sms.idempotencyKey,
          encoding: sms.encoding,
          segments: sms.segments,
          text: maskPhones(sms.text),
        },
        'SMS (log provider)',
      );
      return { ok: true, statusCode: 200 };
    },
  };
}

/**
 * An HTTP JSON SMS gateway: `POST url` with `Authorization: Bearer <token>`, an `Idempotency-Key`
 * header and `{ to, text, brandName, encoding, segments, idempotencyKey }`; `to` in international form
 * (84…). Any 2xx is sent; 408, 429 and 5xx and network failures are tried again; any other 4xx means
 * the gateway refused the message itself, and it is not tried again.
 */
export function httpSmsProvider(options: {
  url: string;
  token: string;
  brandName: string;
  timeoutMs: number;
}): SmsProvider {
  return {
    name: 'http',
    async send(sms) {
      const result = await postOnce({
        url: options.url,
        timeoutMs: options.timeoutMs,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${options.token}`,
          'idempotency-key': sms.idempotencyKey,
          'user-agent': 'pakn-sms/1',
        },
        body: Buffer.from(
          JSON.stringify({
            to: internationalNumber(sms.to),
            text: sms.text,
            brandName: options.brandName,
            encoding: sms.encoding,
            segments: sms.segments,
            idempotencyKey: sms.idempotencyKey,
          }),
        ),
      });
      if (result.ok || result.statusCode === null) return result;
      const retryable = result.statusCode === 408 || result.statusCode === 429 || result.statusCode >= 500;
      return retryable ? result : { ...result, final: true };
    },
  };
}

/** `0912345678` or `+84912345678` → `84912345678`, as gateways take it. */
const internationalNumber = (phone: string) => phone.replace(/^\+?84|^0/, '84');
