import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container } from '../../src/container.ts';
import { bearer, call, createTestApp, login, type TestApp } from '../support/app.ts';
import { caseBody } from '../support/case-body.ts';
import { postCase } from '../support/cases.ts';
import { insertUser } from '../support/database.ts';
import { uid } from '../support/ids.ts';
import { phoneLike as anyPhoneLike, captureLogs } from '../support/logs.ts';

const { lines, logger } = captureLogs();
let t: TestApp;
let container: Container;
let app: FastifyInstance;

beforeAll(async () => {
  // The production logger configuration (redaction, serializers), writing to `lines`.
  t = await createTestApp({}, { logger });
  ({ container, app } = t);
});
afterAll(() => t.close());

/** A phone number's digits with any separator a log could carry, even between other digits. */
const phoneLike = (digits: string) => anyPhoneLike(digits, false);

describe('logs carry no secrets or personal data', () => {
  it('login, intake, phone search and API-key requests leave no password, phone, token or key in the log', async () => {
    const adminPassword = `Adm1n-${uid()}-pass`;
    const adminName = `admin-${uid().toLowerCase()}`;
    await insertUser(container.db, {
      username: adminName,
      password: adminPassword,
      fullName: 'Quản trị nhật ký',
      role: 'admin',
    });

    const from = lines.length;
    const adminToken = await login(app, adminName, adminPassword);
    // A failed login carries a password too.
    const wrongPassword = `Wr0ng-${uid()}-pass`;
    await call(
      app,
      {
        method: 'POST',
        url: '/api/v1/auth/token',
        payload: { username: adminName, password: wrongPassword },
      },
      401,
    );

    const code = `L${uid()}`.slice(0, 20);
    const ward = (
      await call(
        app,
        {
          method: 'POST',
          url: '/api/v1/wards',
          headers: bearer(adminToken),
          payload: { code, name: 'Phường Nhật Ký' },
        },
        201,
      )
    ).json();
    const intakePassword = `Int4ke-${uid()}-pass`;
    const intakeName = `intake-${uid().toLowerCase()}`;
    await call(
      app,
      {
        method: 'POST',
        url: '/api/v1/users',
        headers: bearer(adminToken),
        payload: {
          username: intakeName,
          password: intakePassword,
          fullName: 'Tiếp nhận',
          role: 'intake',
          wardId: ward.id,
        },
      },
      201,
    );
    const intakeToken = await login(app, intakeName, intakePassword);
    const apiKey: string = (
      await call(
        app,
        {
          method: 'POST',
          url: '/api/v1/api-clients',
          headers: bearer(adminToken),
          payload: { name: 'App nhật ký', channel: 'smart_haiphong' },
        },
        201,
      )
    ).json().apiKey;

    const phone = '0912345678';
    const otherPhone = '0388123456';
    await postCase(
      app,
      bearer(intakeToken),
      caseBody(ward.code, { channel: 'walk_in', reporter: { name: 'Lê Thị Riêng Tư', phone } }),
    );
    await postCase(app, { 'x-api-key': apiKey }, caseBody(ward.code, { reporter: { phone: otherPhone } }));
    // A refused intake (bad phone) must not echo the phone either.
    await call(
      app,
      {
        method: 'POST',
        url: '/api/v1/cases',
        headers: { 'x-api-key': apiKey },
        payload: caseBody(ward.code, { reporter: { phone: '+84388123456789' } }),
      },
      400,
    );
    await call(app, { method: 'GET', url: `/api/v1/cases?q=${phone}`, headers: bearer(intakeToken) }, 200);
    await call(
      app,
      { method: 'GET', url: `/api/v1/cases?q=%2B84${phone.slice(1)}`, headers: bearer(intakeToken) },
      200,
    );
    await call(app, { method: 'GET', url: '/api/v1/categories', headers: { 'x-api-key': apiKey } }, 200);
    await call(app, { method: 'GET', url: '/api/v1/cases/1', headers: { 'x-api-key': `${apiKey}x` } }, 401);
    await call(app, { method: 'GET', url: '/api/v1/cases', headers: bearer(`${intakeToken}x`) }, 401);

    const captured = lines.slice(from);
    // The capture works: each request was logged, with its (redacted) URL.
    expect(captured.length).toBeGreaterThan(10);
    const parsed = captured.map((l) => JSON.parse(l) as { req?: { url?: string }; msg?: string });
    const urls = parsed.map((l) => l.req?.url).filter(Boolean) as string[];
    expect(urls).toContain('/api/v1/auth/token');
    expect(urls.some((u) => u.startsWith('/api/v1/cases?q='))).toBe(true);
    expect(parsed.some((l) => l.msg === 'request completed')).toBe(true);

    const text = captured.join('\n');
    const secrets: Record<string, string> = {
      'admin password': adminPassword,
      'wrong password': wrongPassword,
      'intake password': intakePassword,
      'admin token': adminToken,
      'intake token': intakeToken,
      'admin token signature': adminToken.split('.')[2] as string,
      'API key': apiKey,
      'reporter name': 'Lê Thị Riêng Tư',
    };
    for (const [name, secret] of Object.entries(secrets))
      expect(text.includes(secret), `${name} leaked`).toBe(false);
    for (const p of [phone, otherPhone, '912345678', '388123456'])
      expect(
        phoneLike(p).test(text),
        `phone ${p} leaked: ${captured.find((l) => phoneLike(p).test(l))}`,
      ).toBe(false);
  });

  it('a phone number typed with spaces in a search is not logged either', async () => {
    // No credentials needed: the URL is logged on arrival, even when the request is then refused.
    const from = lines.length;
    await app.inject({ method: 'GET', url: '/api/v1/cases?q=0912%20345%20678' });
    await app.inject({ method: 'GET', url: '/api/v1/cases?q=0912+345+678' });
    const text = lines.slice(from).join('\n');
    expect(text.length).toBeGreaterThan(0);
    expect(phoneLike('0912345678').test(text), text).toBe(false);
  });
});
