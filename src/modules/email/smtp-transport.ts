import { createTransport } from 'nodemailer';
import type { SendResult } from '../../shared/post-once.ts';

type Mail = {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The same on every try, so the receiving side can tell a retried message from a new one. */
  messageId: string;
};

export type MailTransport = { send: (mail: Mail) => Promise<SendResult>; close: () => void };

/**
 * What an SMTP failure means for the next try. A 5xx reply is permanent (RFC 5321 §4.2.1: the
 * address or the message is refused) and settles the e-mail as failed; a 4xx reply, a refused
 * connection, a timeout or a TLS problem may pass, so the e-mail is tried again.
 */
export function smtpOutcome(err: { responseCode?: number; code?: string; message?: string }): SendResult {
  const code = typeof err.responseCode === 'number' ? err.responseCode : null;
  const error = `${err.code ?? 'SMTP'}: ${(err.message ?? 'unknown error').slice(0, 300)}`;
  return { ok: false, statusCode: code, error, final: code !== null && code >= 500 && code < 600 };
}

/** One SMTP conversation per e-mail through nodemailer (SMTP_URL: smtp://…, smtps://…). */
export function smtpTransport(options: { url: string; timeoutMs: number }): MailTransport {
  const transporter = createTransport({
    url: options.url,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  return {
    async send(mail) {
      try {
        const info = await transporter.sendMail({
          from: mail.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
        });
        if (info.rejected.length > 0)
          return { ok: false, statusCode: 550, error: 'recipient refused', final: true };
        return { ok: true, statusCode: 250 };
      } catch (err) {
        return smtpOutcome(err as { responseCode?: number; code?: string; message?: string });
      }
    },
    close: () => transporter.close(),
  };
}
