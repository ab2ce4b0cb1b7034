import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { loggerOptions } from '../../src/shared/logger.ts';

/**
 * Log lines kept in memory: `logger` is the production logger configuration (redaction, serializers)
 * writing into `lines`, for an app's `logger` option; `stream` the same destination for pino itself.
 */
export function captureLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, stream, logger: { ...loggerOptions('info'), stream } };
}

/**
 * A phone number's digits with any separator a log could carry (space, dot, dash, %20, +); `bounded`
 * (the default) only where no other digit stands right before or after them.
 */
export const phoneLike = (digits: string, bounded = true) => {
  const number = digits.split('').join('(?:\\s|\\.|-|%20|%2D|\\+)?');
  return new RegExp(bounded ? `(?<!\\d)${number}(?!\\d)` : number);
};

/** The digits that identify a Vietnamese phone number (without 0 / +84). */
export const phoneDigits = (phone: string) => phone.replace(/^(\+84|0)/, '').replace(/\D/g, '');

/**
 * Fails when the captured log holds any of the secrets (passwords, tokens, API keys) or phone numbers.
 * Phone numbers are looked for by their nine significant digits, with or without separators.
 */
export function expectNoLeaks(
  lines: string[],
  leaks: { secrets: Record<string, string>; phones: Iterable<string> },
): void {
  const text = lines.join('\n');
  for (const [name, secret] of Object.entries(leaks.secrets)) {
    const at = text.indexOf(secret);
    expect(at, `${name} leaked into the log: …${text.slice(Math.max(0, at - 200), at + 100)}…`).toBe(-1);
  }
  for (const phone of new Set(leaks.phones)) {
    const digits = phoneDigits(phone);
    if (digits.length < 9) continue;
    const re = phoneLike(digits);
    const line = lines.find((l) => re.test(l));
    expect(line, `phone ${phone} leaked into the log`).toBeUndefined();
  }
  // Whatever was sent: nothing in the log looks like a Vietnamese phone number in a URL.
  for (const line of lines) {
    const url = (JSON.parse(line) as { req?: { url?: string } }).req?.url;
    if (url)
      expect(/(?<!\d)(\+?84|0)\d{9}(?!\d)/.test(safeDecode(url)), `phone in logged URL ${url}`).toBe(false);
  }
}

/** A URL part decoded (a form's `+` as a space when `plusAsSpace`), or as it is when it does not decode. */
export function safeDecode(s: string, plusAsSpace = false): string {
  try {
    return decodeURIComponent(plusAsSpace ? s.replaceAll('+', ' ') : s);
  } catch {
    return s;
  }
}
