import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

function errorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('loadConfig accepted a bad environment');
}

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: 3000,
      DATABASE_POOL_SIZE: 20,
      REDIS_PREFIX: 'pakn',
      LOG_LEVEL: 'info',
      ACCESS_TOKEN_TTL_SECONDS: 3600,
      ADMIN_USERNAME: 'admin',
      BODY_LIMIT_BYTES: 1_048_576,
      RATE_LIMIT_LOGIN_PER_MINUTE: 10,
      LOGIN_LOCKOUT_THRESHOLD: 5,
      LOGIN_LOCKOUT_SECONDS: 60,
      LOGIN_LOCKOUT_MAX_SECONDS: 900,
      TRUST_PROXY: false,
    });
    expect(c.DATABASE_URL).toMatch(/^postgres:\/\//);
    expect(c.REDIS_URL).toMatch(/^redis:\/\//);
    expect(c.JWT_SECRET).toBeUndefined();
    expect(c.ADMIN_PASSWORD).toBeUndefined();
  });

  it('coerces numbers and booleans from strings', () => {
    const c = loadConfig({
      PORT: '8080',
      TRUST_PROXY: 'true',
      BODY_LIMIT_BYTES: '2048',
      DATABASE_POOL_SIZE: '3',
    });
    expect(c.PORT).toBe(8080);
    expect(c.TRUST_PROXY).toBe(true);
    expect(c.BODY_LIMIT_BYTES).toBe(2048);
    expect(c.DATABASE_POOL_SIZE).toBe(3);
    for (const v of ['1', 'yes']) expect(loadConfig({ TRUST_PROXY: v }).TRUST_PROXY).toBe(true);
    for (const v of ['0', 'no', 'false']) expect(loadConfig({ TRUST_PROXY: v }).TRUST_PROXY).toBe(false);
  });

  it('treats empty strings as unset and ignores unrelated variables', () => {
    const c = loadConfig({ PORT: '', JWT_SECRET: '', HOME: '/root', PATH: '/bin' });
    expect(c.PORT).toBe(3000);
    expect(c.JWT_SECRET).toBeUndefined();
    expect(c).not.toHaveProperty('HOME');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/pakn'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['REDIS_PREFIX', 'bad prefix!'],
    ['LOG_LEVEL', 'verbose'],
    ['JWT_SECRET', 'too-short'],
    ['ACCESS_TOKEN_TTL_SECONDS', '5'],
    ['ADMIN_USERNAME', 'Admin User'],
    ['ADMIN_PASSWORD', 'short'],
    ['BODY_LIMIT_BYTES', '10'],
    ['TRUST_PROXY', 'maybe'],
    ['NODE_ENV', 'staging'],
    ['DATABASE_POOL_SIZE', '0'],
  ])('names the bad variable %s=%j', (name, value) => {
    const err = errorOf({ [name]: value });
    expect(err.message).toMatch(new RegExp(`^\\s*${name}: `, 'm'));
  });

  it('reports every bad variable at once', () => {
    const err = errorOf({ PORT: 'x', LOG_LEVEL: 'loud', JWT_SECRET: 'short' });
    for (const name of ['PORT', 'LOG_LEVEL', 'JWT_SECRET']) expect(err.message).toContain(`${name}:`);
  });

  it('does not echo a secret value in the error', () => {
    const err = errorOf({ JWT_SECRET: 'tiny-secret-value' });
    expect(err.message).not.toContain('tiny-secret-value');
    const err2 = errorOf({ ADMIN_PASSWORD: 'abc12' });
    expect(err2.message).not.toContain('abc12');
  });

  it('needs the gateway URL and token for SMS_PROVIDER=http', () => {
    const err = errorOf({ SMS_PROVIDER: 'http' });
    expect(err.message).toContain('SMS_HTTP_URL: required when SMS_PROVIDER=http');
    expect(err.message).toContain('SMS_HTTP_TOKEN: required when SMS_PROVIDER=http');
    const ok = loadConfig({
      SMS_PROVIDER: 'http',
      SMS_HTTP_URL: 'https://sms.example.vn/send',
      SMS_HTTP_TOKEN: 't',
    });
    expect(ok.SMS_HTTP_URL).toBe('https://sms.example.vn/send');
  });

  it('takes the digest schedule as a cron expression or off, and SMTP as an smtp(s) URL', () => {
    expect(loadConfig({}).DIGEST_SCHEDULE).toBe('30 7 * * 1');
    expect(loadConfig({ DIGEST_SCHEDULE: 'off' }).DIGEST_SCHEDULE).toBe('off');
    expect(loadConfig({ DIGEST_SCHEDULE: '0 8 * * 1-5' }).DIGEST_SCHEDULE).toBe('0 8 * * 1-5');
    expect(errorOf({ DIGEST_SCHEDULE: 'monday 7:30' }).message).toContain(
      'DIGEST_SCHEDULE: five cron fields',
    );
    expect(errorOf({ DIGEST_SCHEDULE: '30 25 * * 1' }).message).toContain(
      'DIGEST_SCHEDULE: not a cron expression',
    );
    expect(errorOf({ SMTP_URL: 'http://mail.example.vn' }).message).toContain(
      'SMTP_URL: must be an smtp:// or smtps:// URL',
    );
    expect(loadConfig({ SMTP_URL: 'smtps://u:p@mail.example.vn:465' }).SMTP_URL).toBe(
      'smtps://u:p@mail.example.vn:465',
    );
    expect(errorOf({ SMTP_FROM: 'not an address' }).message).toContain('SMTP_FROM');
  });

  it('takes a tracking link with {code}, and points at its own tracking endpoint by default', () => {
    expect(errorOf({ PUBLIC_TRACKING_URL: 'https://pakn.example.vn/track' }).message).toContain(
      'PUBLIC_TRACKING_URL: must contain {code}',
    );
    expect(loadConfig({ PUBLIC_TRACKING_URL: 'https://pakn.example.vn/t/{code}' }).PUBLIC_TRACKING_URL).toBe(
      'https://pakn.example.vn/t/{code}',
    );
    expect(loadConfig({ PORT: '8080' }).PUBLIC_TRACKING_URL).toBe(
      'http://127.0.0.1:8080/api/v1/public/cases/{code}',
    );
  });
});
