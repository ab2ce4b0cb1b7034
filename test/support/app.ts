import type { FastifyInstance, InjectOptions } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { type Container, createContainer } from '../../src/container.ts';
import { insertUser } from './database.ts';
import { testPrefix, uid } from './ids.ts';

/** The one way tests build the application in-process and call it (`app.inject`). */

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
    REDIS_PREFIX: testPrefix(),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_POOL_SIZE: '10',
    // Test setup signs in many users; tests of the login limit set their own.
    RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
    // Test files run side by side with spawned workers on two cores, so the event loop of an
    // in-process app lags for reasons of the machine, not of the app; overload.test.ts sets its own.
    OVERLOAD_EVENT_LOOP_DELAY_MS: '0',
    // Test receivers (webhooks) listen on 127.0.0.1; hostile-input.test.ts turns the guard back on.
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
  const username = await insertUser(container.db, {
    username: `admin-${uid().toLowerCase()}`,
    password: 'admin-password',
    fullName: 'Quản trị thử nghiệm',
    role: 'admin',
  });
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

/**
 * Signs in through the API. A 503 with Retry-After (load shedding, on a machine busy with other work)
 * is retried a few times as a client would: the tests that judge shedding judge it themselves.
 */
export async function login(app: FastifyInstance, username: string, password: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: { username, password },
    });
    if (res.statusCode === 503 && res.headers['retry-after'] !== undefined && attempt < 5) {
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      continue;
    }
    if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
    return res.json().accessToken;
  }
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A request for `app.inject` / `call`, in one line: method, URL, headers, and a JSON body if any. */
export const req = (
  method: InjectOptions['method'],
  url: string,
  headers: Record<string, string>,
  payload?: object,
): InjectOptions => ({ method, url, headers, ...(payload ? { payload } : {}) });

/** Calls the API and fails loudly (with the body) when the status is not the expected one. */
export async function call(app: FastifyInstance, opts: InjectOptions, expected: number) {
  const res = await app.inject(opts);
  if (res.statusCode !== expected)
    throw new Error(`${opts.method} ${opts.url}: expected ${expected}, got ${res.statusCode}: ${res.body}`);
  return res;
}
