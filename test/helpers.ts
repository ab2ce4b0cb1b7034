import type { FastifyInstance, InjectOptions } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../src/app.ts';
import { type Config, loadConfig } from '../src/config.ts';
import { type Container, createContainer } from '../src/container.ts';
import { hashPassword } from '../src/modules/auth/passwords.ts';

export const uid = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`.toUpperCase();

export type TestApp = {
  app: FastifyInstance;
  container: Container;
  config: Config;
  adminToken: string;
  close: () => Promise<void>;
};

/** The METRICS_TOKEN of test apps: GET /metrics with `metricsAuth`. */
export const testMetricsToken = 'test-metrics-token-0123456789';
export const metricsAuth = { authorization: `Bearer ${testMetricsToken}` };

/** The run's database, a Redis prefix of its own, quiet logs; `env` overrides any of it. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: `test-${uid()}`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_POOL_SIZE: '10',
    // Test setup signs in many users; tests of the login limit set their own.
    RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
    // Test files run side by side with spawned workers on two cores, so the event loop of an
    // in-process app lags for reasons of the machine, not of the app; test/overload sets its own.
    OVERLOAD_EVENT_LOOP_DELAY_MS: '0',
    // Test receivers (webhooks) listen on 127.0.0.1; test/hostile-input turns the guard back on.
    WEBHOOK_ALLOW_PRIVATE: 'true',
    METRICS_TOKEN: testMetricsToken,
    ...env,
  });
}

/**
 * A full application on the run's database and a Redis prefix of its own, with an admin signed in.
 * `options.logger` replaces the configured logger (tests that read the logs pass a stream).
 */
export async function createTestApp(
  env: Record<string, string> = {},
  options: { logger?: object } = {},
): Promise<TestApp> {
  const config = testConfig(env);
  const container = await createContainer(config, { role: 'api' });
  const app = await buildApp(container, options.logger ? { logger: options.logger } : {});
  await app.ready();
  const username = `admin-${uid().toLowerCase()}`;
  await container.db
    .insertInto('users')
    .values({
      username,
      password_hash: await hashPassword('admin-password'),
      full_name: 'Quản trị thử nghiệm',
      role: 'admin',
      ward_id: null,
      department_id: null,
    })
    .execute();
  const adminToken = await login(app, username, 'admin-password');
  return {
    app,
    container,
    config,
    adminToken,
    async close() {
      await app.close();
      await container.close();
    },
  };
}

export async function login(app: FastifyInstance, username: string, password: string): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/token',
    payload: { username, password },
  });
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
  return res.json().accessToken;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Calls the API and fails loudly (with the body) when the status is not the expected one. */
export async function call(app: FastifyInstance, opts: InjectOptions, expected: number) {
  const res = await app.inject(opts);
  if (res.statusCode !== expected)
    throw new Error(`${opts.method} ${opts.url}: expected ${expected}, got ${res.statusCode}: ${res.body}`);
  return res;
}

export type Ward = {
  id: string;
  code: string;
  departments: Record<'infra' | 'culture' | 'police', { id: string; code: string }>;
  tokens: Record<'intake' | 'chairman' | 'infraHead' | 'infraOfficer' | 'cultureHead', string>;
};

/**
 * A ward with three departments and one user per role, all with unique codes. Categories are
 * shared by all wards, so callers create those they need with `createCategory`.
 */
export async function createWard(t: TestApp): Promise<Ward> {
  const { app, adminToken } = t;
  const code = `W${uid()}`.slice(0, 20);
  const ward = (
    await call(
      app,
      {
        method: 'POST',
        url: '/api/v1/wards',
        headers: bearer(adminToken),
        payload: { code, name: `Phường ${code}` },
      },
      201,
    )
  ).json();
  const dept = async (c: string, name: string) =>
    (
      await call(
        app,
        {
          method: 'POST',
          url: '/api/v1/departments',
          headers: bearer(adminToken),
          payload: { wardId: ward.id, code: c, name },
        },
        201,
      )
    ).json();
  const departments = {
    infra: await dept('ktht', 'Phòng Kinh tế – Hạ tầng – Đô thị'),
    culture: await dept('vhxh', 'Phòng Văn hoá – Xã hội'),
    police: await dept('cap', 'Công an phường'),
  };
  const user = async (role: string, extra: Record<string, string>) => {
    const username = `u-${uid().toLowerCase()}`;
    await call(
      app,
      {
        method: 'POST',
        url: '/api/v1/users',
        headers: bearer(adminToken),
        payload: { username, password: 'password-123', fullName: `Cán bộ ${role}`, role, ...extra },
      },
      201,
    );
    return login(app, username, 'password-123');
  };
  const tokens = {
    intake: await user('intake', { wardId: ward.id }),
    chairman: await user('chairman', { wardId: ward.id }),
    infraHead: await user('department_head', { departmentId: departments.infra.id }),
    infraOfficer: await user('department_officer', { departmentId: departments.infra.id }),
    cultureHead: await user('department_head', { departmentId: departments.culture.id }),
  };
  return { id: ward.id, code: ward.code, departments, tokens };
}

export async function createCategory(
  t: TestApp,
  body: { defaultDepartmentCode?: string; sla?: object } = {},
): Promise<{ id: string; code: string }> {
  const code = `cat_${uid().toLowerCase()}`;
  const res = await call(
    t.app,
    {
      method: 'POST',
      url: '/api/v1/categories',
      headers: bearer(t.adminToken),
      payload: {
        code,
        name: `Lĩnh vực ${code}`,
        sla: body.sla ?? {
          normal: { duration: 'P5D', clock: 'working' },
          urgent: { duration: 'PT4H', clock: 'continuous' },
        },
        ...(body.defaultDepartmentCode ? { defaultDepartmentCode: body.defaultDepartmentCode } : {}),
      },
    },
    201,
  );
  return res.json();
}

export async function createApiClient(t: TestApp, channel = 'smart_haiphong'): Promise<string> {
  const res = await call(
    t.app,
    {
      method: 'POST',
      url: '/api/v1/api-clients',
      headers: bearer(t.adminToken),
      payload: { name: `App ${uid()}`, channel },
    },
    201,
  );
  return res.json().apiKey;
}

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
