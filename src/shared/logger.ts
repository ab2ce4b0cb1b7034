import type { FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';

/** Vietnamese mobile and landline numbers, bare or +84, with optional separators. */
const phonePattern = /(\+?84|0)(?:[\s.-]?\d){8,10}/g;
const secretParams = /([?&](?:api_key|apiKey|token|access_token|password)=)[^&#]*/gi;

/** Masks phone numbers and secrets that could sit in a URL (search terms, Open311 api_key). */
export function redactUrl(url: string): string {
  return url.replace(secretParams, '$1[redacted]').replace(phonePattern, '[phone]');
}

export const redactPaths = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  '*.password',
  '*.phone',
  '*.reporterPhone',
  '*.reporter_phone',
  '*.accessToken',
  '*.apiKey',
  '*.api_key',
  '*.secret',
  '*.token',
  'reporter.phone',
  'body.reporter.phone',
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
