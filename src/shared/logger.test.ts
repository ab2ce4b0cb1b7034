import { describe, expect, it } from 'vitest';
import { loggerOptions, maskPhones, redactPaths, redactUrl } from './logger.ts';

describe('redactUrl', () => {
  it.each([
    ['/api/v1/cases?q=0912345678', '/api/v1/cases?q=[phone]'],
    ['/api/v1/cases?q=+84912345678', '/api/v1/cases?q=[phone]'],
    ['/api/v1/cases?q=0912.345.678&limit=2', '/api/v1/cases?q=[phone]&limit=2'],
    ['/api/v1/cases?q=0912-345-678', '/api/v1/cases?q=[phone]'],
    ['/api/v1/cases?q=02253123456', '/api/v1/cases?q=[phone]'],
  ])('masks phone numbers: %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it.each([
    ['/open311/v2/requests.json?api_key=pakn_abc123&x=1', '/open311/v2/requests.json?api_key=[redacted]&x=1'],
    ['/x?apiKey=secret', '/x?apiKey=[redacted]'],
    ['/x?a=1&token=eyJhbGciOi.x.y', '/x?a=1&token=[redacted]'],
    ['/x?access_token=abc#frag', '/x?access_token=[redacted]#frag'],
    ['/x?PASSWORD=hunter2', '/x?PASSWORD=[redacted]'],
  ])('masks secrets in the query: %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('leaves ordinary URLs alone', () => {
    for (const url of [
      '/api/v1/cases/123',
      '/api/v1/cases?status=received,assigned&limit=50',
      '/api/v1/cases?receivedFrom=2026-01-10&receivedTo=2026-01-11',
      '/api/v1/cases?q=den%20duong',
      '/health',
    ])
      expect(redactUrl(url)).toBe(url);
  });

  it('masks a URL-encoded +84 number', () => {
    const out = redactUrl('/api/v1/cases?q=%2B84912345678');
    expect(out).not.toMatch(/912345678/);
  });

  it('masks phone numbers whose separators are URL-encoded (%20, +, %2D)', () => {
    for (const url of [
      '/api/v1/cases?q=0912%20345%20678',
      '/api/v1/cases?q=0912+345+678',
      '/api/v1/cases?q=0912%2D345%2D678',
    ]) {
      const out = redactUrl(url);
      expect(out, url).toContain('[phone]');
      expect(out.replace(/%20|%2D|\+/gi, ''), url).not.toMatch(/912345678/);
    }
  });
});

describe('loggerOptions', () => {
  it('redacts credentials and phone numbers and serialises requests without headers', () => {
    const o = loggerOptions('info');
    expect(o.level).toBe('info');
    for (const p of [
      'req.headers.authorization',
      'req.headers["x-api-key"]',
      '*.password',
      '*.phone',
      '*.apiKey',
    ])
      expect(redactPaths).toContain(p);
    const req = o.serializers?.req as (r: unknown) => Record<string, unknown>;
    const out = req({
      method: 'GET',
      url: '/api/v1/cases?q=0912345678',
      ip: '10.0.0.1',
      headers: { authorization: 'Bearer secret', 'x-api-key': 'pakn_x' },
    });
    expect(out).toEqual({ method: 'GET', url: '/api/v1/cases?q=[phone]', remoteAddress: '10.0.0.1' });
  });
});

describe('maskPhones', () => {
  it('masks phone numbers but keeps case codes whose ward code ends in digits that look like a number', () => {
    expect(
      maskPhones('Mã HAIAN84-261207-0001 và PHUONG10-261207-0138; gọi 0912 345 678 hoặc +84912345678'),
    ).toBe('Mã HAIAN84-261207-0001 và PHUONG10-261207-0138; gọi [phone] hoặc [phone]');
    expect(maskPhones('http://x/api/v1/public/cases/P0-261207-0138?t=abc')).toBe(
      'http://x/api/v1/public/cases/P0-261207-0138?t=[redacted]',
    );
  });

  it('does not let a number pass for a case code', () => {
    expect(maskPhones('0912345678-261207-0001')).not.toContain('0912345678');
  });
});
