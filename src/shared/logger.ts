import type { FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';

/** Vietnamese mobile and landline numbers, bare or +84, with optional separators. */
const phonePattern = /(\+?84|0)(?:[\s.+-]?\d){8,10}/g;
/**
 * A case code (`HAIAN84-261207-0001`: ward code, day, number). Its digits look like a number to the
 * phone pattern when the ward code ends in 0 or 84; a case code is never a phone, and a log line
 * without its case code is no use to whoever reads it.
 */
const caseCodePattern = /\b[A-Z][A-Z0-9_]{1,19}-\d{6}-\d{4,}\b/g;

/** The text with every phone number masked, its case codes kept as they are. */
function withoutPhones(text: string): string {
  const codes: string[] = [];
  const kept = text.replace(caseCodePattern, (code) => `\uE000${codes.push(code) - 1}\uE000`);
  if (codes.length === 0) return text.replace(phonePattern, '[phone]');
  return kept
    .replace(phonePattern, '[phone]')
    .replace(/\uE000(\d+)\uE000/g, (_, i) => codes[Number(i)] ?? '');
}
// `t`: the reporter's own tracking token (public tracking links).
const secretParams = /([?&](?:api_key|apiKey|token|access_token|password|t)=)[^&#\s]*/gi;

/** The URL with its percent-escapes decoded (a `+` stays: the phone pattern takes it as a separator). */
function decoded(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url.replace(/%(2[0BDEbde]|20)/g, ' ');
  }
}

/**
 * Masks phone numbers and secrets that could sit in a URL (search terms, Open311 api_key), however
 * they were encoded: secrets are cut from the raw URL, phone numbers are looked for in its decoded form.
 */
export function redactUrl(url: string): string {
  const withoutSecrets = url.replace(secretParams, '$1[redacted]');
  const plain = decoded(withoutSecrets);
  const masked = withoutPhones(plain);
  return masked === plain ? withoutSecrets : masked;
}

/** A text with every phone number (and every secret of a link in it) masked, for a log line that must carry the text. */
export const maskPhones = (text: string) => withoutPhones(text.replace(secretParams, '$1[redacted]'));

/** One phone number, recognisable to whoever holds it but useless to anyone else: `[phone …678]`. */
export const maskPhone = (phone: string) => `[phone …${phone.slice(-3)}]`;

export const redactPaths = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  '*.password',
  '*.phone',
  '*.reporterPhone',
  '*.reporter_phone',
  '*.reporterEmail',
  '*.reporter_email',
  '*.accessToken',
  '*.apiKey',
  '*.api_key',
  '*.secret',
  '*.token',
  'reporter.phone',
  'reporter.email',
  'body.reporter.phone',
  'body.reporter.email',
  'body.email',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: {
      req(req: FastifyRequest) {
        return {
          method: req.method,
          url: redactUrl(req.url),
          remoteAddress: req.ip,
        };
      },
    },
  };
}
